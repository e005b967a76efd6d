import { describe, expect, it } from 'vitest';
import { growth, run, seededText } from '../../test/linear.js';
import { BODY_MAX } from './comments.js';
import { renderCommentMarkdown } from './markdown.js';

/**
 * Inputs that make careless Markdown and TeX readers quadratic: openers without a closer, each of which would search
 * to the end of the text again. Rendering any of them four times as long, up to the longest comment, must take
 * about four times as long (a quadratic reader takes 16 times as long).
 */
const adversarial: Record<string, (n: number) => string> = {
  'math openers (issue 13)': (n) => `$${run('a$1')(n - 1)}`,
  'inline math': run('$a'),
  'display math': run('$$a'),
  'dollar then spaces': run('$a $'),
  stars: run('*a'),
  'double stars': run('**a'),
  underscores: run('_a'),
  'stars and underscores': run('*_'),
  'a run of underscores': (n) => `a${'_'.repeat(n - 2)}a`,
  'a run of stars': run('*'),
  backticks: run('`a'),
  'growing backtick runs': (n) => {
    let s = '';
    for (let i = 1; s.length < n; i++) s += `${'`'.repeat(i)}a`;
    return s.slice(0, n);
  },
  brackets: run('['),
  'link openers': run('[a]('),
  'reference openers': run('[a]['),
  backslashes: run('\\'),
  'escaped dollars': run('\\$'),
  'angle brackets': run('<a'),
  'nested quotes': run('>'),
  'deepening quotes': (n) => {
    let s = '';
    for (let i = 0; s.length < n; i++) s += `${'>'.repeat(i % 40)} a\n`;
    return s.slice(0, n);
  },
  'deepening lists': (n) => {
    let s = '';
    for (let i = 0; s.length < n; i++) s += `${'  '.repeat(i % 30)}- a\n`;
    return s.slice(0, n);
  },
  'a long word': run('a'),
  'line breaks': run('a\n'),
  'bare URLs': run('http://a.b/'),
  'random mix 1': seededText(1, ['$', '*', '_', '`', '[', ']', '(', ')', '\\', '>', 'a', '1', ' ', '\n']),
  'random mix 2': seededText(2, ['$', '$', '\\', '(', '[', 'x', '^', '{', '}', ' ']),
  'random mix 3': seededText(3, ['*', '_', '`', '[', ']', '<', '>', ':', '/', 'h', 't', 'p', '\n', '\n']),
};

describe('comment Markdown on adversarial input', () => {
  // Linear work grows about 4x, quadratic 16x; 9 leaves room for garbage collection on a busy machine.
  it.each(Object.entries(adversarial))('grows linearly: %s', (_name, make) => {
    expect(growth(renderCommentMarkdown, make, BODY_MAX / 4)).toBeLessThan(9);
  });

  it('renders the 10,000-character comment of issue 13 in well under 50 ms', () => {
    const comment = `$${'a$1'.repeat(3333)}`;
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      renderCommentMarkdown(comment);
      best = Math.min(best, performance.now() - start);
    }
    expect(best).toBeLessThan(50);
  });
});
