import Database from 'better-sqlite3';
import fc from 'fast-check';
import { renderCommentMarkdown } from '../../../src/community/markdown.js';
import { escapeHtml } from '../../../src/model/html.js';
import { texToUnicode } from '../../../src/model/tex-unicode.js';
import { cleanLine, cleanName, cleanRecord, cleanText } from '../../../src/model/text.js';
import { fts5Constraint, MAX_TERMS, parseQuery } from '../../../src/search/query.js';
import { renderTextWithMath, renderTitle } from '../../../src/web/math.js';
import { type Target, target } from '../harness.js';
import { CONTROL, expect, htmlProblem, LONE_SURROGATE } from '../invariants.js';
import { longRun, mutatedText, randomText } from '../mutate.js';
import { abstractSeeds, commentSeeds, paperSeeds, querySeeds, titleSeeds } from '../seeds.js';

/** Every element the comment renderer and temml's MathML make; any other tag in the output came from the input. */
const MATHML = [
  'math',
  'semantics',
  'annotation',
  'mrow',
  'mi',
  'mo',
  'mn',
  'ms',
  'mtext',
  'mspace',
  'msub',
  'msup',
  'msubsup',
  'mfrac',
  'msqrt',
  'mroot',
  'munder',
  'mover',
  'munderover',
  'mtable',
  'mtr',
  'mtd',
  'mlabeledtr',
  'mstyle',
  'mpadded',
  'mphantom',
  'menclose',
  'merror',
  'mmultiscripts',
  'mprescripts',
  'none',
  'maction',
];
const COMMENT_TAGS = new Set([
  'p',
  'br',
  'em',
  'strong',
  'a',
  'code',
  'pre',
  'ul',
  'ol',
  'li',
  'blockquote',
  ...MATHML,
]);
/** With the LaTeX of the text: \href and \url, \textit, \textbf, \texttt (src/web/tex-text.ts). */
const ABSTRACT_TAGS = new Set([...MATHML, 'a', 'em', 'strong', 'code']);

const markdown = target<string>({
  name: 'comment markdown',
  arbitrary: mutatedText(commentSeeds, 8),
  check: (source) => {
    const problem = htmlProblem(renderCommentMarkdown(source), COMMENT_TAGS);
    expect(problem === undefined, () => `the comment HTML is unsafe: ${problem}`);
  },
});

const math = target<string>({
  name: 'abstract math',
  arbitrary: mutatedText(abstractSeeds, 8),
  check: (text) => {
    const problem = htmlProblem(renderTextWithMath(text), ABSTRACT_TAGS);
    expect(problem === undefined, () => `the abstract HTML is unsafe: ${problem}`);
  },
});

const TITLE_TAGS = new Set([...MATHML, 'em', 'strong', 'code', 'mark']);

const title = target<string>({
  name: 'title math',
  arbitrary: mutatedText(titleSeeds, 6),
  check: (text) => {
    const problem = htmlProblem(renderTitle(text, escapeHtml(text)), TITLE_TAGS);
    expect(problem === undefined, () => `the title HTML is unsafe: ${problem}`);
  },
});

/** TeX runs that a reader of nested groups and scripts could choke on, inside and outside a formula. */
const TEX_RUN = fc
  .tuple(fc.constantFrom('{', '^', '_{', '\\', '$', '\\frac', '\\sqrt[', '\\text{', '\\emph{', "\\'"), fc.nat(3000))
  .map(([unit, n]) => unit.repeat(n))
  .chain((run) => fc.constantFrom(run, `$${run}$`, `$${run}x}$`, `\\(${run}\\)`));

const emailText = target<string>({
  name: 'TeX as plain text (email)',
  arbitrary: fc.oneof(
    mutatedText([...abstractSeeds.slice(0, 20), ...titleSeeds.slice(0, 20)], 8),
    randomText,
    longRun,
    TEX_RUN,
  ),
  check: (text) => {
    const out = texToUnicode(text);
    const control = /[\0-\x1F\x7F-\x9F\uFFFE\uFFFF\u2028\u2029]/.exec(out);
    expect(!control, () => `it left U+${control![0].charCodeAt(0).toString(16)}`);
    expect(!LONE_SURROGATE.test(out), () => 'it left a lone surrogate');
    expect(out.length <= 2 * text.length + 8, () => `${text.length} characters became ${out.length}`);
  },
});

