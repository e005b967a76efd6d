import { ACCENTS, SUBSCRIPTS, SUPERSCRIPTS, symbol } from './tex-symbols.js';

/** How the text mode of `\text{…}` is written, at a depth of nesting (src/model/tex-unicode.ts). */
export type TextMode = (source: string, depth: number) => string;

/**
 * A formula's TeX (without its `$`) as readable Unicode: symbols and styled letters from UnicodeIt's tables
 * (`\alpha` → α, `\leq` → ≤, `\mathbb{F}` → 𝔽, `\mathcal{O}` → 𝒪), scripts as Unicode sub- and superscripts where
 * every character has one (`n^2` → n², `10^{-3}` → 10⁻³, `\ell_1` → ℓ₁, `\mathbb{F}_{p^m}` → 𝔽ₚᵐ) and as `^x`,
 * `_(i,j)` where one does not, `\frac{a}{b}` → a/b (`(a+b)/c` where it needs parentheses), `\sqrt{d}` → √d,
 * `\text{…}`, `\mathrm{…}`, `\operatorname{…}` → their text, accents as combining marks (`\hat{x}` → x̂), `\left`,
 * `\right`, `\big` and styles dropped, spacing as a space, braces removed, and commands it does not know as their
 * names (`\log` → log). Spaces in the source are kept (collapsed), but for one after a command's letter before another
 * letter (`\partial f` → ∂f). Never throws: TeX nested deeper than `MAX_DEPTH` is given back as its source.
 *
 * Work is linear in the formula: each character is read once, and each piece is copied at most once per level of
 * nesting (at most `MAX_DEPTH`).
 */
export function mathToUnicode(source: string, depth: number, text: TextMode): string {
  try {
    return tidy(new Reader(source, text).sequence(depth, PLAIN, false).plain);
  } catch (error) {
    if (error instanceof TooDeep) return source.replace(/\s+/g, ' ');
    throw error;
  }
}

/** `s` as a superscript or subscript: in Unicode when every character has a form, else `^x` or `^(…)`. */
export function scriptForm(s: string, kind: 'sup' | 'sub'): string {
  return inScript(s, kind === 'sup' ? SUPERSCRIPTS : SUBSCRIPTS) ?? `${kind === 'sup' ? '^' : '_'}${grouped(s)}`;
}

/** The character `\unicode{x2013}` (or `{8211}`) names; nothing for a control character or what is not one. */
export function unicodeCharacter(spec: string): string {
  const hex = /^\s*(?:x|0x|U\+)([0-9a-f]{1,6})\s*$/i.exec(spec);
  const decimal = /^\s*([0-9]{1,7})\s*$/.exec(spec);
  const code = hex ? Number.parseInt(hex[1]!, 16) : decimal ? Number.parseInt(decimal[1]!, 10) : -1;
  const unwanted = code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0xd800 && code <= 0xdfff);
  return unwanted || code > 0x10ffff || (code & 0xfffe) === 0xfffe ? '' : String.fromCodePoint(code);
}

/**
 * Whether the math reader knows `name` as a command that shapes what follows (`\frac`, `\mathrm`, `\left`,
 * `\hat`…) rather than a symbol: outside math (a formula the site does not find, such as one broken over two lines)
 * its name is left out.
 */
export function isMathCommand(name: string): boolean {
  return name in COMMANDS || name in FONTS || name in DECLARATIONS || ACCENTS.has(name);
}

/** Groups nested deeper than this give the formula back as its source: bounds the recursion and the copying. */
const MAX_DEPTH = 24;

class TooDeep extends Error {}

/**
 * A piece of a formula: as it reads on the line, and as it reads raised or lowered (null when some character has no
 * such form). `letter`: one letter from a command (α, ∂, ℓ), after which a space before another letter is not shown.
 * `script`: a sub- or superscript or a prime, which no space comes before. `word`: a name (`\log`), which a space
 * after it keeps apart from what follows.
 */
interface Piece {
  plain: string;
  sup: string | null;
  sub: string | null;
  letter?: boolean;
  script?: boolean;
  word?: boolean;
}

/** The fonts a letter is looked up in, first first (`\boldsymbol`: bold italic, else bold); none for upright. */
type Font = readonly string[];
const PLAIN: Font = [];
const EMPTY: Piece = { plain: '', sup: '', sub: '' };
const SPACE: Piece = { plain: ' ', sup: '', sub: '' };

/** Reads a formula left to right, once; `i` is where it has got to. */
class Reader {
  i = 0;
  constructor(
    readonly src: string,
    readonly text: TextMode,
  ) {}

