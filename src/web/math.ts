import { escapeHtml } from '../model/html.js';
import { type Formula, findFormulas, renderTex } from '../model/tex.js';
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
  return renderTexText(text, findFormulas(text), (span) => {
    const { open, display } = span as Formula;
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
    findFormulas(text),
    (span) =>
      renderTex(text.slice(span.start + (span as Formula).open, span.end - (span as Formula).open), false) ??
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
