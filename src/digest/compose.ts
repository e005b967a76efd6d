import type { Signer } from '../crypto/tokens.js';
import { randomId } from '../crypto/tokens.js';
import type { ForYou } from '../foryou/for-you.js';
import { savedSignals } from '../library/collections.js';
import type { Logger } from '../log.js';
import { messageId } from '../mail/notice.js';
import { enqueue } from '../mail/outbox.js';
import { addDays } from '../model/dates.js';
import { authorKey } from '../model/record.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { duePeriod, firstLookbackDays, isoWeek, localTime, lookbackDays } from './due.js';
import { digestHeaders, subscriberLinks } from './links.js';
import { renderDigest, type Section } from './render.js';
import { type DigestSources, PER_SECTION, type Ranked } from './sources.js';
import { type Alert, fromRow, getAlerts, type Subscriber } from './subscribers.js';

export interface ComposeDeps {
  store: Store;
  db: Db;
  sources: DigestSources;
  signer: Signer;
  baseUrl: string;
  batchSize: number;
  /** The wall clock the outbox runs on; `now` (what is due) may differ when a run is asked for another time. */
  clock: () => Date;
  /** "For you" (src/foryou/), for subscribers with an account: opened on first use. */
  forYou?: (() => Promise<ForYou>) | undefined;
  log?: Logger | undefined;
}

export interface ComposeResult {
  /** Confirmed subscribers looked at. */
  subscribers: number;
  /** Digests written to the outbox. */
  composed: number;
  /** Due, but nothing new for them: no mail. */
  empty: number;
}

interface Planned {
  subscriber: Subscriber;
  period: string;
  sections: {
    kind: Section['kind'];
    label: string;
    url: string;
    ids: string[];
    matched: number;
    capped: boolean;
    notes?: Record<string, string>;
  }[];
}

/**
 * Composes the digest of every confirmed subscriber that is due at `now`, a batch at a time. Each batch is one
 * transaction: the outbox rows, the papers they carry (so none is sent to that subscriber again) and the period
 * each subscriber was served for. A crash loses at most the batch being composed, which the next pass composes again.
 */
export async function composeDue(deps: ComposeDeps, now: Date): Promise<ComposeResult> {
  const { db } = deps;
  const result: ComposeResult = { subscribers: 0, composed: 0, empty: 0 };
  // What this pass has seen: the next digest of each subscriber served now takes only papers that entered their
  // feed day later (the store stamps those times in commit order, so none committed later can be older).
  const watermark = await deps.sources.newestFeedAt();
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('subscribers')
      .selectAll()
      .where('status', '=', 'confirmed')
      .where('id', '>', after)
      .orderBy('id')
      .limit(deps.batchSize)
      .execute();
    if (rows.length === 0) return result;
    after = rows[rows.length - 1]!.id;
    result.subscribers += rows.length;
    const due = rows.map(fromRow).flatMap((s) => {
      const period = duePeriod(s, now, s.lastPeriod);
      return period ? [{ subscriber: s, period }] : [];
    });
    if (due.length === 0) continue;
    const planned = await plan(deps, due, now);
    const papers = await deps.sources.getPapers(planned.flatMap((p) => p.sections.flatMap((s) => s.ids)));
    await db.transaction().execute(async (trx) => {
      for (const p of planned) {
        const sections: Section[] = p.sections
          .map((s) => ({
            kind: s.kind,
            label: s.label,
            url: s.url,
            papers: s.ids.flatMap((id) => papers.get(id) ?? []),
            matched: s.matched,
            capped: s.capped,
            ...(s.notes ? { notes: s.notes } : {}),
          }))
          .filter((s) => s.papers.length > 0);
        if (sections.length === 0) {
          result.empty++;
        } else {
          const id = randomId();
          const links = subscriberLinks(deps.baseUrl, deps.signer, p.subscriber.id);
          const content = {
            frequency: p.subscriber.frequency,
            day: localTime(now, p.subscriber.timeZone).day,
            sections,
            baseUrl: deps.baseUrl,
            ...links,
          };
          const mail = renderDigest(content);
          const added = await enqueue(
            trx,
            {
              id,
              idempotencyKey: `digest:${p.subscriber.id}:${p.period}`,
              subscriberId: p.subscriber.id,
              kind: 'digest',
              to: p.subscriber.email,
              subject: mail.subject,
              html: mail.html,
              text: mail.text,
              headers: digestHeaders(deps.baseUrl, links.unsubscribeUrl),
              messageId: messageId(id, deps.baseUrl),
            },
            deps.clock(),
          );
          if (added) {
            const sent = mail.sections.flatMap((s) =>
              s.papers.map((paper) => ({ subscriber_id: p.subscriber.id, paper_id: paper.id, outbox_id: id })),
            );
            await trx
              .insertInto('sent_papers')
              .values(sent)
              .onConflict((oc) => oc.columns(['subscriber_id', 'paper_id']).doNothing())
              .execute();
            result.composed++;
          }
        }
        // Only the pass that served this period moves the watermark, and only from where it read it: a second
        // composer running at once (serve beside `digest run`) must not skip papers the mail that went out never saw.
        let served = trx
          .updateTable('subscribers')
          .set({ last_period: p.period, digest_watermark: watermark ?? p.subscriber.digestWatermark })
          .where('id', '=', p.subscriber.id);
        served =
          p.subscriber.lastPeriod === null
            ? served.where('last_period', 'is', null)
            : served.where('last_period', '=', p.subscriber.lastPeriod);
        await served.execute();
      }
    });
    deps.log?.debug({ after, composed: result.composed }, 'digest batch composed');
  }
}