  /** Atoms up to the end, or up to the `}` that closes a group (`group`), which it reads. */
  sequence(depth: number, font: Font, group: boolean): Piece {
    if (depth > MAX_DEPTH) throw new TooDeep();
    const line = new Line();
    let current = font;
    while (this.i < this.src.length) {
      const c = this.src[this.i]!;
      if (c === '}') {
        this.i++;
        if (group) break;
      } else if (isSpace(c)) {
        this.i++;
        line.space();
      } else {
        const spaced = line.spacedOrEmpty();
        const controlWord = c === '\\' && isLetter(this.src.charCodeAt(this.i + 1));
        const atom = this.atom(depth, current);
        if (Array.isArray(atom)) {
          current = atom;
          continue;
        }
        line.add(atom as Piece);
        // The space that ends a symbol's name (`28\times 28`) is shown only where there is one before it too.
        if (controlWord && !spaced && !(atom as Piece).word && isLetter(this.src.charCodeAt(this.i - 1))) {
          this.skipSpaces();
        }
      }
    }
    return line.piece();
  }

  /** One atom: a character, a group, a script, a command with its arguments; or the font a declaration sets. */
  atom(depth: number, font: Font): Piece | Font {
    const c = this.src[this.i]!;
    if (c === '{') {
      this.i++;
      return this.sequence(depth + 1, font, true);
    }
    if (c === '\\') return this.command(depth, font);
    this.i++;
    if (c === '^' || c === '_') {
      const arg = this.argument(depth + 1, font);
      if (!arg) return { plain: c, sup: null, sub: null };
      return c === '^'
        ? { plain: arg.sup ?? `^${grouped(arg.plain)}`, sup: null, sub: arg.sup, script: true }
        : { plain: arg.sub ?? `_${grouped(arg.plain)}`, sup: arg.sub, sub: null, script: true };
    }
    if (c === "'") return { plain: '′', sup: '′', sub: null, script: true };
    if (c === '~' || c === '&') return SPACE;
    if (c === '-') return character('−');
    const pair = isHighSurrogate(c) && isLowSurrogate(this.src[this.i] ?? '') ? this.src[this.i++]! : '';
    return character(styled(c + pair, font) ?? c + pair, c + pair);
  }

  /** What a `^`, `_` or command takes: a group, a command or one character; undefined when there is none. */
  argument(depth: number, font: Font): Piece | undefined {
    if (depth > MAX_DEPTH) throw new TooDeep();
    this.skipSpaces();
    const c = this.src[this.i];
    if (c === undefined || c === '}' || c === '^' || c === '_') return undefined;
    const atom = this.atom(depth, font);
    if (!Array.isArray(atom)) return atom as Piece;
    // `^\tt 3`: a declaration sets the font of what follows.
    this.skipSpaces();
    const next =
      this.i < this.src.length && !'}^_'.includes(this.src[this.i]!) ? this.atom(depth, atom as Font) : EMPTY;
    return Array.isArray(next) ? EMPTY : (next as Piece);
  }

  /** A group's text, unread (`\text{…}`, `\begin{…}`), or one character; the reader goes past it. */
  raw(): string {
    this.skipSpaces();
    if (this.src[this.i] !== '{') return this.i < this.src.length ? this.src[this.i++]! : '';
    let level = 0;
    for (let j = this.i; j < this.src.length; j++) {
      const c = this.src[j];
      if (c === '\\') j++;
      else if (c === '{') level++;
      else if (c === '}' && --level === 0) {
        const inside = this.src.slice(this.i + 1, j);
        this.i = j + 1;
        return inside;
      }
    }
    const inside = this.src.slice(this.i + 1);
    this.i = this.src.length;
    return inside;
  }

  /** Whether the argument ahead is one letter or symbol (`x`, `{x}`, `{\\theta}`), not a word or a number. */
  oneSymbol(): boolean {
    let j = this.i;
    while (j < this.src.length && isSpace(this.src[j]!)) j++;
    if (this.src[j] !== '{') return true;
    for (let k = j + 1; k < this.src.length && k <= j + 24; k++) {
      if (this.src[k] === '}') return ONE_SYMBOL.test(this.src.slice(j + 1, k));
    }
    return false;
  }

  skipSpaces(): void {
    while (this.i < this.src.length && isSpace(this.src[this.i]!)) this.i++;
  }

