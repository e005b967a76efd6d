import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { TEX_STYLESHEET } from '../model/tex-styles.js';

/** Static files, read once; their URLs carry a content hash so browsers may cache them forever. */
function asset(name: string, body: string | Uint8Array<ArrayBuffer>, type: string) {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  const [base, ext] = name.split('.') as [string, string];
  return { path: `/static/${base}.${hash}.${ext}`, body, type };
}

const ownFile = (file: string) => readFileSync(new URL(`./static/${file}`, import.meta.url), 'utf8');
const temmlFile = (file: string) => readFileSync(createRequire(import.meta.url).resolve(`temml/dist/${file}`));

/** temml's font, a script alphabet for `\mathscr` and its primes. */
export const temmlFont = asset('temml.woff2', new Uint8Array(temmlFile('Temml.woff2')), 'font/woff2');

/** Our stylesheets, in cascade order: the page and its header, paper cards, the paper page, discussion and curation, the library. */
const OWN_STYLESHEETS = ['app.css', 'cards.css', 'paper.css', 'community.css', 'library.css', 'for-you.css'];

/**
 * temml's stylesheet for MathML drawn by the system's math fonts (its classes: display formulas, accents, arrays,
 * `\cancel`…), pointing at the font above; then ours, which may refine it; then the classes temml's inline styles
 * become. One file, one request.
 */
const temmlCss = temmlFile('Temml-Local.css')
  .toString('utf8')
  .replace(/url\(['"]?Temml\.woff2['"]?\)/g, `url('${temmlFont.path}')`);

export const stylesheet = asset(
  'app.css',
  `${temmlCss}\n${OWN_STYLESHEETS.map(ownFile).join('\n')}\n${TEX_STYLESHEET}\n`,
  'text/css; charset=utf-8',
);
export const script = asset('app.js', ownFile('app.js'), 'text/javascript; charset=utf-8');
export const assets = [stylesheet, script, temmlFont];