/** Papers listed up to this many days ago still count when they arrive after a reader's last digest (late batches). */
const LATE_DAYS = 14;

/**
 * Chooses each due subscriber's papers: one section per alert, then trending. A section ranks every paper of the
 * period that is new to the subscriber (entered its feed day after their last digest, and never sent to them) and
 * shows the best PER_SECTION not already shown above; how many matched is said and linked. Nothing new, no section.
 */
async function plan(
  deps: ComposeDeps,
  due: { subscriber: Subscriber; period: string }[],
  now: Date,
): Promise<Planned[]> {
  const alerts = await getAlerts(
    deps.db,
    due.map((d) => d.subscriber.id),
  );
  const candidates = await Promise.all(
    due.map(async ({ subscriber: s }) => {
      const to = localTime(now, s.timeZone).day;
      // Served before: whatever arrived since (listed up to LATE_DAYS before that); a first digest: the last day or week.
      const since = s.lastPeriod ? (s.digestWatermark ?? undefined) : undefined;
      const from = since
        ? addDays(to, -LATE_DAYS)
        : addDays(to, -(s.lastPeriod ? lookbackDays(s.frequency) : firstLookbackDays(s.frequency)));
      const period = { from, since };
      const lists: { kind: Section['kind']; label: string; url: string; ranked: Ranked }[] = [];
      // First what this reader's votes, saves and follows say, ranked below; then their alerts, then trending.
      if (s.accountId && deps.forYou)
        lists.push({
          kind: 'for-you',
          label: 'For you',
          url: `${deps.baseUrl}/for-you?${s.frequency === 'weekly' ? `week=${isoWeek(to)}` : `date=${to}`}`,
          ranked: await deps.sources.everything(period),
        });
      for (const a of alerts.get(s.id) ?? [])
        lists.push({
          kind: a.kind,
          ...describe(a, deps.baseUrl, from, to),
          ranked: await deps.sources.alert(a, period),
        });
      if (s.trending)
        lists.push({
          kind: 'trending',
          label: 'Trending',
          url: s.frequency === 'weekly' ? `${deps.baseUrl}/week/${isoWeek(to)}` : `${deps.baseUrl}/day/${to}`,
          ranked: await deps.sources.trending(period),
        });
      return lists;
    }),
  );
  // Papers new to each subscriber by the watermark; of those, the ones sent before (a first digest had none sent).
  const fresh = due.map((d, i) => {
    const since = d.subscriber.digestWatermark;
    return candidates[i]!.map(({ ranked }) =>
      since ? ranked.ids.filter((_, k) => ranked.feedAt[k]! > since) : ranked.ids,
    );
  });
  const served = due.filter((d) => d.subscriber.lastPeriod !== null);
  const sent = served.length
    ? await alreadySent(
        deps.db,
        served.map((d) => d.subscriber.id),
        [...new Set(due.flatMap((d, i) => (d.subscriber.lastPeriod !== null ? fresh[i]!.flat() : [])))],
      )
    : new Map<string, string[]>();
  return Promise.all(
    due.map(async (d, i) => {
      const before = new Set(sent.get(d.subscriber.id));
      const shown = new Set<string>();
      const sections: Planned['sections'] = [];
      for (const [j, { ranked, ...l }] of candidates[i]!.entries()) {
        let unsent = before.size ? fresh[i]![j]!.filter((id) => !before.has(id)) : fresh[i]![j]!;
        let notes: Record<string, string> | undefined;
        if (l.kind === 'for-you') {
          const mine = await forYou(deps, d.subscriber, alerts.get(d.subscriber.id) ?? [], unsent);
          if (!mine) continue;
          unsent = mine.ids;
          notes = mine.notes;
        }
        const ids = unsent.filter((id) => !shown.has(id)).slice(0, PER_SECTION);
        for (const id of ids) shown.add(id);
        if (ids.length)
          sections.push({ ...l, ids, matched: unsent.length, capped: ranked.capped, ...(notes ? { notes } : {}) });
      }
      return { ...d, sections };
    }),
  );
}

