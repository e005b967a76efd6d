import temml from 'temml';
import { withoutInlineStyles } from './tex-styles.js';

/** At most this much TeX in one formula: temml's work grows with it. */
export const MAX_TEX = 2000;

/**
 * One formula drawn as MathML, which every current browser draws without fonts or scripts, or undefined when it
 * does not parse (or is longer than `MAX_TEX`). temml escapes what it draws, runs no `\href` or `\htmlClass`
 * (`trust: false`) and expands at most 200 macros; its inline styles become classes and MathML attributes, which
 * the site's Content-Security-Policy allows (src/model/tex-styles.ts). The one way abstracts, titles and comments
 * draw TeX.
 */
export function renderTex(tex: string, displayMode: boolean): string | undefined {
  if (tex.length > MAX_TEX) return undefined;
  try {
    return withoutInlineStyles(
      temml.renderToString(tex, { displayMode, throwOnError: true, trust: false, maxExpand: 200 }),
    );
  } catch {
    return undefined;
  }
}
