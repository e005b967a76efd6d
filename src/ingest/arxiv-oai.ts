import { isArxivCategory, parseArxivId } from '../model/arxiv-id.js';
import type { PaperRecord, ParsedEntry } from '../model/record.js';
import { findCodeLinks } from './code-links.js';
import { SourceError } from './errors.js';
import type { Fetcher } from './http.js';
import { attr, child, children, parseXml, text, unique } from './xml.js';

export interface OaiPage {
  entries: ParsedEntry[];
  /** Absent when the list is complete. */
  resumptionToken?: string | undefined;
  completeListSize?: number | undefined;
  cursor?: number | undefined;
}

export interface HarvestOptions {
  fetcher: Fetcher;
  /** The OAI-PMH endpoint, like https://oaipmh.arxiv.org/oai. */
  baseUrl: string;
  /** An OAI setSpec (`cs`, `cs:cs:AI`, `physics:astro-ph`); see oaiSetForCategory. */
  set?: string | undefined;
  /** YYYY-MM-DD bounds on the record datestamp (the last change to the metadata, not the submission date). */
  from?: string | undefined;
  until?: string | undefined;
  /** Resume an interrupted harvest. */
  resumptionToken?: string | undefined;
  metadataPrefix?: 'arXiv' | undefined;
}

/** Parses one ListRecords response in arXiv's `arXiv` metadata format. Deleted records are left out. */
export function parseOaiListRecords(xml: string): OaiPage {
  const doc = parseXml(xml, 'The arXiv OAI-PMH response', ['record', 'author', 'error']);
  const root = child(doc, 'OAI-PMH');
  if (!root) {
    throw new SourceError('parse', 'The arXiv OAI-PMH response has no <OAI-PMH> element. Check the OAI-PMH URL.');
  }
  const errors = children(root, 'error');
  if (errors.length > 0) {
    // noRecordsMatch is how OAI-PMH says "nothing changed in that range": an empty list, not a failure.
    if (errors.some((e) => attr(e, 'code') === 'noRecordsMatch')) return { entries: [] };
    throw oaiError(errors[0]);
  }
  const list = child(root, 'ListRecords');
  if (!list) throw new SourceError('parse', 'The arXiv OAI-PMH response has neither <ListRecords> nor <error>.');

  const entries: ParsedEntry[] = [];
  children(list, 'record').forEach((record, i) => {
    const header = child(record, 'header');
    if (attr(header, 'status') === 'deleted') return;
    entries.push(toEntry(record, `record ${i + 1}`));
  });
  const token = child(list, 'resumptionToken');
  return {
    entries,
    resumptionToken: text(token),
    completeListSize: count(attr(token, 'completeListSize')),
    cursor: count(attr(token, 'cursor')),
  };
}

function toEntry(record: unknown, position: string): ParsedEntry {
  const header = child(record, 'header');
  const meta = child(child(record, 'metadata'), 'arXiv');
  if (!meta)
    return { ok: false, error: 'record has no arXiv metadata (was metadataPrefix=arXiv requested?)', position };
  const rawId = text(meta, 'id') ?? text(header, 'identifier');
  const parsedId = rawId === undefined ? undefined : parseArxivId(rawId);
  if (!parsedId)
    return { ok: false, error: rawId ? `unrecognised arXiv id "${rawId}"` : 'record has no <id>', position };
  const title = text(meta, 'title');
  if (title === undefined) return { ok: false, error: `record ${parsedId.id} has no title`, position };

  const abstract = text(meta, 'abstract') ?? '';
  const comment = text(meta, 'comments');
  const categories = unique((text(meta, 'categories') ?? '').split(' ').filter(isArxivCategory));
  const created = text(meta, 'created');
  const paper: PaperRecord = {
    id: parsedId.id,
    source: 'arxiv-oai',
    title,
    abstract,
    authors: children(child(meta, 'authors'), 'author')
      .map(authorName)
      .filter((n) => n !== ''),
    primaryCategory: categories[0],
    categories,
    comment,
    journalRef: text(meta, 'journal-ref'),
    // Several DOIs come separated by spaces; the store keeps one.
    doi: text(meta, 'doi')?.split(' ')[0],
    submittedAt: created,
    updatedAt: text(meta, 'updated') ?? created,
    listedOn: listingDay(created, text(header, 'datestamp')),
    codeUrls: findCodeLinks(abstract, comment),
  };
  return { ok: true, record: paper, position };
}

/**
 * The datestamp is the last change to a record. Within a week of the paper's creation that change is its first
 * announcement, which is the listing day; later it is a revision or a metadata fix, which is not.
 */
function listingDay(created: string | undefined, datestamp: string | undefined): string | undefined {
  if (!created || !datestamp) return undefined;
  const days = (Date.parse(datestamp) - Date.parse(created)) / 86_400_000;
  return days >= 0 && days <= 7 ? datestamp : undefined;
}

