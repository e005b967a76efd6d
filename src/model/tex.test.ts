import { describe, expect, it } from 'vitest';
import { renderTex } from './tex.js';
import { TEX_STYLESHEET } from './tex-styles.js';

/** TeX that makes temml write each of its inline styles, with what must stand for them. */
const STYLED: [tex: string, display: boolean, expected: RegExp[]][] = [
  // 2506.23165: the tilde stays full size (math-depth:0).
  [
    '\\tilde{\\mathcal{O}}\\left(\\frac{1}{T^{1/3}}\\right)',
    false,
    [/<mo stretchy="false" scriptlevel="0">~<\/mo>/, /class="mathcal"/],
  ],
  ['\\frac{\\frac{a}{\\frac{b}{c}}}{d}', false, [/<mi scriptlevel="2">a<\/mi>/]],
  ['\\color{red}{x} + \\textcolor{#00ff00}{y}', false, [/<mi mathcolor="#ff0000">x/, /mathcolor="#00ff00"/]],
  ['a\\!b \\kern-2mu c \\hspace{-3pt} d', false, [/tex-ml-n3/, /tex-ml-n2/, /tex-ml-n5/]],
  [
    '\\begin{array}{|c:c|}\\hline a & b \\\\ \\hdashline c & d\\end{array}',
    false,
    [/tex-border-top-0-06em-solid/, /tex-border-bottom-0-06em-dashed/, /tex-border-right-0-06em-dashed/, /tex-pl-0/],
  ],
  ['\\renewcommand{\\arraystretch}{1.5}\\begin{array}{cc}a&b\\end{array}', false, [/tex-pt-10 tex-pb-10/]],
  ['f(x)=\\begin{cases}1 & x>0\\\\0&\\text{else}\\end{cases}', false, [/class="tml-left tex-pl-18 tex-pr-0"/]],
  [
    '\\boxed{x}\\fcolorbox{red}{yellow}{y}',
    false,
    [/tex-padding-3pt tex-border-1px-solid/, /tex-padding-0-3em tex-border-0-0667em-solid/],
  ],
  ['\\cancelto{0}{x}', false, [/class="tml-cancelto tex-left-0-1em tex-width-90"/]],
  ['\\raisebox{0.5em}{x}\\raisebox{-2pt}{y}', false, [/tex-pt-8 tex-pr-0 tex-pb-0 tex-pl-0/, /tex-pb-4/]],
  ['\\llap{x}\\mathclap{z}', false, [/tex-position-absolute tex-right-0 tex-bottom-0/, /tex-display-flex/]],
  ['\\boldsymbol{+}', false, [/tex-font-weight-bold/]],
  ['\\mathit{2}', false, [/tex-font-style-italic tex-font-family-Cambria-Times-New-Roman-serif/]],
  ['x = y \\tag{1}', true, [/<math display="block" class="tml-display">/, /class="tex-width-100"/]],
  ['\\begin{multline}a\\\\b\\end{multline}', true, [/tex-padding-0 tex-width-7-5 tex-pl-0 tex-pr-7/]],
  ['\\begin{CD}A @>a>> B\\end{CD}', true, [/tex-height-1em/]],
  ['\\reflectbox{x}', false, [/tex-transform-scaleX-1/]],
];

describe('renderTex', () => {
  it.each(STYLED)('leaves no inline style, which the CSP blocks: %s', (tex, display, expected) => {
    const html = renderTex(tex, display);
    expect(html).toBeDefined();
    expect(html).not.toMatch(/ style="/);
    for (const pattern of expected) expect(html).toMatch(pattern);
  });

  it('writes only classes its stylesheet defines', () => {
    const used = new Set(
      STYLED.flatMap(([tex, display]) =>
        [...renderTex(tex, display)!.matchAll(/class="([^"]*)"/g)].flatMap((m) => m[1]!.split(' ')),
      ).filter((c) => c.startsWith('tex-')),
    );
    expect(used.size).toBeGreaterThan(20);
    for (const c of used) expect(TEX_STYLESHEET, c).toContain(`.${c} {`);
  });

  it('drops what is not a colour or a depth, and what it does not know', () => {
    const html = renderTex('\\cancelto{0}{x}', false)!;
    expect(html).not.toContain('undefined');
    expect(renderTex('\\frac{1', false)).toBeUndefined();
    expect(renderTex('x'.repeat(2001), false)).toBeUndefined();
  });
});
