import MarkdownIt, { type StateInline, type Token } from 'markdown-it';
import temml from 'temml';

/**
 * Comments are written in a small, safe Markdown: paragraphs and line breaks, *emphasis*, links (http, https and
 * mailto only, marked nofollow ugc), bare URLs, `code` and fenced code, lists, quotes, and TeX math between `$...$`
 * (inline) or `$$...$$` (display), drawn as MathML. No raw HTML, no images, no headings or tables. The result is
 * safe to insert into a page as it is: markdown-it escapes every text and attribute, and temml escapes what it draws.
 */
const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true });
md.enable([
  'paragraph', 'newline', 'emphasis', 'link', 'autolink', 'linkify', 'backticks', 'fence', 'code', 'list', 'blockquote', 'escape',
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

/** At most this much TeX in one formula: temml's work grows with it. */
const MAX_TEX = 2000;

function readMath(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== 0x24 /* $ */) return false;
  const display = src.charCodeAt(start + 1) === 0x24;
  const open = display ? 2 : 1;
  let end: number;
  if (display) {
    end = src.indexOf('$$', start + 2);
    if (end < 0 || end === start + 2) return false;
  } else {
    // As in Pandoc: `$` opens when a non-space follows it and closes after a non-space, not before a digit,
    // so "costs $5 or $10" stays text.
    if (/\s/.test(src[start + 1] ?? ' ')) return false;
    end = start + 1;
    for (;;) {
      end = src.indexOf('$', end + 1);
      if (end < 0 || src.slice(start + 1, end).includes('\n\n')) return false;
      if (!/\s/.test(src[end - 1]!) && !/\d/.test(src[end + 1] ?? '') && src[end - 1] !== '\\') break;
    }
  }
  const tex = src.slice(start + open, end);
  if (tex.length > MAX_TEX) return false;
  if (!silent) {
    const token = state.push('math', 'math', 0);
    token.content = tex;
    token.markup = display ? '$$' : '$';
  }
  state.pos = end + open;
  return true;
}

function renderMath(token: Token): string {
  const display = token.markup === '$$';
  try {
    return temml.renderToString(token.content, { displayMode: display, throwOnError: true, trust: false, maxExpand: 200 });
  } catch {
    return `<code class="tex">${md.utils.escapeHtml(`${token.markup}${token.content}${token.markup}`)}</code>`;
  }
}

/** A comment's Markdown as HTML that can be inserted into a page unchanged. */
export function renderCommentMarkdown(source: string): string {
  return md.render(source);
}
