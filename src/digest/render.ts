import { arxivLinks } from '../model/arxiv-id.js';
import { escapeHtml } from '../model/html.js';
import type { Paper } from '../model/paper.js';
import { authorKey } from '../model/record.js';
import { texToUnicode } from '../model/tex-unicode.js';
import type { Frequency } from './due.js';
import type { AlertKind } from './subscribers.js';

export interface Section {
  kind: 'for-you' | 'trending' | AlertKind;
  /** What the list is about: "Trending", a category, an author, a search's words. */
  label: string;
  /** Where the whole list of the period lives on the site. */
  url: string;
  /** The best of the period not shown in an earlier section, best first. */
  papers: Paper[];
  /** How many papers of the period matched (those shown included). */
  matched: number;
  /** Whether more matched than were read: `matched` is a lower bound. */
  capped: boolean;
  /** Why a paper is in this reader's section (For you), by paper id. */
  notes?: Record<string, string> | undefined;
}

export interface DigestContent {
  frequency: Frequency;
  /** YYYY-MM-DD, the subscriber's local day. */
  day: string;
  sections: Section[];
  baseUrl: string;
  preferencesUrl: string;
  unsubscribeUrl: string;
}

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
  /** The sections as sent: fewer papers than asked for when the mail would have been too large. */
  sections: Section[];
}

/** Gmail clips a message's HTML past about 102 KB, hiding what follows (the unsubscribe link): stay well below. */
export const HTML_BUDGET = 95_000;
/** Subjects past this are cut by most inboxes, on phones first. */
export const SUBJECT_CHARS = 80;
/** Abstracts end at the last sentence that ends within this many characters. */
export const ABSTRACT_CHARS = 500;

/** The digest as one mail: subject, HTML and text; papers are dropped from the longest sections until it fits. */
export function renderDigest(content: DigestContent): RenderedDigest {
  let sections = content.sections;
  for (let attempt = 0; ; attempt++) {
    const c = { ...content, sections };
    const subject = subjectOf(c);
    const html = renderHtml(c, subject);
    const size = Buffer.byteLength(html);
    if (size <= HTML_BUDGET || attempt >= 4) return { subject, html, text: renderText(c), sections };
    sections = trim(sections, size - HTML_BUDGET, content.baseUrl);
  }
}

/** Takes papers off the ends of the longest sections until about `excess` bytes of their rows are gone. */
function trim(sections: Section[], excess: number, baseUrl: string): Section[] {
  const out = sections.map((s) => ({ ...s, papers: [...s.papers] }));
  let removed = 0;
  while (removed < excess) {
    const longest = out.reduce((a, b) => (b.papers.length > a.papers.length ? b : a));
    if (longest.papers.length <= 1) break;
    const p = longest.papers.pop()!;
    removed += Buffer.byteLength(paperRow(p, baseUrl, longest));
  }
  return out;
}