  command(depth: number, font: Font): Piece | Font {
    const start = ++this.i;
    if (start >= this.src.length) return EMPTY;
    if (!isLetter(this.src.charCodeAt(start))) {
      const c = this.src[this.i++]!;
      if (c === '!') return EMPTY;
      if (c === '\\') return { plain: '; ', sup: null, sub: null };
      if (' ,;:>'.includes(c)) return SPACE;
      return character(symbol(`\\${c}`) ?? c);
    }
    while (this.i < this.src.length && isLetter(this.src.charCodeAt(this.i))) this.i++;
    const name = this.src.slice(start, this.i);
    if (name === 'operatorname' && this.src[this.i] === '*') this.i++;
    const handle = COMMANDS[name];
    if (handle) return handle(this, depth + 1, name);
    const fonts = FONTS[name];
    if (fonts)
      return (
        this.argument(depth + 1, (fonts === BOLD || fonts === BOLD_ITALIC) && !this.oneSymbol() ? PLAIN : fonts) ??
        EMPTY
      );
    const declared = DECLARATIONS[name];
    if (declared) return declared;
    const mark = ACCENTS.get(name);
    if (mark) return accent(this.argument(depth + 1, font), mark, name);
    const found = symbol(`\\${name}`);
    const shown = styled(`\\${name}`, font) ?? found;
    if (shown !== undefined) return { ...character(shown, found), letter: isLetterLike(shown) };
    return word(name);
  }
}

/** The pieces of a sequence joined: a space where the source has one (see `Piece`), never two. */
class Line {
  private plain: string[] = [];
  private sup: string[] | null = [];
  private sub: string[] | null = [];
  private spaced = false;
  private lastLetter = false;
  private lastAlphanumeric = false;
  private count = 0;
  private only: Piece | undefined;

  space(): void {
    if (this.count) this.spaced = true;
  }

  spacedOrEmpty(): boolean {
    return this.spaced || this.count === 0;
  }

  add(p: Piece): void {
    const before = this.spaced && !p.script && !(this.lastLetter && startsWithLetter(p.plain));
    // An operator's name is kept apart from the letter before it (`n\log n` → n log n), as TeX spaces it.
    if (before || (p.word && p.plain && this.lastAlphanumeric)) this.plain.push(' ');
    this.spaced = false;
    this.plain.push(p.plain);
    if (p.sup === null) this.sup = null;
    else this.sup?.push(p.sup);
    if (p.sub === null) this.sub = null;
    else this.sub?.push(p.sub);
    if (p.plain) {
      this.count++;
      this.only = p;
      this.lastLetter = p.letter === true;
      this.lastAlphanumeric = ALPHANUMERIC.test(lastCharacter(p.plain));
    }
  }

  piece(): Piece {
    if (this.count === 1 && this.plain.length === 1) return { ...this.only!, script: false };
    return { plain: this.plain.join(''), sup: this.sup?.join('') ?? null, sub: this.sub?.join('') ?? null };
  }
}

type Handler = (r: Reader, depth: number, name: string) => Piece | Font;

const fraction: Handler = (r, depth) => {
  const top = r.argument(depth, PLAIN) ?? EMPTY;
  const bottom = r.argument(depth, PLAIN) ?? EMPTY;
  return loose(`${operand(top.plain)}/${operand(bottom.plain)}`);
};

const root: Handler = (r, depth) => {
  let index = '';
  let close = -1;
  for (let j = r.i + 1; r.src[r.i] === '[' && j < r.src.length && j <= r.i + 20 && close < 0; j++) {
    if (r.src[j] === ']') close = j;
  }
  if (close > 0) {
    index = r.src.slice(r.i + 1, close).trim();
    r.i = close + 1;
  }
  const sign =
    index === '' || index === '2' ? '√' : index === '3' ? '∛' : index === '4' ? '∜' : `${scriptForm(index, 'sup')}√`;
  return loose(sign + operand((r.argument(depth, PLAIN) ?? EMPTY).plain));
};

const textual: Handler = (r, depth) => {
  const inside = r.text(r.raw(), depth);
  return { plain: inside, sup: inScript(inside, SUPERSCRIPTS), sub: inScript(inside, SUBSCRIPTS) };
};

