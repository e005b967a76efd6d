import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { CONTROL } from '../../test/fuzz/invariants.js';
import { growth, run, seededText } from '../../test/linear.js';
import { findFormulas } from './tex.js';
import { texToUnicode } from './tex-unicode.js';

describe('texToUnicode', () => {
  it.each([
    ['$\\mathbb{F}_{p^m}+u\\mathbb{F}_{p^m}$', '𝔽ₚᵐ+u𝔽ₚᵐ'],
    ['$O(n^2 \\log n)$', 'O(n² log n)'],
    ['$\\alpha$-divergence', 'α-divergence'],
    ['$\\sim 10^{-3}$', '∼ 10⁻³'],
    ['\\emph{x}', 'x'],
    ['$\\frac{1}{2}$', '1/2'],
    ['$\\sqrt{d}$', '√d'],
    ['$\\mathcal{O}(1/\\epsilon^2)$', '𝒪(1/ε²)'],
    ['$k$-NN', 'k-NN'],
    ['$\\ell_1$', 'ℓ₁'],
    ['$\\text{SO}(3)$', 'SO(3)'],
    ['$\\mathrm{Re}$', 'Re'],
    ['$\\leq$ $\\times$ $\\to$', '≤ × →'],
    ['$^{13}$C', '¹³C'],
    ['50\\% \\& more', '50% & more'],
  ])('%s → %s', (tex, text) => {
    expect(texToUnicode(tex)).toBe(text);
  });

  it('writes fractions and roots with parentheses where they need them', () => {
    expect(texToUnicode('$\\frac{a+b}{c}$, $\\frac{n(n-1)}{2}$, $\\tfrac12$')).toBe('(a+b)/c, n(n−1)/2, 1/2');
    expect(texToUnicode('$\\frac{\\partial L}{\\partial \\theta}$')).toBe('∂L/∂θ');
    expect(texToUnicode('$\\sqrt{x+y}$ $\\sqrt[3]{x}$ $\\sqrt[n]{x}$')).toBe('√(x+y) ∛x ⁿ√x');
    expect(texToUnicode('$\\tilde{O}\\left(\\frac{d^2}{(1-\\gamma)^4\\epsilon^2}\\right)$')).toBe('Õ(d²/(1−γ)⁴ε²)');
  });

  it('writes a script Unicode cannot raise or lower as ^x or _(…), and never flattens one inside another', () => {
    expect(texToUnicode('$x^q$ $x_{i,j}$ $\\Delta_{AoP}$ $L_\\infty$')).toBe('x^q x_(i,j) Δ_(AoP) L_∞');
    expect(texToUnicode('$2^{2^n}$ $e^{-x^2}$')).toBe('2^(2ⁿ) e^(−x²)');
    expect(texToUnicode('$\\sum_{i=1}^{n} x_i$ $h_{\\min}$ $J_\\text{proj}$')).toBe('∑ᵢ₌₁ⁿ xᵢ hₘᵢₙ Jₚᵣₒⱼ');
    expect(texToUnicode("$f'(x)$ $90^\\circ$ $W^\\top$ $A^*$")).toBe('f′(x) 90° Wᵀ A*');
  });

  it('styles single letters, and writes bold words and numbers plain', () => {
    const braced = '{\\mathbb R}^N';
    expect(texToUnicode(`$\\mathbf{x}_0$ $\\boldsymbol{\\theta}$ $\\mathfrak{g}$ $${braced}$`)).toBe('𝐱₀ 𝜽 𝔤 ℝᴺ');
    expect(texToUnicode('$\\mathbf{Campfire}$ $\\mathbf{0.43}$ $\\bf{3 \\space billion}$')).toBe(
      'Campfire 0.43 3 billion',
    );
    expect(texToUnicode('H$^{\\mathbf{3}}$DP')).toBe('H³DP');
  });

  it('keeps spaces the source has, and none a command name ends with', () => {
    expect(texToUnicode('$a \\leq b$ $28\\times 28$ $17,529\\pm 1,650$ $\\theta \\in \\Theta$')).toBe(
      'a ≤ b 28×28 17,529±1,650 θ ∈ Θ',
    );
    expect(texToUnicode('$O(n\\log n)$ $\\left( x \\right)$ $a\\,b\\quad c$')).toBe('O(n log n) (x) a b c');
    expect(texToUnicode('costs $5 and $6 today')).toBe('costs 5 and 6 today');
    expect(texToUnicode('a$x$b and a $x$ b')).toBe('axb and a x b');
  });

  it('writes accents, negations, links, delimiters and environments', () => {
    expect(texToUnicode('$\\hat{x}$ $\\widetilde{\\mathcal{O}}(n)$ $\\not\\in$ $\\not=$ $\\bar{z}$')).toBe(
      'x̂ 𝒪̃(n) ∉ ≠ z̄',
    );
    expect(texToUnicode('$\\langle a, b \\rangle$ $\\{x \\mid x > 0\\}$ $\\|x\\|_2$')).toBe('⟨a, b⟩ {x ∣ x > 0} ‖x‖₂');
    expect(texToUnicode('$\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}$')).toBe('(a b; c d)');
    expect(texToUnicode('$\\href{https://github.com/a/b-c}{\\text{code}}$')).toBe('code (https://github.com/a/b-c)');
    expect(texToUnicode('Biofouling$\\unicode{x2013}$communities $\\unicode{x0}$.')).toBe('Biofouling–communities .');
  });

  it('writes the LaTeX of the text as what it stands for', () => {
    expect(texToUnicode('\\href{https://a.org}{here} and \\url{https://b.org/x\\_y}')).toBe(
      'here (https://a.org) and https://b.org/x_y',
    );
    expect(texToUnicode('Schr\\"odinger, B\\\'ezier, na\\"{\\i}ve, G\\"{o}rlitz, \\v{C}ech')).toBe(
      'Schrödinger, Bézier, naïve, Görlitz, Čech',
    );
    expect(texToUnicode('field\\footnote{see https://x.y} and prior work~\\cite{a,b}.')).toBe(
      'field (see https://x.y) and prior work.',
    );
    expect(texToUnicode('Fig.~3, ~5% better, a---b -- c, {\\em new} \\textbf{bold}')).toBe(
      'Fig. 3, ~5% better, a—b – c, new bold',
    );
    expect(texToUnicode('360{\\deg} rotation, \\eg, PM\\textsuperscript{4}Bench, \\textcolor{red}{x}')).toBe(
      '360° rotation, e.g., PM⁴Bench, x',
    );
    expect(texToUnicode('our \\method{} and \\LaTeX')).toBe('our method and LaTeX');
  });

  it('reads a formula the site does not find (broken over two lines) as text, leaving out math commands', () => {
    expect(texToUnicode('being $\\mathrm{100 \\times\nfaster}$ than')).toBe('being $100 × faster$ than');
  });

  it('makes one line, without control characters', () => {
    expect(texToUnicode('a\nb\r\nc\td\u0000e\u2028f')).toBe('a b c dе f'.replace('е', 'e'));
  });

  it('gives back the source of a formula longer than MAX_TEX or nested too deep, without its $', () => {
    const deep = `$${'{'.repeat(40)}x${'}'.repeat(40)}$`;
    expect(texToUnicode(deep)).toBe(deep.slice(1, -1));
    const long = `$${'x+'.repeat(1500)}y$`;
    expect(texToUnicode(long)).toBe(long.slice(1, -1));
  });
});