/**
 * The papers new to an account's subscriber, ranked for them (src/foryou/), each with why in a few words; undefined
 * for a reader it knows nothing about yet (no votes, saves or follows: its ranking would be trending again).
 */
async function forYou(
  deps: ComposeDeps,
  s: Subscriber,
  alerts: Alert[],
  ids: string[],
): Promise<{ ids: string[]; notes: Record<string, string> } | undefined> {
  if (!deps.forYou || !s.accountId || ids.length === 0) return undefined;
  const follows = {
    authors: new Set(alerts.filter((a) => a.kind === 'author').map((a) => authorKey(a.value))),
    categories: new Set(alerts.filter((a) => a.kind === 'category').map((a) => a.value)),
  };
  let ranked: Awaited<ReturnType<ForYou['rank']>>;
  try {
    const saved = await savedSignals(deps.db, s.accountId);
    ranked = await (await deps.forYou()).rank(s.accountId, ids, { follows, saved });
  } catch (error) {
    // The other sections go out all the same: For you is a bonus, not a reason to hold a reader's digest.
    deps.log?.error({ err: error }, `for-you ranking failed for a digest: ${String(error)}`);
    return undefined;
  }
  if (ranked.every((r) => r.reasons.every((why) => why.kind === 'trending'))) return undefined;
  const notes: Record<string, string> = {};
  for (const r of ranked.slice(0, PER_SECTION * 3)) {
    const why = r.reasons.find((x) => x.kind !== 'category' && x.kind !== 'trending' && x.kind !== 'not-interested');
    if (why?.kind === 'closest') notes[r.paperId] = `Close to “${why.title}”, which you liked`;
    else if (why?.kind === 'followed-author') notes[r.paperId] = `You follow ${why.author}`;
    else if (why?.kind === 'followed-category') notes[r.paperId] = `You follow ${why.category}`;
    else if (why?.kind === 'words') notes[r.paperId] = `For the words ${why.words.slice(0, 4).join(', ')}`;
  }
  return {
    ids: ranked.filter((r) => !r.reasons.some((x) => x.kind === 'not-interested')).map((r) => r.paperId),
    notes,
  };
}

function describe(a: Alert, baseUrl: string, from: string, to: string): { label: string; url: string } {
  if (a.kind === 'category') {
    const q = new URLSearchParams({ cat: a.value, from, to, sort: 'date' });
    return { label: a.value, url: `${baseUrl}/search?${q}` };
  }
  if (a.kind === 'author') return { label: a.value, url: `${baseUrl}/authors/${encodeURIComponent(a.value)}` };
  const params = new URLSearchParams(a.value);
  const label = params.get('q') || params.get('cat') || a.value;
  params.set('from', from);
  params.set('to', to);
  return { label, url: `${baseUrl}/search?${params}` };
}

const CHUNK = 500;

async function alreadySent(db: Db, subscribers: string[], papers: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < papers.length; i += CHUNK) {
    const rows = await db
      .selectFrom('sent_papers')
      .select(['subscriber_id', 'paper_id'])
      .where('subscriber_id', 'in', subscribers)
      .where('paper_id', 'in', papers.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) {
      const list = out.get(r.subscriber_id);
      if (list) list.push(r.paper_id);
      else out.set(r.subscriber_id, [r.paper_id]);
    }
  }
  return out;
}