/** `\href{a}{text}` → `text (a)`, `\url{a}` → `a`: the address as written, not read as math. */
const link: Handler = (r, depth, name) => {
  const address = r
    .raw()
    .replace(/\\([_%#&~$])/g, '$1')
    .replace(/\s+/g, '');
  const shown = name === 'href' ? r.text(r.raw(), depth).trim() : '';
  return loose(shown && shown !== address ? `${shown} (${address})` : address);
};

const upright: Handler = (r, depth) => r.argument(depth, PLAIN) ?? EMPTY;
const nothing: Handler = () => EMPTY;
const space: Handler = () => SPACE;
/** Reads an argument, unused (`\label{…}`, `\color{red}`), and stands for `piece`. */
function afterArgument(piece: Piece): Handler {
  return (r) => {
    r.raw();
    return piece;
  };
}
const dropArgument = afterArgument(EMPTY);
const second: Handler = (r, depth) => {
  r.raw();
  return r.argument(depth, PLAIN) ?? EMPTY;
};

/** `\left(`: the delimiter is what follows; `\right.` is none. */
const sizing: Handler = (r) => {
  r.skipSpaces();
  if (r.src[r.i] === '.') r.i++;
  return EMPTY;
};

const ENVIRONMENT_DELIMITERS: Record<string, [string, string]> = {
  pmatrix: ['(', ')'],
  bmatrix: ['[', ']'],
  vmatrix: ['|', '|'],
  Vmatrix: ['‖', '‖'],
  cases: ['{ ', ''],
};

const environment: Handler = (r, _depth, name) => {
  const env = r.raw().trim();
  if (name === 'begin' && /^(array|tabular|subarray)$/.test(env)) r.raw();
  const delimiters = ENVIRONMENT_DELIMITERS[env];
  return delimiters ? loose(delimiters[name === 'begin' ? 0 : 1]) : SPACE;
};

const binomial: Handler = (r, depth) => {
  const n = r.argument(depth, PLAIN) ?? EMPTY;
  const k = r.argument(depth, PLAIN) ?? EMPTY;
  return loose(`C(${n.plain}, ${k.plain})`);
};

const underset: Handler = (r, depth) => {
  const under = r.argument(depth, PLAIN) ?? EMPTY;
  const base = r.argument(depth, PLAIN) ?? EMPTY;
  return loose(base.plain + (under.sub ?? `_${grouped(under.plain)}`));
};

/** `\not\in` → ∉, `\not=` → ≠ where Unicode has the negated sign, else the sign with a slash through it. */
const negation: Handler = (r, depth) => {
  const negated = r.argument(depth, PLAIN);
  return negated ? character(`${negated.plain}\u0338`.normalize('NFC')) : EMPTY;
};

const COMMANDS: Record<string, Handler> = Object.assign(Object.create(null), {
  ...each(['frac', 'dfrac', 'tfrac', 'cfrac', 'sfrac'], fraction),
  sqrt: root,
  href: link,
  url: link,
  ...each(['binom', 'dbinom', 'tbinom'], binomial),
  ...each(
    ['text', 'textrm', 'textnormal', 'textup', 'textit', 'textbf', 'textsf', 'texttt', 'textsl', 'textsc', 'emph'],
    textual,
  ),
  ...each(['mbox', 'hbox', 'textmd', 'textmu'], textual),
  ...each(
    ['mathrm', 'operatorname', 'mathop', 'mathit', 'mathsf', 'mathtt', 'mathnormal', 'mathup', 'mathbin', 'mathrel'],
    upright,
  ),
  ...each(
    ['mathord', 'mathpunct', 'boxed', 'overbrace', 'underbrace', 'ensuremath', 'smash', 'displaylimits'],
    upright,
  ),
  ...each(['left', 'right', 'middle', 'big', 'Big', 'bigg', 'Bigg', 'bigl', 'bigr', 'Bigl', 'Bigr'], sizing),
  ...each(['biggl', 'biggr', 'Biggl', 'Biggr', 'bigm', 'Bigm'], sizing),
  ...each(['quad', 'qquad', 'enspace', 'enskip', 'thinspace', 'medspace', 'thickspace', 'space', 'hfill'], space),
  ...each(['negthinspace', 'negmedspace', 'negthickspace', 'nobreak', 'allowbreak', 'relax', 'strut'], nothing),
  ...each(['displaystyle', 'textstyle', 'scriptstyle', 'scriptscriptstyle', 'limits', 'nolimits'], nothing),
  ...each(['nonumber', 'notag', 'mathstrut', 'nolinebreak', 'protect'], nothing),
  ...each(['label', 'tag', 'color', 'phantom', 'hphantom', 'vphantom', 'vspace'], dropArgument),
  hspace: afterArgument(SPACE),
  ...each(['textcolor', 'overset', 'stackrel'], second),
  underset,
  ...each(['begin', 'end'], environment),
  unicode: (r: Reader) => character(unicodeCharacter(r.raw())),
  not: negation,
});

/** Commands that set the font of their argument, with the fonts of UnicodeIt's tables to look letters up in. */
/** Bold stands for a vector or a matrix (𝐱, 𝐖) on one letter; a bold word or number is emphasis, written plain. */
const BOLD: Font = ['mathbf'];
const BOLD_ITALIC: Font = ['mathbfit', 'mathbf'];
const ONE_SYMBOL = /^\s*(?:\\[A-Za-z]+|[^\\\s]|[\uD800-\uDBFF][\uDC00-\uDFFF])\s*$/;

const FONTS: Record<string, Font> = Object.assign(Object.create(null), {
  mathbb: ['mathbb'],
  Bbb: ['mathbb'],
  mathcal: ['mathcal'],
  mathscr: ['mathcal'],
  mathfrak: ['mathfrak'],
  mathbf: BOLD,
  mathbfit: BOLD_ITALIC,
  boldsymbol: BOLD_ITALIC,
  bm: BOLD_ITALIC,
  pmb: BOLD_ITALIC,
});

/** `{\bf x}`, `{\rm d}`, `{\cal L}`: the font of the rest of the group (`\bf` marks words: plain). */
const DECLARATIONS: Record<string, Font> = Object.assign(Object.create(null), {
  bf: PLAIN,
  cal: ['mathcal'],
  rm: PLAIN,
  it: PLAIN,
  sf: PLAIN,
  tt: PLAIN,
  mathversion: PLAIN,
});

function each(names: string[], handler: Handler): Record<string, Handler> {
  return Object.fromEntries(names.map((name) => [name, handler]));
}

/** A symbol or letter, with its raised and lowered forms where Unicode has them (else those of `unstyled`: 𝟑 → ³). */
function character(c: string, unstyled = c): Piece {
  const sup = inScript(c, SUPERSCRIPTS) ?? inScript(unstyled, SUPERSCRIPTS);
  return { plain: c, sup, sub: inScript(c, SUBSCRIPTS) ?? inScript(unstyled, SUBSCRIPTS) };
}

/** A command's name, for one this does not know: `\log` → log. */
function word(name: string): Piece {
  return { plain: name, sup: inScript(name, SUPERSCRIPTS), sub: inScript(name, SUBSCRIPTS), word: true };
}

/** A piece with no raised or lowered form: a fraction, a root. */
function loose(plain: string): Piece {
  return { plain, sup: null, sub: null };
}

/** `key` (a letter, or a command with its backslash) in the first of `font`'s tables that has it. */
function styled(key: string, font: Font): string | undefined {
  for (const name of font) {
    const found = symbol(`\\${name}{${key}}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function accent(arg: Piece | undefined, mark: string, name: string): Piece {
  if (!arg?.plain) return character(symbol(`\\${name}{}`) ?? '');
  let marked = '';
  for (const c of arg.plain) marked += c === ' ' ? c : c + mark;
  return loose(marked.normalize('NFC'));
}

/** Each character of `s` in `forms`, or null when one has none (a space has none: words stay apart). */
function inScript(s: string, forms: ReadonlyMap<string, string>): string | null {
  let out = '';
  for (const c of s) {
    const form = forms.get(c);
    if (form === undefined) return null;
    out += form;
  }
  return out;
}

/** `x` as it is when one character, else `(x)`. */
function grouped(s: string): string {
  const single = s.length === 1 || (s.length === 2 && isHighSurrogate(s[0]!));
  return single || s === '' ? s : `(${s})`;
}

/** A fraction's part or a root's argument: in parentheses unless it is one term (`n`, `2k`, `ε²`, `n(n−1)`). */
function operand(s: string): string {
  let level = 0;
  for (const c of s) {
    if (c === '(' || c === '[') level++;
    else if (c === ')' || c === ']') level--;
    else if (level === 0 && !TERM.test(c)) return `(${s})`;
  }
  return s;
}

const ALPHANUMERIC = /^[\p{L}\p{N})]$/u;
const TERM = /^[\p{L}\p{N}\p{M}.′″∂∇∞⁺⁻⁼₊₋₌^_!]$/u;
const LETTER_LIKE = /^[\p{L}∂∇]$/u;

/** Spaces collapsed, and none just inside brackets or before a row's `;`. */
function tidy(s: string): string {
  return s
    .replace(/ {2,}/g, ' ')
    .replace(/([([⟨]) /g, '$1')
    .replace(/ ([)\]⟩;])/g, '$1');
}

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\t' || c === '\r';
const isHighSurrogate = (c: string) => c >= '\uD800' && c <= '\uDBFF';
const isLowSurrogate = (c: string) => c >= '\uDC00' && c <= '\uDFFF';
const lastCharacter = (s: string) => s.slice(isLowSurrogate(s.at(-1) ?? '') ? -2 : -1);
const isLetterLike = (s: string) => LETTER_LIKE.test(s);
const startsWithLetter = (s: string) => /^[\p{L}\p{N}]/u.test(s);
