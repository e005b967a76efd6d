import { escapeHtml } from '../model/html.js';
import { TEXT_COMMANDS } from '../model/tex.js';

/** A stretch of the text, as positions in it: a formula, or a word to mark. */
export interface Range {
  start: number;
  end: number;
}

/**
 * The LaTeX that abstracts and titles use outside math, as HTML: `\href{url}{text}` and `\url{url}` as links
 * (http and https only, `rel="nofollow ugc noopener"`; any other address leaves the text alone), `\textit`, `\emph`
 * and `\textsl` as emphasis, `\textbf` as strong, `\texttt` as code, and the commands that only change the font
 * (`\textsc`, `\textsf`, `\textrm`, `\mbox`, `\textcolor{c}`…) as their text. Everything else is escaped text:
 * unknown commands, an argument whose braces do not close, commands nested deeper than `MAX_DEPTH`. A link inside
 * a link's text is its text. `formulas` (sorted, apart) are drawn by `drawFormula` wherever they are not inside an
 * address; `marks` (sorted, apart) are put in `<mark>` where they cover text. `links: false` for text shown inside a
 * link (a title in a list): its addresses are text too.
 *
 * Work is linear in the text: the braces are matched once, in one pass, and each character is then read once.
 */
export function renderTexText(
  text: string,
  formulas: readonly Range[],
  drawFormula: (formula: Range) => string,
  options: { marks?: readonly Range[]; links?: boolean } = {},
): string {
  const marks = options.marks ?? [];
  const closing = matchBraces(text, formulas);
  let html = '';
  let nextFormula = 0;
  let nextMark = 0;

  /** text[from, to) escaped, with the marks over it. */
  const plain = (from: number, to: number) => {
    while (nextMark < marks.length && marks[nextMark]!.end <= from) nextMark++;
    let at = from;
    for (let k = nextMark; k < marks.length && marks[k]!.start < to; k++) {
      const start = Math.max(marks[k]!.start, at);
      const end = Math.min(marks[k]!.end, to);
      if (start >= end) continue;
      html += `${escapeHtml(text.slice(at, start))}<mark>${escapeHtml(text.slice(start, end))}</mark>`;
      at = end;
    }
    html += escapeHtml(text.slice(at, to));
  };

  /** The argument whose `{` is at `open`, if its `}` closes before `to`: where its text starts and ends. */
  const argument = (open: number, to: number): Range | undefined => {
    const close = text[open] === '{' ? closing[open]! : -1;
    return close >= 0 && close < to ? { start: open + 1, end: close } : undefined;
  };

  /** An address's text: not read for commands or formulas. */
  const skip = (to: number) => {
    while (nextFormula < formulas.length && formulas[nextFormula]!.start < to) nextFormula++;
  };

  const render = (from: number, to: number, depth: number, inLink: boolean) => {
    let at = from;
    let i = from;
    while (i < to) {
      skip(i);
      const formula = formulas[nextFormula];
      if (formula?.start === i) {
        plain(at, i);
        html += drawFormula(formula);
        nextFormula++;
        i = at = formula.end;
        continue;
      }
      if (text[i] !== '\\') {
        i++;
        continue;
      }
      let nameEnd = i + 1;
      while (nameEnd < to && isLetter(text.charCodeAt(nameEnd))) nameEnd++;
      const command = depth < MAX_DEPTH ? TEXT_COMMANDS[text.slice(i + 1, nameEnd)] : undefined;
      const first = command ? argument(nameEnd, to) : undefined;
      const second = first && command?.args === 2 ? argument(first.end + 1, to) : undefined;
      if (!command || !first || (command.args === 2 && !second)) {
        i = Math.max(nameEnd, i + 1);
        continue;
      }
      plain(at, i);
      const body = second ?? first;
      if (command.kind === 'url' || command.kind === 'href') {
        skip(first.end);
        const written = unescapeAddress(text.slice(first.start, first.end));
        const href = inLink ? undefined : safeAddress(written);
        if (href) html += `<a href="${escapeHtml(href)}" rel="nofollow ugc noopener">`;
        if (command.kind === 'url' || !/\S/.test(text.slice(body.start, body.end))) html += escapeHtml(written);
        else render(body.start, body.end, depth + 1, inLink || href !== undefined);
        if (href) html += '</a>';
      } else if (command.kind === 'text') {
        render(body.start, body.end, depth + 1, inLink);
      } else {
        html += `<${command.kind}>`;
        render(body.start, body.end, depth + 1, inLink);
        html += `</${command.kind}>`;
      }
      i = at = body.end + 1;
    }
    plain(at, to);
  };

  render(0, text.length, 0, options.links === false);
  return html;
}

/** Commands nested deeper than this are left as text: enough for any real abstract, and bounds the recursion. */
const MAX_DEPTH = 8;

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * For each `{`, the position of its `}`, or -1 when it has none: one pass with a stack. `\{` and `\}` are text, and
 * braces inside formulas do not count.
 */
function matchBraces(text: string, formulas: readonly Range[]): Int32Array {
  const closing = new Int32Array(text.length).fill(-1);
  const open: number[] = [];
  let f = 0;
  for (let i = 0; i < text.length; i++) {
    if (f < formulas.length && formulas[f]!.start === i) {
      i = formulas[f++]!.end - 1;
      continue;
    }
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '{') open.push(i);
    else if (c === '}' && open.length) closing[open.pop()!] = i;
  }
  return closing;
}

/** An address as LaTeX writes it (`\_`, `\%`, `\#`, `\&`, `\~` for the characters), spaces and breaks removed. */
function unescapeAddress(written: string): string {
  return written.replace(/\\([_%#&~$])/g, '$1').replace(/\s+/g, '');
}

/** The address as a link may carry it: http or https, at most 2,000 characters; otherwise undefined. */
function safeAddress(address: string): string | undefined {
  if (address.length > 2000 || !/^https?:\/\//i.test(address)) return undefined;
  try {
    const url = new URL(address);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
