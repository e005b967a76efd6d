import temml from 'temml';
import { withoutInlineStyles } from './tex-styles.js';

/** At most this much TeX in one formula: temml's work grows with it. */
export const MAX_TEX = 2000;

/**
 * One formula drawn as MathML, which every current browser draws without fonts or scripts, or undefined when it
 * does not parse (or is longer than `MAX_TEX`). temml escapes what it draws, runs no `\href` or `\htmlClass`
 * (`trust: false`) and expands at most 200 macros; its inline styles become classes and MathML attributes, which
 * the site's Content-Security-Policy allows (src/model/tex-styles.ts). The one way abstracts, titles and comments
 * draw TeX.
 */
export function renderTex(tex: string, displayMode: boolean): string | undefined {
  if (tex.length > MAX_TEX) return undefined;
  try {
    return withoutInlineStyles(
      temml.renderToString(tex, { displayMode, throwOnError: true, trust: false, maxExpand: 200 }),
    );
  } catch {
    return undefined;
  }
}

/**
 * A formula in a text: where it starts and ends (its delimiters included), how long its delimiter is, and whether it
 * is display math (`$$x$$`, `\[x\]`).
 */
export interface Formula {
  start: number;
  end: number;
  open: number;
  display: boolean;
}

/**
 * The formulas of a text, left to right: at each position `$$x$$`, then `$x$` (no line break, no `$` inside), then
 * `\(x\)` and `\[x\]`. The one finder of the site (pages, feeds, email), so that all agree on what is a formula.
 * Work is linear in the text: a `$` formula ends at the next `$`, and the search for a closing `\)` or `\]` is
 * remembered, so that many openers without a closer (`\(\(\(…`) do not each search to the end again.
 */
export function findFormulas(text: string): Formula[] {
  const formulas: Formula[] = [];
  const closers = { ')': closer(text, '\\)'), ']': closer(text, '\\]') };
  for (let i = 0; i < text.length; ) {
    const formula =
      text[i] === '$'
        ? dollars(text, i)
        : text[i] === '\\' && (text[i + 1] === '(' || text[i + 1] === '[')
          ? bracket(text, i, closers[text[i + 1] === '(' ? ')' : ']'])
          : undefined;
    if (formula) formulas.push(formula);
    i = formula ? formula.end : i + 1;
  }
  return formulas;
}

function dollars(text: string, i: number): Formula | undefined {
  const next = text.indexOf('$', i + 1);
  if (next === i + 1) {
    const close = text.indexOf('$', i + 2);
    return close > i + 2 && text[close + 1] === '$' ? { start: i, end: close + 2, open: 2, display: true } : undefined;
  }
  if (next < 0 || text.slice(i + 1, next).includes('\n')) return undefined;
  return { start: i, end: next + 1, open: 1, display: false };
}

function bracket(text: string, i: number, close: (from: number) => number): Formula | undefined {
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

/**
 * The LaTeX commands that abstracts and titles use outside math, which the site understands: how many arguments each
 * takes (the last is the text shown) and what it stands for: emphasis, strong, code, plain text (a command that only
 * changes the font or colour), an address (`\url{a}`) or a link (`\href{a}{text}`). Pages draw them as HTML
 * (src/web/tex-text.ts), email as plain text (src/model/tex-unicode.ts).
 */
export const TEXT_COMMANDS: Readonly<Record<string, TextCommand>> = Object.assign(Object.create(null), {
  href: { args: 2, kind: 'href' },
  url: { args: 1, kind: 'url' },
  textit: { args: 1, kind: 'em' },
  emph: { args: 1, kind: 'em' },
  textsl: { args: 1, kind: 'em' },
  textbf: { args: 1, kind: 'strong' },
  texttt: { args: 1, kind: 'code' },
  textsc: { args: 1, kind: 'text' },
  textsf: { args: 1, kind: 'text' },
  textrm: { args: 1, kind: 'text' },
  textup: { args: 1, kind: 'text' },
  textnormal: { args: 1, kind: 'text' },
  mbox: { args: 1, kind: 'text' },
  textcolor: { args: 2, kind: 'text' },
});

export interface TextCommand {
  args: 1 | 2;
  kind: 'em' | 'strong' | 'code' | 'text' | 'url' | 'href';
}
