import fc from 'fast-check';

/**
 * Arbitraries that mutate real inputs: a seed (a recorded response, a line of a dump, an abstract) and a short list
 * of edits applied in order. Positions are taken modulo the length at the time of the edit, so every edit applies
 * to any seed, and fast-check shrinks a failure to fewer, earlier edits on the first seed.
 */

/** Characters and snippets that have broken parsers and renderers before, or that their formats give a meaning. */
export const HOSTILE = [
  '\0',
  '\x01',
  '\x08',
  '\x0B',
  '\x0C',
  '\x1B',
  '\x7F',
  '\x85',
  '\x9B',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\u202E',
  '\u202D',
  '\u2066',
  '\u2069',
  '\u200B',
  '\uFEFF',
  '\uFFFE',
  '\uFFFF',
  '\u2028',
  '\u2029',
  '\u00A0',
  '\r',
  '\n',
  '\r\n',
  '\n\n',
  '\t',
  ' ',
  '$',
  '$$',
  '*',
  '**',
  '_',
  '__',
  '`',
  '```',
  '[',
  ']',
  '](',
  '(',
  ')',
  '\\',
  '\\(',
  '\\)',
  '\\[',
  '\\]',
  '>',
  '<',
  '&',
  '"',
  "'",
  '-',
  '-"',
  '{',
  '}',
  ':',
  ',',
  '#',
  '~',
  '|',
  '!',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '[x](javascript:alert(1))',
  ']]>',
  '<![CDATA[',
  '<!--',
  '-->',
  '<?xml version="1.0"?>',
  '<?x',
  '<!DOCTYPE x [<!ENTITY e "ee">]>',
  '&e;',
  `<!DOCTYPE x [<!ENTITY e "${'e'.repeat(200)}">]>`,
  '&e;'.repeat(600),
  '&amp;',
  '&lt;',
  '&#0;',
  '&#x1;',
  '&#xD800;',
  '&#1114112;',
  '&#x10FFFF;',
  '&nbsp;',
  '&unknown;',
  '9'.repeat(400),
  '1e999',
  '-1e999',
  '-1',
  '-0',
  '0.5',
  '9007199254740993',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '\\begin{matrix}',
  '\\end{matrix}',
  '\\frac{',
  '\\def\\a{\\a}\\a',
  '\\href{javascript:alert(1)}{x}',
  '^',
  '{',
  '}',
  'https://github.com/a/b',
  'http://',
  'mailto:',
  '2999-01-01',
  '0000-00-00',
  '1991-07-31',
  'oai:arXiv.org:',
  '😀',
  'é',
  'ﬁ',
  'İ',
  'ß',
  '\u0301',
];

export const hostileToken = fc.constantFrom(...HOSTILE);

/** A run of one hostile snippet, up to a few thousand characters long. */
export const longRun = fc
  .tuple(hostileToken, fc.integer({ min: 50, max: 5000 }))
  .map(([t, n]) => t.repeat(Math.ceil(n / t.length)));

/** Any string: every code point (lone surrogates included) or hostile snippets strung together. */
export const randomText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: fc.oneof(hostileToken, fc.string({ unit: 'grapheme-ascii', maxLength: 3 })), maxLength: 60 }),
);

export type Edit =
  | { kind: 'flip'; at: number; char: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'element'; nth: number; drop: boolean };

const at = fc.nat();
const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      at,
      char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, text: hostileToken }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, text: longRun }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 200 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 400 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('element' as const), nth: fc.nat(), drop: fc.boolean() }) },
);

export const edits = (max = 6) => fc.array(edit, { minLength: 1, maxLength: max });

export function applyEdits(seed: string, list: readonly Edit[]): string {
  return list.reduce(applyEdit, seed);
}

function applyEdit(s: string, e: Edit): string {
  switch (e.kind) {
    case 'flip': {
      const i = e.at % Math.max(s.length, 1);
      return s.slice(0, i) + e.char + s.slice(i + 1);
    }
    case 'insert': {
      const i = e.at % (s.length + 1);
      return s.slice(0, i) + e.text + s.slice(i);
    }
    case 'delete': {
      const i = e.at % Math.max(s.length, 1);
      return s.slice(0, i) + s.slice(i + e.length);
    }
    case 'truncate':
      return s.slice(0, e.at % (s.length + 1));
    case 'duplicate': {
      const i = e.at % Math.max(s.length, 1);
      return s.slice(0, i + e.length) + s.slice(i);
    }
    case 'element':
      return editElement(s, e.nth, e.drop);
  }
}

