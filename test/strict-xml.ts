import { XMLValidator } from 'fast-xml-parser';

/** XML 1.0's Char production: what may appear anywhere in a document. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Why a strict XML parser would refuse the document, or undefined when it would not. fast-xml-parser checks the
 * markup but not the characters, so those are checked here (a feed reader's parser stops at the first one).
 */
export function xmlError(xml: string): string | undefined {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return `${valid.err.code}: ${valid.err.msg} (line ${valid.err.line})`;
  const bad = NOT_XML_CHAR.exec(xml);
  if (bad)
    return `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at offset ${bad.index}, which XML forbids`;
  return undefined;
}
