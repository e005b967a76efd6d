import { describe, expect, it } from 'vitest';
import { renderCommentMarkdown as render } from './markdown.js';

/** Every tag name in the output. */
const tags = (html: string) => new Set([...html.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1]));

describe('comment Markdown', () => {
  it('renders the subset: paragraphs, breaks, emphasis, links, code, lists, quotes', () => {
    expect(render('Hello *world* and __strong__')).toBe('<p>Hello <em>world</em> and <strong>strong</strong></p>\n');
    expect(render('one\ntwo')).toBe('<p>one<br>\ntwo</p>\n');
    expect(render('[the paper](https://arxiv.org/abs/2607.00001)')).toBe(
      '<p><a href="https://arxiv.org/abs/2607.00001" rel="nofollow ugc noopener">the paper</a></p>\n',
    );
    expect(render('see https://example.org/x and <a@example.org>')).toBe(
      '<p>see <a href="https://example.org/x" rel="nofollow ugc noopener">https://example.org/x</a> and ' +
        '<a href="mailto:a@example.org" rel="nofollow ugc noopener">a@example.org</a></p>\n',
    );
    expect(render('use `a < b`')).toBe('<p>use <code>a &lt; b</code></p>\n');
    expect(render('```py\nif a < b:\n    pass\n```')).toBe(
      '<pre><code class="language-py">if a &lt; b:\n    pass\n</code></pre>\n',
    );
    expect(render('- a\n- b\n\n1. c')).toBe('<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<ol>\n<li>c</li>\n</ol>\n');
    expect(render('> quoted')).toBe('<blockquote>\n<p>quoted</p>\n</blockquote>\n');
  });

  it('leaves out what is not in the subset: headings, tables, rules, images', () => {
    expect(render('# Title')).toBe('<p># Title</p>\n');
    expect(tags(render('| a | b |\n|---|---|\n| 1 | 2 |\n\n---'))).toEqual(new Set(['p', 'br']));
    const image = render('![tracker](https://evil.example/pixel.png)');
    expect(image).not.toContain('<img');
    expect(image).toBe('<p>!<a href="https://evil.example/pixel.png" rel="nofollow ugc noopener">tracker</a></p>\n');
  });

  it('renders hostile input inert', () => {
    expect(render('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
    expect(render('<img src=x onerror=alert(1)>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>\n');
    expect(render('<div onclick="x()">hi</div>')).not.toMatch(/<div/);
    expect(render('[x](javascript:alert(1))')).toBe('<p>[x](javascript:alert(1))</p>\n');
    expect(
      render('[x](JaVaScRiPt:alert(1)) [y](data:text/html;base64,PHNjcmlwdD4=) [z](vbscript:x) [w](/relative)'),
    ).not.toContain('<a');
    expect(render('<javascript:alert(1)>')).toBe('<p>&lt;javascript:alert(1)&gt;</p>\n');
    expect(render('[x](https://ok.example "a\\" onmouseover=\\"alert(1)")')).toContain(
      'title="a&quot; onmouseover=&quot;alert(1)"',
    );
    expect(render('```"><script>\nx\n```')).not.toContain('<script');
    // Every attribute value is quoted and escaped, so no event handler can appear.
    for (const input of [
      '[a](https://x.example/"onmouseover="alert(1))',
      '<https://x.example/" onfocus="x>',
      'https://x.example/?"onload=x',
    ]) {
      expect(render(input)).not.toMatch(/\son[a-z]+="/);
    }
  });

  it('drops control characters and lone surrogates, which HTML forbids (found by fuzzing)', () => {
    expect(render('\u0001\u0000ce result!')).toBe('<p>ce result!</p>\n');
    expect(render('a\u001B\u009Bb \uD800$x\u0007$')).toBe(render('ab $x$'));
  });

  it('draws TeX math as MathML, keeping underscores and stars out of Markdown', () => {
    const inline = render('Let $a_1 * b_2$ and _c_ be');
    expect(inline).toMatch(/^<p>Let <math><mrow><msub><mi>a<\/mi><mn>1<\/mn><\/msub>/);
    expect(inline).toContain('</math> and <em>c</em> be</p>');
    expect(inline).not.toContain('$');
    const display = render('$$\\sum_{i=1}^{n} i^2$$');
    expect(display).toContain('<math display="block"');
    expect(display).toContain('<mo movablelimits="false">∑</mo>');
  });

  it('leaves dollars that are not math, math inside code, and bad TeX as text', () => {
    expect(render('It costs $5 or $10.')).toBe('<p>It costs $5 or $10.</p>\n');
    expect(render('`$x_1$` stays code')).toBe('<p><code>$x_1$</code> stays code</p>\n');
    expect(render('$\\frac{1}{$')).not.toContain('<math');
    const href = render('$\\href{javascript:alert(1)}{click}$');
    expect(href).not.toContain('<a');
    expect(href).toContain('<code class="tex">$\\href{javascript:alert(1)}{click}$</code>');
    expect(render('$<script>alert(1)</script>$')).not.toContain('<script');
  });
});
