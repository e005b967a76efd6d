import { type Formula, findFormulas, MAX_TEX, TEXT_COMMANDS } from './tex.js';
import { accented, symbol } from './tex-symbols.js';
import { isMathCommand, mathToUnicode, scriptForm, unicodeCharacter } from './tex-unicode-math.js';
import { cleanText } from './text.js';

/**
 * A title or an abstract as plain text for where MathML is not drawn (email): its formulas (the ones the site finds,
 * src/model/tex.ts) in Unicode, `$O(n^2 \log n)$` → `O(n² log n)`, `$\mathbb{F}_{p^m}$` → `𝔽ₚᵐ`, `$\frac{1}{2}$` →
 * `1/2` (src/model/tex-unicode-math.ts), and its LaTeX outside math as the text it stands for: `\emph{x}` → `x`,
 * `\href{a}{text}` → `text (a)`, `\%` → `%`, `\"o` → `ö`, `--` → `–`, `Fig.~3` → `Fig. 3`, `\cite{…}` dropped,
 * commands it does not know as their name (`\method` → `method`). Line breaks and tabs become spaces; control
 * characters are dropped. The caller escapes the result for HTML.
 *
 * Work is linear in the text: braces are matched once, each character is read once or twice, and a formula longer
 * than `MAX_TEX` or nested deeper than the math reader goes is shown as its source, without its `$`.
 */
export function texToUnicode(input: string): string {
  const text = cleanText(input);
  const out: string[] = [];
  writeText(text, 0, text.length, findFormulas(text), out, 0);
  return out.join('').replace(BREAKS, ' ');
}

/**
 * The LaTeX of text mode in text[from, to) as plain text, onto `out`: `formulas` (sorted, apart, inside the range) in
 * Unicode. Also what `\text{…}` holds inside math (with no formulas).
 */