/** A sentence-ended abstract of at most ABSTRACT_CHARS (a word-ended one when its first sentence is longer). */
export function shorten(s: string, max = ABSTRACT_CHARS): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max + 1);
  const sentence = /^[\s\S]*[.!?](?=\s)/.exec(cut)?.[0];
  if (sentence && sentence.length >= max / 3) return sentence;
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20))}…`;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
});
const dayLabel = (day: string) => dayFormat.format(new Date(`${day}T12:00:00Z`));

/** A paper's row is the same in every subscriber's mail (papers are shared within a pass): rendered once. */
const htmlRows = new WeakMap<Paper, string>();
const textRows = new WeakMap<Paper, string>();

const title = (p: Paper) => texToUnicode(p.title);
const votes = (p: Paper) => p.upvotes + p.communityUpvotes;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function sectionTitle(s: Section, frequency: Frequency): string {
  if (s.kind === 'for-you') return 'For you';
  if (s.kind === 'trending') return frequency === 'weekly' ? 'Trending this week' : 'Trending';
  if (s.kind === 'search') return `“${s.label}”`;
  if (s.kind === 'author') return `New from ${s.label}`;
  return `New in ${s.label}`;
}

/** "10 of 249 new papers" or "3 new papers". */
function countLine(s: Section): string {
  const matched = `${s.matched}${s.capped ? '+' : ''}`;
  return s.matched > s.papers.length
    ? `${s.papers.length} of ${matched} new papers`
    : plural(s.papers.length, 'new paper');
}

const more = (s: Section) => (s.matched > s.papers.length ? s.matched - s.papers.length : 0);

/**
 * Leads with the top paper (what makes a reader open it), then how many more: at most SUBJECT_CHARS.
 * "Sparse attention at scale — and 23 more papers".
 */
export function subjectOf(c: DigestContent): string {
  const top = c.sections[0]?.papers[0];
  const total = c.sections.reduce((n, s) => n + s.matched, 0);
  const tail = total > 1 ? ` — and ${plural(total - 1, 'more paper')}` : '';
  const lead = oneLine(top ? title(top) : 'Your papers');
  const room = SUBJECT_CHARS - tail.length;
  return `${lead.length <= room ? lead : `${lead.slice(0, Math.max(lead.lastIndexOf(' ', room - 1), room - 15))}…`}${tail}`;
}

/** The line an inbox shows after the subject: what each section holds. */
export function preheader(c: DigestContent): string {
  const period = c.frequency === 'weekly' ? 'this week' : dayLabel(c.day);
  return `${period}: ${c.sections.map((s) => `${sectionTitle(s, c.frequency)} (${s.matched}${s.capped ? '+' : ''})`).join(' · ')}`;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The authors, the followed one named even when far down the list ("A, B, C … Preslav Nakov"). */
function authorLine(p: Paper, follow: string | undefined): { names: string[]; marked: number } {
  const key = follow ? authorKey(follow) : '';
  const at = key ? p.authors.findIndex((a) => authorKey(a) === key) : -1;
  const first = p.authors.slice(0, 3);
  if (at < 0 || at < 3) {
    const names = p.authors.length > 3 ? [...first, 'et al.'] : first;
    return { names, marked: at };
  }
  return { names: [...first, '…', p.authors[at]!, ...(at < p.authors.length - 1 ? ['et al.'] : [])], marked: 4 };
}

function links(p: Paper, baseUrl: string): { label: string; href: string }[] {
  const arxiv = arxivLinks(p.id);
  const code = p.githubRepo ?? p.codeUrls[0];
  return [
    { label: 'Paperboy', href: `${baseUrl}/papers/${p.id}` },
    ...(arxiv
      ? [
          { label: 'arXiv', href: arxiv.abs },
          { label: 'PDF', href: arxiv.pdf },
        ]
      : []),
    ...(code ? [{ label: 'Code', href: code }] : []),
  ];
}

function textRow(p: Paper, baseUrl: string, s: Section): string {
  const { names } = authorLine(p, s.kind === 'author' ? s.label : undefined);
  const meta = [
    names.join(', ').replace(', et al.', ' et al.').replace(', …,', ' …'),
    votes(p) > 0 ? `▲ ${votes(p)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const note = s.notes?.[p.id];
  return [
    `* ${oneLine(title(p))}`,
    ...(note ? [`  ${oneLine(texToUnicode(note))}`] : []),
    `  ${meta}`,
    ...links(p, baseUrl).map((l) => `  ${l.label}: ${l.href}`),
    `  ${shorten(texToUnicode(p.abstract))}`,
    '',
  ].join('\n');
}

export function renderText(c: DigestContent): string {
  const lines: string[] = [preheader(c), ''];
  for (const s of c.sections) {
    lines.push(sectionTitle(s, c.frequency).toUpperCase(), countLine(s), '');
    for (const p of s.papers)
      lines.push(personal(s) ? textRow(p, c.baseUrl, s) : cached(textRows, p, () => textRow(p, c.baseUrl, s)));
    if (more(s)) lines.push(`And ${more(s)}${s.capped ? '+' : ''} more: ${s.url}`, '');
  }
  lines.push('--', `Change what you get: ${c.preferencesUrl}`, `Unsubscribe in one click: ${c.unsubscribeUrl}`, '');
  return lines.join('\n');
}

/** Rows that differ from one reader to the next (a followed author marked, why a paper is for you): not cached. */
const personal = (s: Section) => s.kind === 'author' || s.notes !== undefined;

function cached(cache: WeakMap<Paper, string>, p: Paper, render: () => string): string {
  let v = cache.get(p);
  if (v === undefined) cache.set(p, (v = render()));
  return v;
}

// Tables and inline styles for clients that ignore <style> (Gmail apps, Outlook); the <style> block adds a dark
// palette for clients that honour prefers-color-scheme (Apple Mail, Outlook.com); the rest invert on their own.
const C = { text: '#1f2328', muted: '#59636e', link: '#0b57d0', rule: '#d1d9e0', bg: '#ffffff', vote: '#bc4c00' };
/** Long words (a formula, an address) wrap instead of widening the mail past a phone's screen. */
const WRAP = 'overflow-wrap:anywhere;word-break:break-word;';