const WORD = /^[\p{L}\p{N}]+$/u;

function queryTarget(): Target {
  let db: Database.Database | undefined;
  return target<{ q: string; prefixLast: boolean }>({
    name: 'search query',
    arbitrary: fc.record({ q: mutatedText(querySeeds, 8), prefixLast: fc.boolean() }),
    open: async () => {
      db = new Database(':memory:');
      db.exec(`CREATE VIRTUAL TABLE t USING fts5 (title, tokenize = 'porter unicode61 remove_diacritics 2');
               INSERT INTO t VALUES ('graph neural networks for diffusion models');`);
    },
    close: async () => {
      db?.close();
    },
    check: ({ q, prefixLast }) => {
      const parsed = parseQuery(q, { prefixLast });
      expect(parsed.terms.length <= MAX_TERMS, () => `${parsed.terms.length} terms`);
      const all = [
        ...parsed.terms.flatMap((t) => [t.word, ...t.alternatives]),
        ...parsed.phrases.flat(),
        ...parsed.exclude.flat(),
      ];
      expect(all.length <= 1000, () => `${all.length} words from ${q.length} characters`);
      const bad = all.find((w) => !WORD.test(w));
      expect(bad === undefined, () => `a word that is not letters and digits: ${JSON.stringify(bad)}`);
      for (const expression of [fts5Constraint(parsed, 'phrases'), fts5Constraint(parsed, 'exclude')]) {
        if (expression !== undefined) db!.prepare('SELECT count(*) FROM t WHERE t MATCH ?').get(expression);
      }
    },
  });
}

const BREAK = /[\t\n\v\f\r\u2028\u2029]/;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

function expectClean(out: string, input: string, clean: (s: string) => string, what: string): void {
  const control = CONTROL.exec(out);
  expect(!control, () => `${what} left U+${control![0].charCodeAt(0).toString(16)} in place`);
  expect(!LONE_SURROGATE.test(out), () => `${what} left a lone surrogate`);
  expect(out.length <= input.length, () => `${what} made the text longer`);
  expect(clean(out) === out, () => `${what} is not idempotent`);
}

const text = target<{ s: string; names: string[] }>({
  name: 'text cleaner',
  arbitrary: fc.record({
    s: fc.oneof(mutatedText([...abstractSeeds.slice(0, 10), ...titleSeeds.slice(0, 10)], 10), randomText),
    names: fc.array(mutatedText(paperSeeds.flatMap((p) => p.authors).slice(0, 40), 3), { maxLength: 4 }),
  }),
  check: ({ s, names }) => {
    expectClean(cleanText(s), s, cleanText, 'cleanText');
    const line = cleanLine(s);
    expectClean(line, s, cleanLine, 'cleanLine');
    expect(!BREAK.test(line), () => 'cleanLine left a line break');
    const name = cleanName(s);
    expectClean(name, s, cleanName, 'cleanName');
    expect(!BIDI.test(name), () => 'cleanName left a bidirectional control');
    const record = cleanRecord({
      id: s,
      source: 'jsonl',
      title: s,
      abstract: s,
      authors: names,
      comment: s,
      doi: s,
      codeUrls: names,
    });
    for (const value of Object.values(record).flat()) {
      if (typeof value !== 'string') continue;
      expect(!CONTROL.test(value) && !LONE_SURROGATE.test(value), () => `cleanRecord left ${JSON.stringify(value)}`);
    }
    expect(
      record.authors!.every((a) => !BIDI.test(a) && !BREAK.test(a)),
      () => 'cleanRecord left a break or bidi control in a name',
    );
  },
});

export const textTargets = (): Target[] => [queryTarget(), markdown, math, title, text, emailText];