function writeText(
  text: string,
  from: number,
  to: number,
  formulas: readonly Formula[],
  out: string[],
  depth: number,
): void {
  const closing = matchBraces(text, from, to, formulas);
  let nextFormula = 0;

  /** The argument whose `{` is at `open`, if its `}` closes before `end`. */
  const argument = (open: number, end: number) => {
    const close = text[open] === '{' ? closing[open - from]! : -1;
    return close >= 0 && close < end ? { start: open + 1, end: close } : undefined;
  };
  const skipFormulas = (until: number) => {
    while (nextFormula < formulas.length && formulas[nextFormula]!.start < until) nextFormula++;
  };
  /** text[start, end) in text mode, as a string of its own. */
  const alone = (start: number, end: number, d: number) => {
    const parts: string[] = [];
    skipFormulas(start);
    render(start, end, d, parts);
    return parts.join('');
  };

  const render = (start: number, end: number, d: number, into: string[]): void => {
    let i = start;
    while (i < end) {
      skipFormulas(i);
      const formula = formulas[nextFormula];
      if (formula?.start === i) {
        into.push(formulaText(text, formula, i > 0 ? text[i - 1] : undefined, text[formula.end]));
        nextFormula++;
        i = formula.end;
        continue;
      }
      const c = text[i]!;
      if (c === '{' || c === '}') {
        i++;
      } else if (c === '~') {
        into.push(i > start && i + 1 < end && !isSpace(text[i - 1]!) && !isSpace(text[i + 1]!) ? ' ' : '~');
        i++;
      } else if (c === '-' && text[i + 1] === '-' && i + 1 < end) {
        const em = text[i + 2] === '-' && i + 2 < end;
        into.push(em ? '—' : '–');
        i += em ? 3 : 2;
      } else if (c !== '\\') {
        let j = i + 1;
        while (j < end && !SPECIAL.has(text[j]!) && !(formulas[nextFormula]?.start === j)) j++;
        into.push(text.slice(i, j));
        i = j;
      } else {
        i = command(i, end, d, into);
      }
    }
  };

  /** The command whose `\` is at i, onto `into`; where reading goes on. */
  const command = (i: number, end: number, d: number, into: string[]): number => {
    let nameEnd = i + 1;
    while (nameEnd < end && isLetter(text.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd === i + 1) return symbolCommand(i, end, into);
    const name = text.slice(i + 1, nameEnd);
    if (name.length === 1 && LETTER_ACCENTS.includes(name) && text[nameEnd] === '{' && text[nameEnd + 2] === '}') {
      if (nameEnd + 2 < end) {
        into.push(accented(name, text[nameEnd + 1]!));
        return nameEnd + 3;
      }
    }
    const known = d < MAX_DEPTH ? TEXT_COMMANDS[name] : undefined;
    if (known) {
      const first = argument(nameEnd, end);
      const second = first && known.args === 2 ? argument(first.end + 1, end) : undefined;
      if (first && (known.args === 1 || second)) {
        const body = second ?? first;
        if (known.kind === 'url' || known.kind === 'href') {
          skipFormulas(first.end);
          const address = text
            .slice(first.start, first.end)
            .replace(/\\([_%#&~$])/g, '$1')
            .replace(/\s+/g, '');
          const shown = known.kind === 'href' ? alone(body.start, body.end, d + 1).trim() : '';
          into.push(shown && shown !== address ? `${shown} (${address})` : address);
        } else {
          render(body.start, body.end, d + 1, into);
        }
        return body.end + 1;
      }
    }
    const extra = d < MAX_DEPTH ? EXTRA[name] : undefined;
    const arg = extra && 'args' in extra ? argument(nameEnd, end) : undefined;
    if (extra && arg) {
      switch (extra.kind) {
        case 'cite':
          trimEnd(into);
          return arg.end + 1;
        case 'drop':
          return arg.end + 1;
        case 'aside':
          trimEnd(into);
          into.push(` (${alone(arg.start, arg.end, d + 1).trim()})`);
          return arg.end + 1;
        case 'sup':
        case 'sub':
          into.push(scriptForm(alone(arg.start, arg.end, d + 1), extra.kind));
          return arg.end + 1;
        case 'math':
          skipFormulas(arg.end);
          into.push(mathToUnicode(text.slice(arg.start, arg.end), d + 1, textInMath).trim());
          return arg.end + 1;
        case 'unicode':
          into.push(unicodeCharacter(text.slice(arg.start, arg.end)));
          return arg.end + 1;
      }
    }
    if (extra?.kind === 'word') {
      into.push(extra.text);
      return nameEnd;
    }
    if (extra?.kind === 'declaration') {
      let next = nameEnd;
      while (next < end && isSpace(text[next]!)) next++;
      return next;
    }
    // Nested too deep, or without the arguments it takes: the name is left out, its text stays.
    if (TEXT_COMMANDS[name] || EXTRA[name]) return nameEnd;
    into.push(symbol(`\\${name}`) ?? (isMathCommand(name) ? '' : name));
    return nameEnd;
  };

  /** `\` and one character that is not a letter: an escaped character, an accent, a space or a line break. */
  const symbolCommand = (i: number, end: number, into: string[]): number => {
    const c = text[i + 1];
    if (c === undefined || i + 1 >= end) return i + 1;
    if (c === '\\' || c === ' ' || c === ',' || c === ';' || c === ':') {
      into.push(' ');
      return i + 2;
    }
    if (c === '!' || c === '-' || c === '/') return i + 2;
    if (ACCENT_SIGNS.has(c)) {
      if (text.startsWith('{\\i}', i + 2) && i + 5 < end) {
        into.push(accented(c, 'i'));
        return i + 6;
      }
      const braced = text[i + 2] === '{' && text[i + 4] === '}' && i + 4 < end;
      const letter = braced ? text[i + 3]! : text[i + 2];
      if (letter !== undefined && i + 2 < end && (braced || isLetter(letter.charCodeAt(0)))) {
        into.push(accented(c, letter));
        return i + (braced ? 5 : 3);
      }
      return i + 2;
    }
    into.push(c);
    return i + 2;
  };

  render(from, to, depth, out);
}

/** What `\text{…}` holds inside math, at `depth`. */
function textInMath(source: string, depth: number): string {
  const out: string[] = [];
  writeText(source, 0, source.length, [], out, depth);
  return out.join('');
}

/** A formula as Unicode, or its source when it is too long or too deep; spaces at its ends kept where they separate. */
function formulaText(text: string, formula: Formula, before: string | undefined, after: string | undefined): string {
  const source = text.slice(formula.start + formula.open, formula.end - formula.open);
  const unicode = source.length > MAX_TEX ? source.replace(/\s+/g, ' ') : mathToUnicode(source, 0, textInMath);
  const trimmed = unicode.trim();
  const lead = isSpace(source[0] ?? '') && before !== undefined && !isSpace(before) && trimmed ? ' ' : '';
  const trail = isSpace(source.at(-1) ?? '') && after !== undefined && !isSpace(after) && trimmed ? ' ' : '';
  return lead + trimmed + trail;
}

/** Commands of text mode beyond the site's (`TEXT_COMMANDS`), with what they become. */
type Extra =
  | { kind: 'cite' | 'drop' | 'aside' | 'sup' | 'sub' | 'math' | 'unicode'; args: 1 }
  | { kind: 'word'; text: string }
  | { kind: 'declaration' };

const EXTRA: Record<string, Extra> = Object.assign(Object.create(null), {
  ...Object.fromEntries(
    ['cite', 'citep', 'citet', 'citealp', 'citeauthor', 'footnotemark'].map((name) => [
      name,
      { kind: 'cite', args: 1 },
    ]),
  ),
  ...Object.fromEntries(
    ['ref', 'eqref', 'cref', 'Cref', 'autoref', 'label', 'color', 'hyperlink'].map((name) => [
      name,
      { kind: 'drop', args: 1 },
    ]),
  ),
  footnote: { kind: 'aside', args: 1 },
  textsuperscript: { kind: 'sup', args: 1 },
  textsubscript: { kind: 'sub', args: 1 },
  ensuremath: { kind: 'math', args: 1 },
  unicode: { kind: 'unicode', args: 1 },
  eg: { kind: 'word', text: 'e.g.' },
  ie: { kind: 'word', text: 'i.e.' },
  etal: { kind: 'word', text: 'et al.' },
  wrt: { kind: 'word', text: 'w.r.t.' },
  vs: { kind: 'word', text: 'vs.' },
  cf: { kind: 'word', text: 'cf.' },
  newline: { kind: 'word', text: ' ' },
  footnotemark: { kind: 'word', text: '' },
  par: { kind: 'word', text: ' ' },
  quad: { kind: 'word', text: ' ' },
  qquad: { kind: 'word', text: ' ' },
  ...Object.fromEntries(
    [
      'em',
      'it',
      'bf',
      'rm',
      'sc',
      'tt',
      'sl',
      'sf',
      'bfseries',
      'itshape',
      'ttfamily',
      'scshape',
      'normalfont',
      'tiny',
      'scriptsize',
      'footnotesize',
      'small',
      'normalsize',
      'large',
      'Large',
      'LARGE',
      'huge',
      'Huge',
      'noindent',
      'centering',
    ].map((name) => [name, { kind: 'declaration' }]),
  ),
  ...Object.fromEntries(
    ['text', 'underline', 'hbox', 'fbox', 'textmd', 'textlf'].map((name) => [name, { kind: 'word', text: '' }]),
  ),
});

/** Accents written with a sign: `\'e`, `\"{o}`, `` \`a ``, `\^o`, `\~n`, `\=a`, `\.z`. */
/** Accents written with a letter, always with braces here: `\v{c}`, `\c{c}`, `\H{o}`, `\u{g}`. */
const LETTER_ACCENTS = 'uvHckrdbt';
const ACCENT_SIGNS = new Set(["'", '"', '`', '^', '~', '=', '.']);
/** Where a run of plain text stops. */
const SPECIAL = new Set(['{', '}', '~', '-', '\\']);
const BREAKS = /\r\n|[\t\n\r\u2028\u2029]/g;
/** Text-mode commands nested deeper than this (with math inside text inside math…) are dropped: bounds the recursion. */
const MAX_DEPTH = 32;

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\t' || c === '\r';

/** Drops the spaces and ties at the end of what was written (before a dropped `\cite`, a footnote). */
function trimEnd(out: string[]): void {
  while (out.length) {
    const last = out[out.length - 1]!;
    let end = last.length;
    while (end > 0 && (isSpace(last[end - 1]!) || last[end - 1] === '~')) end--;
    if (end > 0) {
      out[out.length - 1] = last.slice(0, end);
      return;
    }
    out.pop();
  }
}

/**
 * For each `{` in text[from, to), the position of its `}`, or -1: one pass with a stack. `\{` and `\}` are text, and
 * braces inside formulas do not count. Indexed from `from`.
 */
function matchBraces(text: string, from: number, to: number, formulas: readonly Formula[]): Int32Array {
  const closing = new Int32Array(to - from).fill(-1);
  const open: number[] = [];
  let f = 0;
  for (let i = from; i < to; i++) {
    if (f < formulas.length && formulas[f]!.start === i) {
      i = formulas[f++]!.end - 1;
      continue;
    }
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '{') open.push(i);
    else if (c === '}' && open.length) closing[open.pop()! - from] = i;
  }
  return closing;
}
