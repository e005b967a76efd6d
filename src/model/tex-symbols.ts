import { combiningmarks, replacements, subsuperscripts } from 'unicodeit/ts_dist/js/data.js';

/**
 * The Unicode for TeX's symbols, from UnicodeIt's tables (svenkreiss/unicodeit, MIT): a command as written (`\alpha`
 * → α, `\leq` → ≤), a font command with one letter or command (`\mathbb{R}` → ℝ, `\mathbf{\theta}` → 𝛉) and an
 * accent with its letter (`\"{o}` → ö). Read as a map rather than through UnicodeIt's `replace`, which runs every one
 * of its 4,257 replacements over the whole string (about 1 ms a call) and is quadratic in a `_{…}` group's length.
 * The few entries below replace ones UnicodeIt gets wrong (`\langle` as the CJK bracket 〈, `\i` as ℹ, `\lbrack` as
 * `(`) or adds what it lacks.
 */
const SYMBOLS = new Map<string, string>([
  ...(replacements as [string, string][]),
  ['\\langle', '⟨'],
  ['\\rangle', '⟩'],
  ['\\lbrack', '['],
  ['\\rbrack', ']'],
  ['\\i', 'ı'],
  ['\\j', 'ȷ'],
  ['\\square', '□'],
  ['\\Box', '□'],
  ['\\qed', '∎'],
  ['\\star', '⋆'],
  ['\\deg', '°'],
  ['\\textdegree', '°'],
  ['\\dots', '…'],
  ['\\hdots', '…'],
  ['\\lvert', '|'],
  ['\\rvert', '|'],
  ['\\lVert', '‖'],
  ['\\rVert', '‖'],
  ['\\textbackslash', '\\'],
  ['\\textregistered', '®'],
  ['\\textendash', '–'],
  ['\\textemdash', '—'],
  ['\\textasciitilde', '~'],
  ['\\textasciicircum', '^'],
  ['\\textunderscore', '_'],
  ['\\textbar', '|'],
  ['\\textless', '<'],
  ['\\textgreater', '>'],
  ['\\dag', '†'],
  ['\\ddag', '‡'],
  ['\\textsc{k}', 'k'],
]);

/** The symbol `key` stands for (`\alpha`, `\mathbb{R}`, `\'{e}`), if UnicodeIt (or the list above) knows it. */
export function symbol(key: string): string | undefined {
  return SYMBOLS.get(key);
}

/** Superscript and subscript forms of the characters that have one: ² ⁻ ⁿ ᵀ, ₁ ᵢ ₚ. */
export const SUPERSCRIPTS = new Map<string, string>();
export const SUBSCRIPTS = new Map<string, string>();
for (const [key, value] of subsuperscripts as [string, string][]) {
  (key[0] === '^' ? SUPERSCRIPTS : SUBSCRIPTS).set(key.slice(1), value);
}
// UnicodeIt's ^V is a Hangul letter and its ^. a Canadian syllabic; ′, *, †, ®… are already raised; ^∘ is a degree.
SUPERSCRIPTS.set('V', 'ⱽ');
SUPERSCRIPTS.delete('.');
for (const raised of ['′', '″', '‴', '*', '∗', '⋆', '†', '‡', '®', '™', '°']) SUPERSCRIPTS.set(raised, raised);
SUPERSCRIPTS.set('∘', '°');
SUPERSCRIPTS.set('⊤', 'ᵀ');

/**
 * The combining mark each accent command puts over (or under, or through) its argument: `\hat{x}` → x̂; `\bar` is
 * a macron (UnicodeIt's is an overline, which is `\overline`).
 */
export const ACCENTS = new Map<string, string>([
  ...(combiningmarks as [string, string][]).map(([command, mark]): [string, string] => [command.slice(1), mark]),
  ['bar', '\u0304'],
  ['widehat', '\u0302'],
  ['widetilde', '\u0303'],
  ['check', '\u030C'],
  ['mathring', '\u030A'],
  ['overrightarrow', '\u20D7'],
]);

/** The combining marks of text mode's accents (`\"o`, `\v{c}`), for a letter UnicodeIt has no entry for. */
export const TEXT_ACCENTS = new Map<string, string>([
  ["'", '\u0301'],
  ['`', '\u0300'],
  ['"', '\u0308'],
  ['^', '\u0302'],
  ['~', '\u0303'],
  ['=', '\u0304'],
  ['.', '\u0307'],
  ['u', '\u0306'],
  ['v', '\u030C'],
  ['H', '\u030B'],
  ['c', '\u0327'],
  ['k', '\u0328'],
  ['r', '\u030A'],
  ['d', '\u0323'],
  ['b', '\u0331'],
  ['t', '\u0361'],
]);

/** `letter` with a text-mode accent (`"`, `v`…): UnicodeIt's character, else the letter and its mark composed. */
export function accented(accent: string, letter: string): string {
  return symbol(`\\${accent}{${letter}}`) ?? `${letter}${TEXT_ACCENTS.get(accent) ?? ''}`.normalize('NFC');
}
