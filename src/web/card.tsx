import { html, raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { humanDay } from '../model/dates.js';
import { webUrl } from '../model/html.js';
import type { Paper } from '../model/paper.js';
import { thumbnailPath } from '../store/thumbnails.js';
import { Avatar } from './avatar.js';
import { Authors, categoryPath, paperPath, userPath } from './components.js';
import { renderTitle } from './math.js';

export const upvotePath = (id: string) => `/papers/${id}/upvote`;
export const savePath = (id: string) => `/papers/${id}/save`;

/** Categories a card shows as chips; the rest are counted ("+2"). The paper page shows them all. */
const CARD_CATEGORIES = 3;
/** Words of the title on the placeholder of a paper without a thumbnail. */
const PLACEHOLDER_WORDS = 9;

/**
 * A paper's title as a page shows it, its TeX drawn (src/web/math.ts): cards and the paper page. `highlighted` is the
 * title as search marked it.
 */
export function PaperTitle(props: { paper: Paper; highlighted?: string | undefined }) {
  return raw(renderTitle(props.paper.title, props.highlighted));
}

/** 1234 as "1.2k": counts beside icons, where the exact figure is in the label. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 999_500) return `${(n / 1000).toFixed(n < 9950 ? 1 : 0).replace(/\.0$/, '')}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

const countOf = (n: number, noun: string) => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;

/**
 * The upvote button: a plain form (src/web/pages/upvote.ts), enhanced by app.js. The empty token and `aria-pressed` are
 * filled in for a signed-in visitor by src/web/personalize.ts; signed out, the form leads to sign-in. `label` shows the
 * word "Upvote" beside the count (the paper page).
 */
export function UpvoteForm(props: { paper: Paper; label?: boolean }) {
  const p = props.paper;
  const total = p.upvotes + p.communityUpvotes;
  return html`<form class="${props.label ? 'votes labelled' : 'votes'}" method="post" action="${upvotePath(p.id)}" data-upvote="true"><input type="hidden" name="csrf" value="" data-upvote-csrf="true"/><button type="submit" aria-pressed="false" data-paper="${p.id}" title="Upvote" aria-label="Upvote (${total} upvotes)">${props.label ? html`<span class="word">Upvote</span>` : ''}<strong data-count="true">${total}</strong></button></form>`;
}

/**
 * Save: puts the paper in the reader's reading list, or takes it out (src/web/pages/library-actions.tsx); a plain form
 * enhanced by app.js like the upvote. The token and `aria-pressed` are filled in for a signed-in visitor by
 * src/web/personalize.ts; signed out, the form leads to sign-in and back.
 */
export function SaveForm(props: { paper: Paper }) {
  return html`<form class="save" method="post" action="${savePath(props.paper.id)}" data-save="true"><input type="hidden" name="csrf" value="" data-csrf="true"/><button type="submit" class="stat" aria-pressed="false" data-save="${props.paper.id}" title="Save to your library"><span class="word">Save</span></button></form>`;
}

/** The submitter: a link to their profile when they submitted here, the Hugging Face name otherwise. */
export function Submitter(props: { paper: Paper }) {
  const p = props.paper;
  return p.provenance.submittedBy === 'community' && p.submittedBy
    ? html`<a href="${userPath(p.submittedBy)}">${p.submittedBy}</a>`
    : html`${p.submittedBy}`;
}

/** "submitted by" with the submitter's avatar and name. */
export function Byline(props: { paper: Paper }) {
  const by = props.paper.submittedBy;
  if (!by) return null;
  return html`<span class="byline">submitted by ${Avatar({ name: by })} ${Submitter(props)}</span>`;
}

/** The paper's code: its GitHub repository with its stars when known, else the first code link. */
export function CodeLink(props: { paper: Paper }) {
  const p = props.paper;
  const href = webUrl(p.githubRepo) ?? p.codeUrls.find((url) => webUrl(url));
  if (!href) return null;
  const stars = p.githubStars;
  return html`<a class="stat code" href="${href}" rel="nofollow noopener">Code${
    stars !== null && stars !== undefined
      ? html` <span class="star" aria-hidden="true">★</span> <span title="${countOf(stars, 'star')}">${compactCount(stars)}</span> <span class="vh">${stars === 1 ? 'star' : 'stars'}</span>`
      : ''
  }</a>`;
}

/** Broad arXiv archives, each with its own tint for the placeholders of papers without a thumbnail. */
const TINTS: Record<string, string> = {
  cs: 'cs',
  math: 'math',
  stat: 'stat',
  eess: 'eess',
  econ: 'econ',
  'q-bio': 'bio',
  'q-fin': 'fin',
};
const tintOf = (category: string | null) => (category ? (TINTS[category.split('.')[0]!] ?? 'phys') : 'none');

/**
 * A paper's first page: the stored image in a box of fixed shape (so nothing moves as it loads), or, until there is
 * one, a page of the same shape with the paper's category and first words. On a card it is decoration (the title's
 * link covers it, app.css); with `pdf` (the paper page) the image is a link to the PDF.
 */
export function Thumbnail(props: { paper: Paper; large?: boolean; pdf?: string | undefined }) {
  const p = props.paper;
  const t = p.thumbnail;
  const cls = props.large ? 'thumb large' : 'thumb';
  if (t && props.pdf)
    return html`<a class="${cls}" href="${props.pdf}" rel="nofollow noopener">${firstPage(p, 'The first page (PDF)')}</a>`;
  if (t) return html`<div class="${cls}" aria-hidden="true">${firstPage(p, '')}</div>`;
  const words = plainWords(p.title);
  return html`<div class="${cls}" aria-hidden="true"><span class="placeholder t-${tintOf(p.primaryCategory)}">${
    p.primaryCategory ? html`<span class="cat">${p.primaryCategory}</span>` : ''
  }<span class="words">${words.slice(0, PLACEHOLDER_WORDS).join(' ')}${words.length > PLACEHOLDER_WORDS ? raw('&hellip;') : ''}</span></span></div>`;
}

/** The stored image, at its own size (so the box is reserved before it loads), fetched when it nears the screen. */
function firstPage(paper: Paper, alt: string) {
  const t = paper.thumbnail!;
  return html`<img src="${thumbnailPath(paper.id, t.hash)}" width="${t.width}" height="${t.height}" loading="lazy" decoding="async" alt="${alt}"/>`;
}

/** A title's words without its TeX (formulas and commands), for the placeholder. */
const plainWords = (title: string) =>
  title
    .replace(/\$[^$]*\$/g, ' ')
    .replace(/\\[A-Za-z]+/g, ' ')
    .replace(/[{}]/g, '')
    .split(/\s+/)
    .filter(Boolean);

/** A paper's categories as chips, the primary one first; at most `max` of them, then how many more. */
export function CategoryChips(props: { paper: Paper; max?: number; label?: string }) {
  const p = props.paper;
  const all = [...new Set([p.primaryCategory, ...p.categories].filter((c): c is string => Boolean(c)))];
  const shown = props.max ? all.slice(0, props.max) : all;
  if (!all.length) return null;
  return html`<ul class="chips" aria-label="${props.label ?? 'Categories'}">${shown.map(
    (cat) => html`<li><a href="${categoryPath(cat)}">${cat}</a></li>`,
  )}${all.length > shown.length ? html`<li class="more">+${all.length - shown.length}</li>` : ''}</ul>`;
}

/**
 * One paper in a list. `titleHtml`/`snippetHtml` come escaped from search, with <mark> around matches. Written with
 * hono's `html` template rather than JSX, as the parts above: a page of search results holds twenty cards, and
 * rendering them as JSX took about 0.8 ms of each search's 7 ms (0.3 ms as templates).
 */
type Card = ReturnType<typeof html>;

/**
 * Plain cards (no highlight, snippet, extra or anchor) of frozen papers, per paper and heading: in practice a paper
 * page's related papers, whose papers the store keeps (lists read with listPapers are not frozen, and their pages are
 * kept whole). A card is the same for every reader (personalize.ts marks a signed-in reader's votes after), and a paper
 * read again after a change is a new object: the store freezes the papers it reads and keeps them until a change
 * (src/store/paper-cache.ts).
 */
const plainCards = new WeakMap<Paper, Partial<Record<'h2' | 'h3', Card>>>();

export function PaperItem(props: {
  paper: Paper;
  titleHtml?: string | undefined;
  snippetHtml?: string | undefined;
  heading?: 'h2' | 'h3';
  /** Under the card's actions: a reader's note and tools in their library (src/web/pages/library.tsx). */
  extra?: Child;
  /** The item's id, for links back to it. */
  anchor?: string | undefined;
}): Card {
  if (props.titleHtml !== undefined || props.snippetHtml !== undefined || props.extra !== undefined) return card(props);
  if (props.anchor !== undefined || !Object.isFrozen(props.paper)) return card(props);
  const heading = props.heading === 'h3' ? 'h3' : 'h2';
  let cards = plainCards.get(props.paper);
  if (!cards) plainCards.set(props.paper, (cards = {}));
  return (cards[heading] ??= card(props));
}

function card(props: Parameters<typeof PaperItem>[0]): Card {
  const p = props.paper;
  const day = p.dailyOn ?? p.listedOn ?? p.submittedAt?.slice(0, 10);
  const tag = raw(props.heading === 'h3' ? 'h3' : 'h2');
  const title = html`<${tag}><a href="${paperPath(p.id)}">${PaperTitle({ paper: p, highlighted: props.titleHtml })}</a></${tag}>`;
  const authors = p.authors.length ? html`<p class="authors">${Authors({ authors: p.authors })}</p>` : '';
  const featured = p.featuredOn
    ? html`<a class="featured" href="/day/${p.featuredOn}">featured ${humanDay(p.featuredOn)}</a>`
    : '';
  const about = html`<div class="about">${day ? html`<span class="day">${humanDay(day)}</span>` : ''}${featured}${CategoryChips({ paper: p, max: CARD_CATEGORIES })}</div>`;
  const snippet = props.snippetHtml ? html`<p class="snippet">${raw(props.snippetHtml)}</p>` : '';
  const n = p.numComments + p.communityComments;
  const comments = html`<a class="stat comments" href="${paperPath(p.id)}#comments">${n} <span class="vh">${n === 1 ? 'comment' : 'comments'}</span></a>`;
  const actions = html`<div class="actions">${UpvoteForm({ paper: p })}${comments}${SaveForm({ paper: p })}${CodeLink({ paper: p })}${Byline({ paper: p })}</div>`;
  const id = props.anchor === undefined ? '' : html` id="${props.anchor}"`;
  return html`<li class="paper"${id}>${Thumbnail({ paper: p })}<div class="card">${title}${authors}${about}${snippet}${actions}${props.extra}</div></li>`;
}

export function PaperList(props: { papers: Paper[] }) {
  return html`<ol class="papers">${props.papers.map((p) => PaperItem({ paper: p }))}</ol>`;
}