function paperRow(p: Paper, baseUrl: string, s: Section): string {
  const { names, marked } = authorLine(p, s.kind === 'author' ? s.label : undefined);
  const authors = names
    .map((n, i) => (i === marked ? `<strong>${escapeHtml(n)}</strong>` : escapeHtml(n)))
    .join(', ')
    .replace(', et al.', ' et al.')
    .replace(', …,', ' …');
  const vote =
    votes(p) > 0 ? ` &middot; <span class="pb-vote" style="color:${C.vote};">&#9650; ${votes(p)}</span>` : '';
  const linkRow = links(p, baseUrl)
    .map(
      (l) =>
        `<a class="pb-link" href="${escapeHtml(l.href)}" style="color:${C.link};text-decoration:none;">${escapeHtml(l.label)}</a>`,
    )
    .join(' &middot; ');
  return `<tr><td class="pb-paper" style="padding:12px 0;border-bottom:1px solid ${C.rule};${WRAP}">
<a class="pb-title" href="${escapeHtml(`${baseUrl}/papers/${p.id}`)}" style="color:${C.text};font-size:16px;font-weight:bold;text-decoration:none;${WRAP}">${escapeHtml(oneLine(title(p)))}</a>
${
  s.notes?.[p.id]
    ? `<div class="pb-muted" style="color:${C.muted};font-size:13px;padding-top:2px;font-style:italic;${WRAP}">${escapeHtml(oneLine(texToUnicode(s.notes[p.id]!)))}</div>
`
    : ''
}<div class="pb-muted" style="color:${C.muted};font-size:13px;padding-top:2px;">${authors}${vote}</div>
<div style="font-size:14px;line-height:1.45;padding-top:4px;${WRAP}">${escapeHtml(shorten(texToUnicode(p.abstract)))}</div>
<div style="font-size:13px;padding-top:4px;">${linkRow}</div>
</td></tr>`;
}

export function renderHtml(c: DigestContent, subject: string): string {
  const sections = c.sections
    .map((s) => {
      const rows = s.papers.map((p) =>
        personal(s) ? paperRow(p, c.baseUrl, s) : cached(htmlRows, p, () => paperRow(p, c.baseUrl, s)),
      );
      const rest = more(s)
        ? `<tr><td style="padding:10px 0 0;font-size:14px;"><a class="pb-link" href="${escapeHtml(s.url)}" style="color:${C.link};">And ${more(s)}${s.capped ? '+' : ''} more on the site &rarr;</a></td></tr>`
        : '';
      return `<tr><td style="padding:24px 0 4px;${WRAP}">
<h2 style="margin:0;font-size:18px;"><a class="pb-title" href="${escapeHtml(s.url)}" style="color:${C.text};text-decoration:none;">${escapeHtml(sectionTitle(s, c.frequency))}</a></h2>
<div class="pb-muted" style="color:${C.muted};font-size:13px;">${escapeHtml(countLine(s))}</div>
</td></tr>
${rows.join('\n')}
${rest}`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">
<title>${escapeHtml(subject)}</title>
<style>
@media (prefers-color-scheme: dark) {
  .pb-body, .pb-main { background:#0d1117 !important; color:#e6edf3 !important; }
  .pb-title { color:#e6edf3 !important; } .pb-link { color:#7cb7ff !important; } .pb-muted { color:#9198a1 !important; }
  .pb-vote { color:#ffa657 !important; } .pb-paper { border-color:#3d444d !important; }
}
</style></head>
<body class="pb-body" style="margin:0;padding:0;background:${C.bg};color:${C.text};font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${escapeHtml(preheader(c))}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" class="pb-main" style="background:${C.bg};">
<tr><td align="center" style="padding:16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:640px;table-layout:fixed;">
<tr><td style="padding-bottom:8px;"><a class="pb-title" href="${escapeHtml(c.baseUrl)}/" style="color:${C.text};font-size:20px;font-weight:bold;text-decoration:none;">Paperboy</a>
<span class="pb-muted" style="color:${C.muted};font-size:14px;"> &middot; ${escapeHtml(c.frequency === 'weekly' ? `week to ${dayLabel(c.day)}` : dayLabel(c.day))}</span></td></tr>
${sections}
<tr><td class="pb-muted" style="padding:24px 0;color:${C.muted};font-size:12px;line-height:1.5;${WRAP}">
You get this ${c.frequency === 'weekly' ? 'weekly' : 'daily'} digest because you subscribed on ${escapeHtml(c.baseUrl)}.<br>
<a class="pb-link" href="${escapeHtml(c.preferencesUrl)}" style="color:${C.link};">Change what you get</a> &middot;
<a class="pb-link" href="${escapeHtml(c.unsubscribeUrl)}" style="color:${C.link};">Unsubscribe</a>
</td></tr>
</table></td></tr></table>
</body></html>`;
}