/**
 * Drops or doubles a whole element (`<x …>…</x>`) or, in JSON, a whole `"key": value` member: the n-th opening
 * `<` or `"key":` of the text. A tag without its end tag is dropped or doubled alone (an unclosed element).
 */
function editElement(s: string, nth: number, drop: boolean): string {
  const starts: number[] = [];
  for (const m of s.matchAll(/<[A-Za-z]|"[^"\\\n]{1,40}"\s*:/g)) starts.push(m.index);
  if (starts.length === 0) return s;
  const start = starts[nth % starts.length]!;
  const end = elementEnd(s, start);
  return drop ? s.slice(0, start) + s.slice(end) : s.slice(0, end) + s.slice(start, end) + s.slice(end);
}

function elementEnd(s: string, start: number): number {
  if (s[start] === '<') {
    const name = /^<([^\s/>]+)/.exec(s.slice(start, start + 100))?.[1];
    const close = name === undefined ? -1 : s.indexOf(`</${name}>`, start);
    if (close >= 0) return close + name!.length + 3;
    const tagEnd = s.indexOf('>', start);
    return tagEnd < 0 ? s.length : tagEnd + 1;
  }
  // A JSON member: up to the next comma or closing bracket at the same depth.
  let depth = 0;
  let inString = false;
  for (let i = s.indexOf(':', start) + 1; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) return i;
      depth--;
    } else if (c === ',' && depth === 0) return i + 1;
  }
  return s.length;
}

/**
 * Inputs for a parser of text: a seed with edits (mostly), two seeds spliced together (the first's head, the
 * second's tail), a seed unchanged, or text owing nothing to any seed.
 */
export function mutatedText(seeds: readonly string[], maxEdits = 6): fc.Arbitrary<string> {
  const seed = fc.constantFrom(...seeds);
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(seed, edits(maxEdits)).map(([s, list]) => applyEdits(s, list)) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(seed, seed, fc.nat(), fc.nat(), fc.array(edit, { maxLength: 3 }))
        .map(([a, b, i, j, list]) => applyEdits(a.slice(0, i % (a.length + 1)) + b.slice(j % (b.length + 1)), list)),
    },
    { weight: 1, arbitrary: seed },
    { weight: 3, arbitrary: randomText },
  );
}

/** A JSON value a field was not meant to hold. Numbers JSON.stringify cannot write are marked and written raw. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    -0.5,
    1e308,
    -1e308,
    2 ** 53 + 2,
    '',
    [],
    {},
    [null],
    { '': null },
    rawNumber('1e999'),
    rawNumber('-1e999'),
    rawNumber('9'.repeat(400)),
    rawNumber('1e-400'),
  ),
  hostileToken,
  randomText,
  fc.jsonValue({ maxDepth: 2 }),
);

function rawNumber(text: string): string {
  return `\u0000RAW:${text}`;
}

/** JSON text of a value in which `rawNumber` markers became bare numbers. */
export function writeJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000RAW:([^"]*)"/g, '$1');
}

export type JsonEdit = { nth: number; key: number; action: 'delete' | 'set' | 'wrap'; value: unknown };

export const jsonEdits = fc.array(
  fc.record({
    nth: fc.nat(),
    key: fc.nat(),
    action: fc.constantFrom('delete' as const, 'set' as const, 'wrap' as const),
    value: hostileJson,
  }),
  { minLength: 1, maxLength: 5 },
);

/** A deep copy of `value` with each edit applied to a member of its n-th object (in document order). */
export function applyJsonEdits(value: unknown, list: readonly JsonEdit[]): unknown {
  const copy: unknown = structuredClone(value);
  for (const e of list) {
    const objects: Record<string, unknown>[] = [];
    collectObjects(copy, objects);
    const target = objects[e.nth % Math.max(objects.length, 1)];
    if (!target) continue;
    const keys = Object.keys(target);
    const key = keys.length > 0 ? keys[e.key % keys.length]! : 'x';
    if (e.action === 'delete') delete target[key];
    else if (e.action === 'set') target[key] = e.value;
    else target[key] = [target[key]];
  }
  return copy;
}

function collectObjects(value: unknown, out: Record<string, unknown>[]): void {
  if (Array.isArray(value)) for (const v of value) collectObjects(v, out);
  else if (typeof value === 'object' && value !== null) {
    out.push(value as Record<string, unknown>);
    for (const v of Object.values(value)) collectObjects(v, out);
  }
}
