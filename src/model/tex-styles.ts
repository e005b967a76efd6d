import { escapeHtml } from './html.js';

/**
 * temml writes part of its layout as inline `style` attributes (an accent kept full size, fractions nested past
 * script size, `\color`, `\!`, array rules and padding, `\boxed`). The site's Content-Security-Policy
 * (`style-src 'self'`) makes browsers ignore every one of them, with a console error each. Each declaration temml
 * writes becomes what the policy allows: a MathML attribute that means the same (`color` is `mathcolor`, `math-depth`
 * is `scriptlevel`), or a class of `TEX_STYLESHEET`, which the site serves in its stylesheet. Lengths (kerns, array
 * padding, `\raisebox`) are rounded to the nearest of a few steps of the grid below. A declaration not known here is
 * dropped, as the browser would have done.
 */
export function withoutInlineStyles(mathml: string): string {
  return mathml.replace(STYLED_TAG, (_tag, name: string, before: string, style: string, after: string) => {
    const attributes = [...`${before}${after}`.matchAll(ATTRIBUTE)].map((m) => [m[1]!, m[2]!] as [string, string]);
    const classes = new Set(
      attributes
        .find(([n]) => n === 'class')?.[1]
        .split(' ')
        .filter(Boolean),
    );
    const added = new Map<string, string>();
    for (const declaration of style.split(';')) {
      const colon = declaration.indexOf(':');
      if (colon < 0) continue;
      for (const target of translate(declaration.slice(0, colon).trim(), declaration.slice(colon + 1).trim())) {
        if ('className' in target) classes.add(target.className);
        else if (!attributes.some(([n]) => n === target.attribute)) added.set(target.attribute, target.value);
      }
    }
    let out = `<${name}`;
    for (const [n, value] of attributes) if (n !== 'class') out += ` ${n}="${value}"`;
    for (const [n, value] of added) out += ` ${n}="${escapeHtml(value)}"`;
    if (classes.size) out += ` class="${escapeHtml([...classes].join(' '))}"`;
    return `${out}>`;
  });
}

/**
 * A start tag with a `style` attribute, as temml writes them: every attribute `name="value"`, values escaped (only
 * the style's own value is not, and it holds no quote).
 */
