import temml from 'temml';
import { escapeHtml } from '../model/html.js';

/**
 * An abstract as HTML: its text escaped, its TeX math (`$...$`, `$$...$$`, `\(...\)`, `\[...\]`) rendered as
 * MathML, which every current browser draws without fonts or scripts. Math that does not parse is shown as the
 * escaped TeX it was. Nothing from the input reaches the page unescaped: temml escapes what it renders.
 */
const MATH = /\$\$([^$]+?)\$\$|\$([^$\n]+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]/gs;

export function renderTextWithMath(text: string): string {
  let html = '';
  let last = 0;
  for (const m of text.matchAll(MATH)) {
    const tex = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    const display = m[1] !== undefined || m[4] !== undefined;
    html += escapeHtml(text.slice(last, m.index));
    html += renderMath(tex, display) ?? escapeHtml(m[0]);
    last = m.index + m[0].length;
  }
  return html + escapeHtml(text.slice(last));
}

function renderMath(tex: string, displayMode: boolean): string | undefined {
  try {
    return temml.renderToString(tex, { displayMode, throwOnError: true, trust: false, maxExpand: 200 });
  } catch {
    return undefined;
  }
}
