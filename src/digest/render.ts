import { escapeHtml } from '../model/html.js';
import type { Paper } from '../model/paper.js';
import type { Frequency } from './due.js';
import type { AlertKind } from './subscribers.js';

export interface Section {
  kind: 'trending' | AlertKind;
  /** What the list is about: "Trending", a category, an author, a search's words. */
  label: string;
  /** Where the list lives on the site. */
  url: string;
  papers: Paper[];
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

const ABSTRACT_CHARS = 280;

export function shorten(s: string, max = ABSTRACT_CHARS): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20))}…`;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
});

function dayLabel(day: string): string {
  return dayFormat.format(new Date(`${day}T12:00:00Z`));
}

/** A paper renders the same in every subscriber's mail: once per paper object (papers are shared within a pass). */
function once(cache: WeakMap<Paper, string>, p: Paper, render: () => string): string {
  let v = cache.get(p);
  if (v === undefined) {
    v = render();
    cache.set(p, v);
  }
  return v;
}
const htmlRows = new WeakMap<Paper, string>();
const textRows = new WeakMap<Paper, string>();

const sectionTitle = (s: Section) =>
  s.kind === 'trending' ? 'Trending papers' : s.kind === 'search' ? `New for “${s.label}”` : `New in ${s.label}`;

/** Says what is inside: how many papers, which alerts matched, and the top title. */
export function subject(c: DigestContent): string {
  const total = c.sections.reduce((n, s) => n + s.papers.length, 0);
  const alerts = c.sections.filter((s) => s.kind !== 'trending').map((s) => `${s.label} (${s.papers.length})`);
  const first = c.sections[0]?.papers[0]?.title ?? '';
  const head = `${c.frequency === 'weekly' ? 'Your weekly papers' : 'Your daily papers'}, ${dayLabel(c.day)}: ${total} new`;
  const what = alerts.length
    ? ` · alerts: ${alerts.slice(0, 3).join(', ')}${alerts.length > 3 ? ` +${alerts.length - 3}` : ''}`
    : '';
  return `${head}${what} · ${shorten(first, 70)}`;
}

function codeUrl(p: Paper): string | undefined {
  return p.githubRepo ?? p.codeUrls[0];
}

function textRow(p: Paper, baseUrl: string): string {
  const code = codeUrl(p);
  const lines = [
    `* ${p.title}`,
    `  ${baseUrl}/papers/${p.id}`,
    `  ▲ ${p.upvotes + p.communityUpvotes} · ${p.authors.slice(0, 3).join(', ')}${p.authors.length > 3 ? ' et al.' : ''}`,
  ];
  if (code) lines.push(`  Code: ${code}`);
  lines.push(`  ${shorten(p.abstract)}`, '');
  return lines.join('\n');
}

export function renderText(c: DigestContent): string {
  const lines: string[] = [];
  for (const s of c.sections) {
    lines.push(sectionTitle(s).toUpperCase(), `${s.url}`, '');
    for (const p of s.papers) lines.push(once(textRows, p, () => textRow(p, c.baseUrl)));
  }
  lines.push('--', `Change what you get: ${c.preferencesUrl}`, `Unsubscribe in one click: ${c.unsubscribeUrl}`, '');
  return lines.join('\n');
}

// Tables and inline styles for clients that ignore <style> (Gmail apps, Outlook); the <style> block adds a dark
// palette for clients that honour prefers-color-scheme (Apple Mail, Outlook.com); the rest invert on their own.
const C = { text: '#1f2328', muted: '#59636e', link: '#0b57d0', rule: '#d1d9e0', bg: '#ffffff', code: '#1a7f37' };

function paperRow(p: Paper, baseUrl: string): string {
  const code = codeUrl(p);
  const authors = `${p.authors.slice(0, 3).join(', ')}${p.authors.length > 3 ? ' et al.' : ''}`;
  return `<tr><td class="pb-paper" style="padding:12px 0;border-bottom:1px solid ${C.rule};">
<a class="pb-link" href="${escapeHtml(`${baseUrl}/papers/${p.id}`)}" style="color:${C.link};font-size:16px;font-weight:bold;text-decoration:none;">${escapeHtml(p.title)}</a>
<div class="pb-muted" style="color:${C.muted};font-size:13px;padding-top:2px;">&#9650; ${p.upvotes + p.communityUpvotes} &middot; ${escapeHtml(authors)}${code ? ` &middot; <a class="pb-code" href="${escapeHtml(code)}" style="color:${C.code};">Code</a>` : ''}</div>
<div style="font-size:14px;line-height:1.45;padding-top:4px;">${escapeHtml(shorten(p.abstract))}</div>
</td></tr>`;
}

export function renderHtml(c: DigestContent, title: string): string {
  const sections = c.sections
    .map(
      (s) => `<tr><td style="padding:24px 0 4px;">
<h2 style="margin:0;font-size:18px;"><a class="pb-link" href="${escapeHtml(s.url)}" style="color:${C.text};text-decoration:none;">${escapeHtml(sectionTitle(s))}</a></h2>
</td></tr>
${s.papers.map((p) => once(htmlRows, p, () => paperRow(p, c.baseUrl))).join('\n')}`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">
<title>${escapeHtml(title)}</title>
<style>
@media (prefers-color-scheme: dark) {
  .pb-body, .pb-main { background:#0d1117 !important; color:#e6edf3 !important; }
  .pb-link { color:#7cb7ff !important; } .pb-muted { color:#9198a1 !important; } .pb-code { color:#56d364 !important; }
  .pb-paper { border-color:#3d444d !important; }
}
</style></head>
<body class="pb-body" style="margin:0;padding:0;background:${C.bg};color:${C.text};font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" class="pb-main" style="background:${C.bg};">
<tr><td align="center" style="padding:16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:640px;">
<tr><td style="padding-bottom:8px;"><a class="pb-link" href="${escapeHtml(c.baseUrl)}/" style="color:${C.text};font-size:20px;font-weight:bold;text-decoration:none;">Paperboy</a>
<span class="pb-muted" style="color:${C.muted};font-size:14px;"> &middot; ${escapeHtml(dayLabel(c.day))}</span></td></tr>
${sections}
<tr><td class="pb-muted" style="padding:24px 0;color:${C.muted};font-size:12px;line-height:1.5;">
You get this ${c.frequency === 'weekly' ? 'weekly' : 'daily'} digest because you subscribed on ${escapeHtml(c.baseUrl)}.<br>
<a class="pb-link" href="${escapeHtml(c.preferencesUrl)}" style="color:${C.link};">Change what you get</a> &middot;
<a class="pb-link" href="${escapeHtml(c.unsubscribeUrl)}" style="color:${C.link};">Unsubscribe</a>
</td></tr>
</table></td></tr></table>
</body></html>`;
}