/** Real titles from the corpus (arXiv ids), as they should read in an email. */
const TITLES: [id: string, title: string, text: string][] = [
  [
    '2503.12827',
    'GSBAK$^K$: $top$-$K$ Geometric Score-based Black-box Attack',
    'GSBAKᴷ: top-K Geometric Score-based Black-box Attack',
  ],
  [
    '2503.15457',
    'Di$\\mathtt{[M]}$O: Distilling Masked Diffusion Models',
    'Di[M]O: Distilling Masked Diffusion Models',
  ],
  ['2503.18089', '$D^2LoRA$: Data-Driven LoRA Initialization', 'D²LoRA: Data-Driven LoRA Initialization'],
  ['2503.18652', 'the wing loss and the $\\ell_1$ regularization', 'the wing loss and the ℓ₁ regularization'],
  ['2503.21779', 'X$^{2}$-Gaussian: 4D Radiative Gaussian Splatting', 'X²-Gaussian: 4D Radiative Gaussian Splatting'],
  ['2504.00218', '$\\textit{Agents Under Siege}$: Breaking Pragmatic', 'Agents Under Siege: Breaking Pragmatic'],
  ['2504.01603', 'A$^\\text{T}$A: Adaptive Transformation Agent', 'AᵀA: Adaptive Transformation Agent'],
  ['2504.05732', 'LLM$\\times$MapReduce-V2: Entropy-Driven', 'LLM×MapReduce-V2: Entropy-Driven'],
  [
    '2504.14582',
    'Image Super-Resolution ($\\times$4): Methods and Results',
    'Image Super-Resolution (×4): Methods and Results',
  ],
  ['2504.17821', 'VideoVista-CulturalLingo: 360$^\\circ$ Horizons', 'VideoVista-CulturalLingo: 360° Horizons'],
  ['2504.19161', 'Transformer with 1\\textpertenthousand Spatial Sampling', 'Transformer with 1‱ Spatial Sampling'],
  [
    '2505.07675',
    'via $\\mathbf{\\texttt{D}}$ual-$\\mathbf{\\texttt{H}}$ead $\\mathbf{\\texttt{O}}$ptimization',
    'via Dual-Head Optimization',
  ],
  [
    '2505.07819',
    'H$^{\\mathbf{3}}$DP: Triply-Hierarchical Diffusion Policy',
    'H³DP: Triply-Hierarchical Diffusion Policy',
  ],
  ['2505.10352', 'Hamming Attention and $\\mathcal{O}(T)$ Complexity', 'Hamming Attention and 𝒪(T) Complexity'],
  ['2505.11079', '$\\mathcal{A}LLM4ADD$: Unlocking the Capabilities', '𝒜LLM4ADD: Unlocking the Capabilities'],
  ['2505.15623', 'Can LLMs $\\textit{understand}$ Math? -- Exploring', 'Can LLMs understand Math? – Exploring'],
  ['2505.16994', '$\\text{R}^2\\text{ec}$: Towards Large Recommender Models', 'R²ec: Towards Large Recommender Models'],
  ['2505.18092', 'QwenLong-CPRS: Towards $\\infty$-LLMs', 'QwenLong-CPRS: Towards ∞-LLMs'],
  ['2505.18458', 'A Survey of LLM $\\times$ DATA', 'A Survey of LLM × DATA'],
  ['2505.18542', 'Business as \\textit{Rule}sual: A Benchmark', 'Business as Rulesual: A Benchmark'],
  ['2505.20434', 'SZ Sequences: Binary-Based $(0, 2^q)$-Sequences', 'SZ Sequences: Binary-Based (0, 2^q)-Sequences'],
];

