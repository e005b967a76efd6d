import type { Kysely } from 'kysely';
import type { Account } from '../accounts/accounts.js';
import type { PaperLookup } from '../ingest/arxiv-api.js';
import { SourceError } from '../ingest/errors.js';
import { type ArxivId, parseArxivId } from '../model/arxiv-id.js';
import { DAY_MS, isoDay } from '../model/dates.js';
import type { Paper } from '../model/paper.js';
import type { PaperRecord } from '../model/record.js';
import { Refusal } from '../model/refusal.js';
import { paperFromRow } from '../store/rows.js';
import { type Database, PAPER_COLUMNS } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { can } from './roles.js';

/** As on Hugging Face: a paper can be submitted until this many days after its first arXiv version. */
export const SUBMIT_WINDOW_DAYS = 14;
/** The longest arXiv id or link the form takes. */
export const SUBMISSION_INPUT_MAX = 200;

export interface SubmissionDeps {
  store: Store;
  db: Kysely<Database>;
  /** Looks a paper the store lacks up on arXiv; without it only stored papers can be submitted. */
  fetchPaper?: PaperLookup | undefined;
}

type Db = Kysely<Database>;

/** An arXiv id, `arXiv:` id, arxiv.org abs/pdf/html link (with or without `https://`) or huggingface.co/papers link. */
export function parseSubmission(input: string): ArxivId | undefined {
  const s = input
    .trim()
    .replace(/^(?:https?:\/\/)?(?:www\.)?huggingface\.co\/papers\//i, '')
    .replace(/^(?=(?:www\.|export\.)?arxiv\.org\/)/i, 'https://');
  return parseArxivId(s);
}

/**
 * The record a submission adds to its paper: the feed day (the earliest day wins, so the paper enters today's feed
 * unless it was in an earlier one) and the submitter. The `community` source owns no bibliographic field.
 */
export function submissionRecord(paperId: string, day: string, handle: string): PaperRecord {
  return { id: paperId, source: 'community', title: '', abstract: '', dailyOn: day, submittedBy: handle };
}

/**
 * Submits a paper to today's feed for this account and returns its id. The paper is fetched from arXiv when the store
 * lacks it. Refused when the input is no arXiv id, the paper was already submitted (here, or on Hugging Face: it has a
 * submitter or a daily-feed day), or its first version is older than SUBMIT_WINDOW_DAYS; a refusal about a paper on
 * this site names it (`paperId`), for the page to link to.
 */
export async function submitPaper(deps: SubmissionDeps, account: Account, input: string, now: Date): Promise<string> {
  if (!can(account, 'submit'))
    throw new Refusal(
      'forbidden',
      "Your account may not submit papers. Write to the site's admins if you think this is a mistake.",
    );
  const text = input.trim();
  if (!text)
    throw new Refusal('invalid', 'Enter an arXiv id, such as 2501.12345, or a link to the paper on arxiv.org.');
  if (text.length > SUBMISSION_INPUT_MAX) {
    throw new Refusal(
      'invalid',
      `That is ${text.length} characters; an arXiv id or link is at most ${SUBMISSION_INPUT_MAX}. Enter just the id, such as 2501.12345.`,
    );
  }
  const parsed = parseSubmission(text);
  if (!parsed) {
    throw new Refusal(
      'invalid',
      'That is not an arXiv id or arxiv.org link. Enter an id such as 2501.12345 or hep-th/9901001, or a link such as https://arxiv.org/abs/2501.12345.',
    );
  }
  const id = parsed.id;

  await refuseIfSubmitted(deps.db, id);
  const stored = await storedPaper(deps.db, id);
  if (stored?.hidden) throw new Refusal('removed', `${id} was removed by the curators and cannot be submitted.`);
  if (stored) refuseIfOnHuggingFace(stored.paper);

  let fetched: PaperRecord | undefined;
  if (!stored?.paper.submittedAt) {
    if (!deps.fetchPaper)
      throw new Refusal(
        'unavailable',
        `${id} is not on this site, and this server does not fetch papers from arXiv. Ask its admins to import it.`,
      );
    try {
      fetched = await deps.fetchPaper(id);
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      if (error.code !== 'remote-error')
        throw new Refusal('unavailable', 'arXiv could not be reached just now. Try again in a few minutes.', {
          cause: error,
        });
    }
    if (!fetched) throw new Refusal('not-on-arxiv', `arXiv has no paper ${id}. Check the id and try again.`);
  }

  const firstPublished = (stored?.paper.submittedAt ?? fetched?.submittedAt)?.slice(0, 10);
  const earliest = isoDay(new Date(now.getTime() - SUBMIT_WINDOW_DAYS * DAY_MS));
  if (!firstPublished || firstPublished < earliest) {
    const when = firstPublished ? `was first published on ${firstPublished}` : 'has no publication date';
    throw new Refusal(
      'too-old',
      `${id} ${when}; only papers first published in the last ${SUBMIT_WINDOW_DAYS} days can be submitted.`,
      { paperId: stored ? id : undefined },
    );
  }

  // The submission row refers to the paper, so a fetched paper is stored first (and stays, should the claim fail).
  if (fetched) await deps.store.upsertPapers([fetched]);
  const day = isoDay(now);
  const inserted = await deps.db
    .insertInto('submissions')
    .values({ paper_id: id, account_id: account.id, day, created_at: now.toISOString() })
    .onConflict((oc) => oc.column('paper_id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
    await refuseIfSubmitted(deps.db, id);
    throw new Refusal('already-submitted', `${id} was just submitted by someone else.`, { paperId: id });
  }
  try {
    await deps.store.upsertPapers([submissionRecord(id, day, account.handle)]);
  } catch (error) {
    await deps.db.deleteFrom('submissions').where('paper_id', '=', id).where('account_id', '=', account.id).execute();
    throw error;
  }
  return id;
}

async function refuseIfSubmitted(db: Db, paperId: string): Promise<void> {
  const row = await db
    .selectFrom('submissions')
    .innerJoin('accounts', 'accounts.id', 'submissions.account_id')
    .select(['accounts.handle', 'submissions.day'])
    .where('submissions.paper_id', '=', paperId)
    .executeTakeFirst();
  if (row)
    throw new Refusal('already-submitted', `${paperId} was already submitted by ${row.handle} on ${row.day}.`, {
      paperId,
    });
}

/** A stored paper that was submitted on Hugging Face, or entered its daily feed there. */
function refuseIfOnHuggingFace(paper: Paper): void {
  if (paper.submittedBy)
    throw new Refusal('already-submitted', `${paper.id} was already submitted by ${paper.submittedBy}.`, {
      paperId: paper.id,
    });
  if (paper.dailyOn)
    throw new Refusal('already-submitted', `${paper.id} is already in the daily feed of ${paper.dailyOn}.`, {
      paperId: paper.id,
    });
}

async function storedPaper(db: Db, id: string): Promise<{ paper: Paper; hidden: boolean } | undefined> {
  const row = await db.selectFrom('papers').select(PAPER_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? { paper: paperFromRow(row), hidden: row.hidden_at !== null } : undefined;
}

/** The papers an account submitted, newest first, leaving out those the curators hid. */
export async function submissionsOf(db: Db, accountId: string, limit = 100): Promise<Paper[]> {
  const rows = await db
    .selectFrom('submissions')
    .innerJoin('papers', 'papers.id', 'submissions.paper_id')
    .selectAll('papers')
    .where('submissions.account_id', '=', accountId)
    .where('papers.hidden_at', 'is', null)
    .orderBy('submissions.created_at', 'desc')
    .orderBy('submissions.paper_id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(paperFromRow);
}

/** After a change of handle: the account's submissions show the new one (unless Hugging Face named a submitter since). */
export async function followHandle(
  deps: Pick<SubmissionDeps, 'store' | 'db'>,
  accountId: string,
  handle: string,
): Promise<number> {
  const rows = await deps.db
    .selectFrom('submissions')
    .innerJoin('papers', 'papers.id', 'submissions.paper_id')
    .select(['submissions.paper_id', 'submissions.day', 'papers.provenance', 'papers.submitted_by'])
    .where('submissions.account_id', '=', accountId)
    .execute();
  const records = rows
    .filter(
      (r) =>
        r.submitted_by !== handle && (JSON.parse(r.provenance) as Record<string, string>).submittedBy === 'community',
    )
    .map((r) => submissionRecord(r.paper_id, r.day, handle));
  if (records.length) await deps.store.upsertPapers(records);
  return records.length;
}
