import MarkdownIt, { type StateInline, type Token } from 'markdown-it';
import { MAX_TEX, renderTex } from '../model/tex.js';
import { cleanText } from '../model/text.js';

/**
 * Comments are written in a small, safe Markdown: paragraphs and line breaks, *emphasis*, links (http, https and
 * mailto only, marked nofollow ugc), bare URLs, `code` and fenced code, lists, quotes, and TeX math between `$...$`
 * (inline) or `$$...$$` (display), drawn as MathML. No raw HTML, no images, no headings or tables. The result is
 * safe to insert into a page as it is: markdown-it escapes every text and attribute, and temml escapes what it draws.
 */
// The 'zero' preset keeps markdown-it's nesting limit (maxNesting: 20), which bounds quotes and lists in quotes.
const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true });
md.enable([
  'paragraph',
  'newline',
  'emphasis',
  'link',
  'autolink',
  'linkify',
  'backticks',
  'fence',
  'code',
  'list',
  'blockquote',
  'escape',
]);

const ALLOWED_LINK = /^(https?:\/\/|mailto:)/i;
md.validateLink = (url) => ALLOWED_LINK.test(url.trim());

md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx]!;
  if (!ALLOWED_LINK.test(token.attrGet('href') ?? '')) token.attrSet('href', '#');
  token.attrSet('rel', 'nofollow ugc noopener');
  return self.renderToken(tokens, idx, options);
};

// Math is read as an inline token before emphasis and escapes see it, so `$a_1 * b_2$` keeps its underscores and
// stars; inside `code` the dollars stay text, because the code span is read first.
md.inline.ruler.before('escape', 'math', readMath);
md.renderer.rules.math = (tokens, idx) => renderMath(tokens[idx]!);
md.inline.ruler.before('emphasis', 'long_delimiter_run', readLongRun);

/** A run of more `*` or `_` than this is text: emphasis would make a token of each character, to match none. */
const MAX_DELIMITER_RUN = 32;

function readLongRun(state: StateInline, silent: boolean): boolean {
  const marker = state.src.charCodeAt(state.pos);
  if (marker !== 0x2a /* * */ && marker !== 0x5f /* _ */) return false;
  let end = state.pos + 1;
  while (end < state.posMax && state.src.charCodeAt(end) === marker) end++;
  if (end - state.pos <= MAX_DELIMITER_RUN) return false;
  if (!silent) state.pending += state.src.slice(state.pos, end);
  state.pos = end;
  return true;
}

function readMath(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== 0x24 /* $ */) return false;
  const display = src.charCodeAt(start + 1) === 0x24;
  const open = display ? 2 : 1;
  // As in Pandoc: `$` opens when a non-space follows it.
  if (!display && isSpace(src, start + 1)) return false;
  const end = display ? displayClose(state, start + 2) : inlineClose(state, start + 2);
  if (end < 0 || end === start + open || end + open > state.posMax || end - start - open > MAX_TEX) return false;
  if (!silent) {
    const token = state.push('math', 'math', 0);
    token.content = src.slice(start + open, end);
    token.markup = display ? '$$' : '$';
  }
  state.pos = end + open;
  return true;
}

/**
 * Where a formula whose TeX starts at `from` closes, or -1. The answer depends on `from` only, not on the opener, so
 * the last scan is remembered for the paragraph: openers tried one after another (`$a$1$1$1…`) share one scan
 * instead of each scanning to the end again, which made rendering quadratic in the length of the comment.
 */
function closeFinder(find: (src: string, from: number) => Scan) {
  const memo = new WeakMap<StateInline, Scan & { from: number }>();
  return (state: StateInline, from: number): number => {
    const last = memo.get(state);
    if (last && last.from <= from && from <= last.stop) return last.end;
    const scan = find(state.src, from);
    memo.set(state, { ...scan, from });
    return scan.end;
  };
}

/** `end`: where the formula closes, or -1; every start from the scan's start up to `stop` has the same answer. */
interface Scan {
  end: number;
  stop: number;
}

const isSpace = (src: string, i: number) => /\s/.test(src[i] ?? ' ');

const inlineClose = closeFinder((src, from) => {
  // An inline `$` closes after a non-space, not before a digit ("costs $5 or $10" stays text); a blank line ends it.
  for (let i = from; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x0a && src.charCodeAt(i + 1) === 0x0a) return { end: -1, stop: i };
    if (c !== 0x24 /* $ */) continue;
    const after = src.charCodeAt(i + 1);
    if (!isSpace(src, i - 1) && src[i - 1] !== '\\' && !(after >= 0x30 && after <= 0x39)) return { end: i, stop: i };
  }
  return { end: -1, stop: src.length };
});

const displayClose = closeFinder((src, from) => {
  const end = src.indexOf('$$', from);
  return { end, stop: end < 0 ? src.length : end };
});

function renderMath(token: Token): string {
  const display = token.markup === '$$';
  return (
    renderTex(token.content, display) ??
    `<code class="tex">${md.utils.escapeHtml(`${token.markup}${token.content}${token.markup}`)}</code>`
  );
}

/**
 * Comments are stored with their HTML and the version of this renderer that made it. Raise it whenever a change
 * here changes the HTML of a comment: rows rendered by an older version are rendered again when next read.
 */
export const COMMENT_RENDERER_VERSION = 2;

/**
 * A comment's Markdown as HTML that can be inserted into a page unchanged. Control characters and lone surrogates
 * are dropped first: markdown-it copies them into the text, and HTML forbids them.
 */
export function renderCommentMarkdown(source: string): string {
  return md.render(cleanText(source));
}