const STYLED_TAG = /<([a-z]+)((?: [a-zA-Z:-]+="[^"]*")*) style="([^"]*)"((?: [a-zA-Z:-]+="[^"]*")*)>/g;
const ATTRIBUTE = / ([a-zA-Z:-]+)="([^"]*)"/g;

/** A colour as temml writes one: `#` and hex digits (it turns xcolor's names into those), or a CSS name. */
const COLOR = /^(?!undefined$)(#[0-9a-fA-F]{3,8}|[a-zA-Z]+)$/;

type Target = { className: string } | { attribute: string; value: string };

/** Declarations temml writes with fixed values, each one class. */
const FIXED = [
  'text-align:left',
  'width:100%',
  'width:50%',
  'width:7.5%',
  'width:90%',
  'height:1em',
  'left:0.1em',
  'right:0',
  'bottom:0',
  'position:absolute',
  'position:relative',
  'display:flex',
  'justify-content:center',
  'padding:0',
  'padding:3pt',
  'padding:0.3em',
  'padding:0.5ex 0.1em 0 0',
  'border:1px solid',
  'border:0.0667em solid',
  ...['top', 'bottom', 'left', 'right'].flatMap((side) =>
    ['0.15em double', '0.06em dashed', '0.06em solid'].map((rule) => `border-${side}:${rule}`),
  ),
  'font-weight:bold',
  'font-style:italic',
  "font-family:Cambria, 'Times New Roman', serif",
  'transform:scaleX(-1)',
  'white-space:pre-line',
];

/**
 * The lengths temml computes, each property with its short name in class names and the sign of its values: temml
 * writes a margin only for a negative kern (`\!`), and padding is never negative.
 */
const LENGTHS: Record<string, { short: string; sign: -1 | 1 }> = {
  'margin-left': { short: 'ml', sign: -1 },
  'padding-top': { short: 'pt', sign: 1 },
  'padding-right': { short: 'pr', sign: 1 },
  'padding-bottom': { short: 'pb', sign: 1 },
  'padding-left': { short: 'pl', sign: 1 },
};

/**
 * The steps lengths are rounded to, in mu (1/18 em, TeX's math unit): fine where kerns (`\!` is −3 mu) and array
 * padding usually fall, coarser beyond, up to 2 em. Longer lengths are cut to 2 em.
 */
const STEPS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 24, 30, 36];

/** How many mu one of each unit temml writes is, for a 10 pt font as TeX's. */
const MU_PER_UNIT: Record<string, number> = {
  em: 18,
  ex: 18 * 0.431,
  pt: 1.8,
  bp: 1.8 * 1.00375,
  px: 1.8 * 0.75,
  pc: 1.8 * 12,
  mm: 1.8 * 2.84526,
  cm: 1.8 * 28.4526,
  in: 1.8 * 72.27,
};

const fixedClass = (declaration: string) => `tex-${declaration.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-$/, '')}`;
const FIXED_CLASSES = new Map(FIXED.map((d) => [d, fixedClass(d)]));
const lengthClass = (short: string, mu: number) => `tex-${short}-${mu < 0 ? 'n' : ''}${Math.abs(mu)}`;

function translate(property: string, value: string): Target[] {
  const normalized = value.replace(/\s+/g, ' ');
  // temml writes `color:undefined` around `\cancelto`'s arrow.
  if (property === 'color') return COLOR.test(normalized) ? [{ attribute: 'mathcolor', value: normalized }] : [];
  if (property === 'math-depth') return /^-?\d+$/.test(normalized) ? [{ attribute: 'scriptlevel', value }] : [];
  // The class tml-display, which temml writes beside it, gets this from the stylesheet.
  if (property === 'display' && normalized === 'block math') return [];
  // \fcolorbox's frame: drawn in the text colour.
  const declaration =
    property === 'border' && normalized.startsWith('0.0667em solid')
      ? 'border:0.0667em solid'
      : `${property}:${normalized}`;
  const fixed = FIXED_CLASSES.get(declaration);
  if (fixed) return [{ className: fixed }];
  if (property === 'padding') return paddingSides(normalized);
  const length = LENGTHS[property];
  const mu = length ? toMu(normalized) : undefined;
  return length && mu !== undefined && lengthSteps(length.sign).includes(mu)
    ? [{ className: lengthClass(length.short, mu) }]
    : [];
}

/** The steps a length of this sign is rounded to: zero too for padding, which may undo a default. */
const lengthSteps = (sign: -1 | 1) => (sign < 0 ? STEPS.filter((s) => s > 0).map((s) => -s) : STEPS);

/** A `padding` shorthand of lengths (from `\raisebox`) as one class per side that is not zero. */
function paddingSides(value: string): Target[] {
  const parts = value.split(' ');
  const [top, right = top, bottom = top, left = right] = parts;
  if (parts.length > 4) return [];
  const sides: [string, string | undefined][] = [
    ['padding-top', top],
    ['padding-right', right],
    ['padding-bottom', bottom],
    ['padding-left', left],
  ];
  return sides.flatMap(([property, length]) => (length === undefined ? [] : translate(property, length)));
}

/** A length rounded to the nearest step, or undefined when it is not a length. */
function toMu(length: string): number | undefined {
  const m = /^(-?(?:\d+\.?\d*|\.\d+))([a-z]*)$/.exec(length);
  if (!m) return undefined;
  const perUnit = m[2] ? MU_PER_UNIT[m[2]] : Number(m[1]) === 0 ? 1 : undefined;
  if (perUnit === undefined) return undefined;
  const mu = Number(m[1]) * perUnit;
  const size = STEPS.reduce((best, step) =>
    Math.abs(step - Math.abs(mu)) < Math.abs(best - Math.abs(mu)) ? step : best,
  );
  return mu < 0 ? -size : size;
}

/**
 * The classes `withoutInlineStyles` writes, with what the inline style said. `!important`, because they stand for
 * inline styles, which win over every rule of a stylesheet (temml's own among them).
 */
export const TEX_STYLESHEET = [
  '/* temml\'s inline styles as classes (src/model/tex-styles.ts): the CSP allows no style="" */',
  ...[...FIXED_CLASSES].map(([declaration, className]) => `.${className} { ${declaration} !important; }`),
  ...Object.entries(LENGTHS).flatMap(([property, { short, sign }]) =>
    lengthSteps(sign).map((mu) => `.${lengthClass(short, mu)} { ${property}: ${+(mu / 18).toFixed(4)}em !important; }`),
  ),
  // Chromium lays a display formula out as `block math`; Firefox and Safari take temml's `display: block`.
  'math.tml-display { display: block math; }',
].join('\n');
