import { escapeHtml } from '../model/html.js';
import { renderTex } from '../model/tex.js';
import { cleanText } from '../model/text.js';
import { type Range, renderTexText } from './tex-text.js';

/**
 * An abstract as HTML: its text escaped, its TeX math (`$...$`, `$$...$$`, `\(...\)`, `\[...\]`) rendered as
 * MathML, which every current browser draws without fonts or scripts, and the LaTeX of its text (`\href`, `\url`,
 * `\textit`, `\textbf`…) as links and emphasis (src/web/tex-text.ts). Math that does not parse is shown as the escaped
 * TeX it was. Nothing from the input reaches the page unescaped: temml escapes what it renders. Control characters
 * and lone surrogates, which escaping leaves in place and HTML forbids, are dropped first.
 */
export function renderTextWithMath(input: string): string {
  const text = cleanText(input);
  return renderTexText(text, mathSpans(text), (span) => {
    const { open, display } = span as Span;
    return (
      renderTex(text.slice(span.start + open, span.end - open), display) ?? escapeHtml(text.slice(span.start, span.end))
    );
  });
}

/**
 * A paper's title as HTML, wherever it is shown: its math drawn inline (display math too: a title is one line) and
 * its LaTeX as in an abstract. `highlighted`, the title as search marked it (escaped, with `<mark>` around the words
 * that matched), keeps its marks on the title's text; marks inside a formula are left out. A title is shown inside
 * a link (to its paper) or as a heading: its `\href` and `\url` are text.
 */
export function renderTitle(title: string, highlighted?: string): string {
  const text = cleanText(title);
  const marks = highlighted === undefined || text !== title ? [] : markedRanges(highlighted, text);
  return renderTexText(
    text,
    mathSpans(text),
    (span) =>
      renderTex(text.slice(span.start + (span as Span).open, span.end - (span as Span).open), false) ??
      escapeHtml(text.slice(span.start, span.end)),
    { marks, links: false },
  );
}

/**
 * Where `<mark>` stood in `html`, `text` escaped with marks around some words, as positions in `text`; none when
 * `html` is not that.
 */
function markedRanges(html: string, text: string): Range[] {
  const ranges: Range[] = [];
  let at = 0;
  let start = -1;
  for (let i = 0; i < html.length; ) {
    if (html.startsWith('<mark>', i)) {
      start = at;
      i += 6;
    } else if (html.startsWith('</mark>', i)) {
      if (start >= 0) ranges.push({ start, end: at });
      start = -1;
      i += 7;
    } else {
      const entity = html[i] === '&' ? ENTITY.exec(html.slice(i, i + 6)) : null;
      if ((entity ? ENTITIES[entity[0]] : html[i]) !== text[at]) return [];
      i += entity ? entity[0].length : 1;
      at++;
    }
  }
  return at === text.length ? ranges : [];
}

const ENTITY = /^&(amp|lt|gt|quot|#39);/;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

interface Span {
  start: number;
  end: number;
  open: number;
  display: boolean;
}

/**
 * The formulas, left to right: at each position `$$x$$`, then `$x$` (no line break, no `$` inside), then `\(x\)`
 * and `\[x\]`. Work is linear in the text: a `$` formula ends at the next `$`, and the search for a closing `\)` or
 * `\]` is remembered, so that many openers without a closer (`\(\(\(…`) do not each search to the end again.
 */
function mathSpans(text: string): Span[] {
  const spans: Span[] = [];
  const closers = { ')': closer(text, '\\)'), ']': closer(text, '\\]') };
  for (let i = 0; i < text.length; ) {
    const span =
      text[i] === '$'
        ? dollars(text, i)
        : text[i] === '\\' && (text[i + 1] === '(' || text[i + 1] === '[')
          ? bracket(text, i, closers[text[i + 1] === '(' ? ')' : ']'])
          : undefined;
    if (span) spans.push(span);
    i = span ? span.end : i + 1;
  }
  return spans;
}

function dollars(text: string, i: number): Span | undefined {
  const next = text.indexOf('$', i + 1);
  if (next === i + 1) {
    const close = text.indexOf('$', i + 2);
    return close > i + 2 && text[close + 1] === '$' ? { start: i, end: close + 2, open: 2, display: true } : undefined;
  }
  if (next < 0 || text.slice(i + 1, next).includes('\n')) return undefined;
  return { start: i, end: next + 1, open: 1, display: false };
}

function bracket(text: string, i: number, close: (from: number) => number): Span | undefined {
  const end = close(i + 3);
  return end < 0 ? undefined : { start: i, end: end + 2, open: 2, display: text[i + 1] === '[' };
}

/** The first `delimiter` at or after `from`, for `from` that never decreases. */
function closer(text: string, delimiter: string): (from: number) => number {
  let found = -2;
  return (from) => {
    if (found === -2 || (found >= 0 && found < from)) found = text.indexOf(delimiter, from);
    return found;
  };
}