/** Formulas from real abstracts in the corpus. */
const ABSTRACT_FORMULAS: [tex: string, text: string][] = [
  ['$U_{wind}\\approx740\\sqrt{{\\mu}U_{leaf}/{\\rho}D}$', 'U_(wind)≈740√(μU_(leaf)/ρD)'],
  ['$\\mathcal{O}\\left(\\frac{1}{T}\\right)$', '𝒪(1/T)'],
  ['$\\tilde{\\mathcal{O}}\\left(\\frac{1}{T^{1/3}}\\right)$', '𝒪̃(1/T^(1/3))'],
  ['$h:\\mathbb{R}^n \\times S^{n-1} \\to \\mathbb{R}$', 'h:ℝⁿ × Sⁿ⁻¹ → ℝ'],
  ['$D(\\nabla u) = (|\\nabla u| + \\epsilon)^{-1}$', 'D(∇u) = (|∇u| + ε)⁻¹'],
  ['$H_0^1(\\Omega)$', 'H₀¹(Ω)'],
  ['$\\lambda_{\\min}(\\hat{\\Sigma})$', 'λₘᵢₙ(Σ̂)'],
  ['$O(n^{5/3}\\log^{2/3} n)$', 'O(n^(5/3) log^(2/3) n)'],
  ['$4.98\\ \\mu\\text{g}/\\text{m}^3$', '4.98 μg/m³'],
  ['$\\mathbf{W} \\approx \\mathbf{Q} + \\mathbf{L}\\mathbf{R}$', '𝐖 ≈ 𝐐 + 𝐋𝐑'],
  ['$s=(s_1,\\dots,s_n)$', 's=(s₁,…,sₙ)'],
  ['$6.4\\times10^{-3}$', '6.4×10⁻³'],
  ['$\\rm{FPR}_{95}$', 'FPR₉₅'],
  ['\\(1256 \\,\n\\text{kMAC/Pixel}\\)', '1256 kMAC/Pixel'],
  ['$\\mathtt{ReCU}(x)=\\max\\{0,x\\}^3$', 'ReCU(x)=max{0,x}³'],
  ['$$ d^{1+2/K} \\varepsilon^{-1/K} $$', 'd^(1+2/K) ε^(−1/K)'],
];