function authorName(author: unknown): string {
  return [text(author, 'forenames'), text(author, 'keyname'), text(author, 'suffix')].filter(Boolean).join(' ');
}

const ERROR_HINTS: Record<string, string> = {
  badResumptionToken: 'The resumption token has expired or is invalid: start the harvest again from its from-date.',
  badArgument: 'Check the set, from and until values (dates are YYYY-MM-DD).',
  cannotDisseminateFormat: 'Use metadataPrefix=arXiv.',
  badVerb: 'Check that the OAI-PMH URL points at an OAI-PMH endpoint.',
};

function oaiError(error: unknown): SourceError {
  const code = attr(error, 'code') ?? 'unknown';
  const description = text(error) ?? '';
  const hint = ERROR_HINTS[code] ?? 'Check the harvest settings.';
  return new SourceError('remote-error', `arXiv OAI-PMH error ${code}: ${description} ${hint}`.replace(/\s+/g, ' '));
}

function count(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Harvests ListRecords page by page, following resumption tokens until the list is complete.
 * A request with a token carries only the verb and the token, as OAI-PMH requires.
 */
export async function* harvestOai(opts: HarvestOptions): AsyncGenerator<OaiPage> {
  let token = opts.resumptionToken;
  for (;;) {
    const url = new URL(opts.baseUrl);
    url.searchParams.set('verb', 'ListRecords');
    if (token !== undefined) {
      url.searchParams.set('resumptionToken', token);
    } else {
      url.searchParams.set('metadataPrefix', opts.metadataPrefix ?? 'arXiv');
      if (opts.set) url.searchParams.set('set', opts.set);
      if (opts.from) url.searchParams.set('from', opts.from);
      if (opts.until) url.searchParams.set('until', opts.until);
    }
    const page = await fetchPage(opts.fetcher, url.toString());
    yield page;
    if (page.resumptionToken === undefined) return;
    if (page.resumptionToken === token) {
      throw new SourceError(
        'remote-error',
        `arXiv OAI-PMH returned the same resumption token twice (${token}); stopping to avoid a loop. Try again later.`,
      );
    }
    token = page.resumptionToken;
  }
}

async function fetchPage(fetcher: Fetcher, url: string): Promise<OaiPage> {
  const res = await fetcher.getText(url);
  if (res.status >= 200 && res.status < 300) return parseOaiListRecords(res.body);
  // Some OAI-PMH servers send protocol errors with a 4xx status; report those by their OAI code.
  let cause: unknown;
  try {
    return parseOaiListRecords(res.body);
  } catch (error) {
    if (error instanceof SourceError && error.code === 'remote-error') throw error;
    cause = error;
  }
  throw new SourceError('http', `HTTP ${res.status} from ${url}. Check the OAI-PMH URL (PAPERBOY_ARXIV_OAI_URL).`, {
    cause,
  });
}

/**
 * The OAI-PMH setSpec for an arXiv category or archive, following arXiv's OAI-PMH service
 * (github.com/arXiv/oaipmh, processors/create_set_list.py): `group:archive:SUBJECT` for a category,
 * `group:archive` for an archive, `group` for a group. Physics archives sit in the `physics` group; every
 * other archive is its own group. `cs.AI` → `cs:cs:AI`, `astro-ph` → `physics:astro-ph`,
 * `astro-ph.GA` → `physics:astro-ph:GA`. A setSpec (containing `:`) and a bare group name are returned as given;
 * `physics` means the whole group.
 */
export function oaiSetForCategory(code: string): string {
  if (code.includes(':') || GROUPS.has(code)) return code;
  const [, archive = '', subject] = /^([a-z][a-z-]*)(?:\.([A-Za-z][A-Za-z-]+))?$/.exec(code) ?? [];
  const group = PHYSICS_ARCHIVES.has(archive) ? 'physics' : GROUPS.has(archive) ? archive : undefined;
  if (!group) {
    throw new SourceError(
      'input',
      `"${code}" is not an arXiv category or archive: use one like cs.AI, math, or astro-ph.`,
    );
  }
  return subject === undefined ? `${group}:${archive}` : `${group}:${archive}:${subject}`;
}

const GROUPS = new Set(['cs', 'econ', 'eess', 'math', 'physics', 'q-bio', 'q-fin', 'stat']);
const PHYSICS_ARCHIVES = new Set([
  'astro-ph',
  'cond-mat',
  'gr-qc',
  'hep-ex',
  'hep-lat',
  'hep-ph',
  'hep-th',
  'math-ph',
  'nlin',
  'nucl-ex',
  'nucl-th',
  'physics',
  'quant-ph',
]);
