import { describe, expect, it } from 'vitest';
import { growth, run, seededText } from '../../test/linear.js';
import { assets, stylesheet } from './assets.js';
import { renderTextWithMath, renderTitle } from './math.js';

describe('renderTextWithMath', () => {
  it('renders inline TeX as MathML and escapes the text around it', () => {
    const html = renderTextWithMath('A bound of $O(n^2)$ for <b>all</b> x & y.');
    expect(html).toContain('<math');
    expect(html).toContain('<msup>');
    expect(html).toContain('&lt;b&gt;all&lt;/b&gt; x &amp; y.');
    expect(html).not.toContain('<b>');
  });

  it('drops control characters and lone surrogates, which HTML forbids (found by fuzzing)', () => {
    expect(renderTextWithMath('\u0000ensor simulation')).toBe('ensor simulation');
    expect(renderTextWithMath('a\u0001 \uDC00$x\u000B$ & b')).toBe(
      renderTextWithMath('a $x$ &amp; b'.replace('&amp;', '&')),
    );
  });

  it('renders display math and \\( \\) forms', () => {
    expect(renderTextWithMath('$$\\sum_i x_i$$')).toMatch(/<math[^>]*display="block"/);
    expect(renderTextWithMath('where \\(\\alpha\\) is')).toContain('α');
  });

  it('keeps TeX that does not parse as escaped text and never lets markup through', () => {
    expect(renderTextWithMath('cost $\\frac{1}{$ and $5 and $10')).not.toContain('<script');
    const hostile = renderTextWithMath('$\\href{javascript:alert(1)}{x}$ <script>alert(1)</script>');
    expect(hostile).not.toMatch(/href="?javascript/);
    expect(hostile).toContain('&lt;script&gt;');
    expect(renderTextWithMath('price is $5 and $6 today')).toContain('price is');
  });
});

describe('renderTitle', () => {
  it('draws math inline, display math too, and the LaTeX of the text, without links', () => {
    expect(renderTitle('Codes over $\\mathbb{Z}_{121}$')).toMatch(/^Codes over <math><msub>.*<\/msub><\/math>$/);
    expect(renderTitle('$$x$$ & \\textit{y}')).toMatch(/^<math><mi>x<\/mi><\/math> &amp; <em>y<\/em>$/);
    expect(renderTitle('See \\href{https://a.org}{here} at \\url{https://b.org}')).toBe('See here at https://b.org');
  });

  it("keeps search's marks on the text, but not in formulas", () => {
    const title = 'Bounds of order $O(n^2)$ for <all> & "every" n';
    const highlighted =
      '<mark>Bounds</mark> of order $O(<mark>n</mark>^2)$ for &lt;all&gt; &amp; &quot;every&quot; <mark>n</mark>';
    expect(renderTitle(title, highlighted)).toMatch(
      /^<mark>Bounds<\/mark> of order <math>.*<\/math> for &lt;all&gt; &amp; &quot;every&quot; <mark>n<\/mark>$/,
    );
    expect(renderTitle('Plain words', 'Plain <mark>words</mark>')).toBe('Plain <mark>words</mark>');
    // Marks for another text are not used.
    expect(renderTitle('Plain words', 'Other <mark>words</mark>')).toBe('Plain words');
  });
});

describe('the LaTeX of an abstract outside math', () => {
  it('renders \\href and \\url as links to http(s) addresses, marked nofollow ugc', () => {
    expect(
      renderTextWithMath(
        'Code is at\n\\href{https://github.com/a/causal-imt}{the repository} and \\url{https://x.org/a\\_b\\%20c}.',
      ),
    ).toBe(
      'Code is at\n<a href="https://github.com/a/causal-imt" rel="nofollow ugc noopener">the repository</a> and ' +
        '<a href="https://x.org/a_b%20c" rel="nofollow ugc noopener">https://x.org/a_b%20c</a>.',
    );
  });

  it('renders \\textit, \\emph and \\textbf as emphasis, with math inside, and font commands as their text', () => {
    expect(
      renderTextWithMath('a \\textit{training-free} \\emph{very} \\textbf{Personalize\nAnything} \\textsc{AlignX}'),
    ).toBe('a <em>training-free</em> <em>very</em> <strong>Personalize\nAnything</strong> AlignX');
    expect(renderTextWithMath('\\textit{bounds of $O(n)$}')).toMatch(/^<em>bounds of <math>.*<\/math><\/em>$/);
    expect(renderTextWithMath('\\texttt{x<y} \\textcolor{red}{z}')).toBe('<code>x&lt;y</code> z');
  });

  it('keeps other addresses, unclosed braces and unknown commands as escaped text', () => {
    expect(
      renderTextWithMath('\\href{javascript:alert(1)}{click} \\url{javascript:alert(1)} \\url{data:text/html,x}'),
    ).toBe('click javascript:alert(1) data:text/html,x');
    expect(renderTextWithMath('\\textit{unclosed and \\textbf{x} \\cite{a} \\href{https://a.org}')).toBe(
      '\\textit{unclosed and <strong>x</strong> \\cite{a} \\href{https://a.org}',
    );
    expect(renderTextWithMath('\\href{https://x.org/"onmouseover="alert(1)}{q}')).toBe(
      '<a href="https://x.org/%22onmouseover=%22alert(1)" rel="nofollow ugc noopener">q</a>',
    );
  });

  it('never puts a link in a link, and stops at a depth', () => {
    expect(renderTextWithMath('\\href{https://a.org}{see \\href{https://b.org}{b} and \\url{https://c.org}}')).toBe(
      '<a href="https://a.org/" rel="nofollow ugc noopener">see b and https://c.org</a>',
    );
    const deep = `${'\\textit{'.repeat(20)}x${'}'.repeat(20)}`;
    const html = renderTextWithMath(deep);
    expect(html.match(/<em>/g)).toHaveLength(8);
    expect(html).toContain('\\textit{x}');
  });
});

describe("math under the Content-Security-Policy (style-src 'self')", () => {
  // From the abstract of 2506.23165, whose tilde temml kept full size with an inline style the CSP blocked.
  const ABSTRACT =
    'In the oracle-based RCMDP setting, we obtain an\n$\\mathcal{O}\\left(\\frac{1}{T}\\right)$ convergence rate [...] we\n' +
    'obtain an $\\tilde{\\mathcal{O}}\\left(\\frac{1}{T^{1/3}}\\right)$ convergence rate.';
  /** Classes temml writes as hooks, with no style of their own. */
  const HOOKS = new Set(['tml-tageqn', 'tml-tag']);

  it('draws it without inline styles, with classes and attributes the served stylesheet defines', () => {
    const html = renderTextWithMath(
      `${ABSTRACT} $$x = \\frac{\\frac{a}{\\frac{b}{c}}}{d} \\tag{1}$$ $\\hat{x}\\color{red}{y}\\!z\\mathscr{L}$`,
    );
    expect(html.match(/<math/g)).toHaveLength(4);
    expect(html).not.toMatch(/ style="/);
    expect(html).toContain('<mo stretchy="false" scriptlevel="0">~</mo>');
    expect(html).toContain('mathcolor="#ff0000"');
    const classes = new Set([...html.matchAll(/class="([^"]*)"/g)].flatMap((m) => m[1]!.split(' ')));
    for (const c of classes) if (!HOOKS.has(c)) expect(stylesheet.body, c).toContain(`.${c}`);
    expect(classes).toContain('tex-ml-n3');
  });

  it("serves temml's stylesheet and its font with the site's stylesheet", () => {
    const font = assets.find((a) => a.type === 'font/woff2')!;
    expect(stylesheet.body).toContain(`url('${font.path}')`);
    expect(stylesheet.body).toContain('math.tml-display');
    expect(font.body.length).toBeGreaterThan(1000);
  });
});

describe('renderTextWithMath on adversarial input', () => {
  const adversarial: Record<string, (n: number) => string> = {
    'unclosed \\(': run('\\('),
    'unclosed \\[': run('\\['),
    dollars: run('$a'),
    'display dollars': run('$$a'),
    'math openers (issue 13)': (n) => `$${run('a$1')(n - 1)}`,
    'random mix': seededText(4, ['$', '\\', '(', ')', '[', ']', 'x', '\n', ' ']),
    'unclosed \\textit{': run('\\textit{a'),
    'unclosed \\href': run('\\href{https://a.org}{'),
    'unclosed \\url': run('\\url{https://a.org/'),
    'nested \\href': (n) => `${run('\\href{https://a.org}{')(n / 2)}${run('}')(n / 2)}`,
    'nested \\textit': (n) => `${run('\\textit{')(n / 2)}${run('}')(n / 2)}`,
    'closed braces': run('\\emph{a}{'),
    'random LaTeX': seededText(5, ['\\href', '\\url', '\\textit', '{', '}', '$', 'https://a.org', '\\', ' ']),
  };

  it.each(Object.entries(adversarial))('grows linearly: %s', (_name, make) => {
    expect(growth(renderTextWithMath, make, 2_500)).toBeLessThan(9);
  });
});