describe('texToUnicode on the corpus', () => {
  it.each(TITLES)('%s: %s', (_id, title, text) => {
    expect(texToUnicode(title)).toBe(text);
  });

  it.each(ABSTRACT_FORMULAS)('%s → %s', (tex, text) => {
    expect(texToUnicode(tex)).toBe(text);
  });

  it('leaves no backslash, and braces and $ only where the text means them, in 3,000 real papers', async () => {
    const texts = (await corpusSlice(3000)).flatMap((p) => [p.title, p.abstract]).filter((t) => /[\\$]/.test(t));
    expect(texts.length).toBeGreaterThan(300);
    for (const text of texts) {
      const out = texToUnicode(text);
      expect(out, text).not.toContain('\\');
      if (/[{}]/.test(out)) expect(text, out).toMatch(/\\[{}]|\\[lr]brace/);
      const dollarsOutside = findFormulas(text).reduce((n, f) => n - countDollars(text.slice(f.start, f.end)), 0);
      expect(countDollars(out), out).toBeLessThanOrEqual(countDollars(text) + dollarsOutside);
    }
  });
});

const countDollars = (s: string) => s.split('$').length - 1;

describe('texToUnicode on adversarial input', () => {
  const adversarial: Record<string, (n: number) => string> = {
    'dollar runs': run('$'),
    'backslash runs': run('\\'),
    'open braces': run('{'),
    'open braces in a formula': (n) => `$${run('{')(n - 2)}$`,
    'carets in a formula': (n) => `$${run('^')(n - 2)}$`,
    'nested subscripts': (n) => `$${run('_{')(n - 2)}$`,
    'nested subscripts, closed': (n) => `$${run('_{')(n / 2)}${run('}')(n / 2)}$`,
    'a long subscript (quadratic in unicodeit)': (n) => `$x_{${run('a')(n - 6)}}$`,
    'nested \\frac': (n) => `$${run('\\frac')(n - 2)}$`,
    'unclosed \\sqrt[': (n) => `$${run('\\sqrt[')(n - 2)}$`,
    'nested \\text and \\ensuremath': (n) => `$${run('\\text{\\ensuremath{')(n - 2)}$`,
    'nested \\emph': (n) => `${run('\\emph{')(n / 2)}${run('}')(n / 2)}`,
    'citations after spaces': run('a    \\cite{x}'),
    accents: run('\\"'),
    'unclosed \\(': run('\\('),
    'random TeX': seededText(7, [
      '$',
      '\\',
      '{',
      '}',
      '^',
      '_',
      'a',
      ' ',
      '\\frac',
      '\\text{',
      '\\left(',
      '~',
      '-',
      '\n',
    ]),
    'random math': (n) =>
      `$${seededText(9, ['\\', '{', '}', '^', '_', 'a', ' ', '\\frac', '\\text{', '\\sqrt[', '\\mathbf', "'"])(n - 2)}$`,
  };

  // Under MAX_TEX (2,000) for the formulas to be read, not given back as source.
  it.each(Object.entries(adversarial))('grows linearly: %s', (_name, make) => {
    expect(growth(texToUnicode, make, 480)).toBeLessThan(9);
  });

  const tex = fc.oneof(
    fc.string({ unit: fc.constantFrom('$', '\\', '{', '}', '^', '_', '~', '-', "'", ' ', '\n', 'a', '1', '\u0000') }),
    fc.string({ unit: fc.constantFrom('\\frac', '\\sqrt[', '\\text{', '\\mathbb{', '\\left', '\\href{', '\\"', '$') }),
    fc
      .tuple(fc.constantFrom('{', '^', '_{', '\\\\', '$', '\\frac', '\\emph{'), fc.integer({ min: 1, max: 10_000 }))
      .map(([unit, n]) => `$${unit.repeat(n)}`),
    fc.string({ unit: 'binary' }),
  );

  it('never throws, never writes a control character, and writes at most about twice the input', () => {
    fc.assert(
      fc.property(tex, (text) => {
        const out = texToUnicode(text);
        expect(out).not.toMatch(CONTROL);
        expect(out).not.toMatch(/[\t\n\r\u2028\u2029]/);
        expect(out.length).toBeLessThanOrEqual(2 * text.length + 8);
      }),
      { numRuns: 500, seed: 20260701 },
    );
  });
});
