import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SourceError } from './errors.js';

/** A parsed XML element: child elements by local name, attributes as `@_name`, text as `#text`. */
export type XmlNode = Record<string, unknown>;

/**
 * Validates, then parses an XML document into plain objects.
 * Namespace prefixes are removed (the 2016 and 2026 arXiv feeds declare them differently); elements named in
 * `arrays` are always arrays; text is never converted to numbers (a paper may be titled "0").
 */
export function parseXml(xml: string, what: string, arrays: readonly string[]): XmlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    const unclosed = /^Invalid '(\[.*\])' found\.$/s.exec(msg);
    const problem = unclosed
      ? `it ends before ${unclosedTags(unclosed[1]!)} closed, so the response looks truncated (line ${xml.split('\n').length})`
      : `${msg} (line ${line}${col === undefined ? '' : `, column ${col}`})`;
    throw new SourceError(
      'parse',
      `${what} is not valid XML: ${problem}. Try again; if it persists, check the source URL.`,
    );
  }
  const arraySet = new Set(arrays);
  const parser = new XMLParser({
    ignoreAttributes: false,
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    // The only switch that also decodes numeric character references (&#233;); deprecated but still supported.
    htmlEntities: true,
    isArray: (name, _path, _isLeaf, isAttribute) => !isAttribute && arraySet.has(name),
  });
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (err) {
    // The validator passes some documents the parser then refuses (a processing instruction left open, two DOCTYPEs).
    const message = (err instanceof Error ? err.message : String(err)).replace(/\.$/, '');
    throw new SourceError(
      'parse',
      `${what} is not valid XML: ${message}. Try again; if it persists, check the source URL.`,
      { cause: err },
    );
  }
  return isNode(parsed) ? parsed : {};
}

function unclosedTags(json: string): string {
  try {
    const tags = (JSON.parse(json) as unknown[]).map((t) => `<${String(t)}>`);
    return `${tags.join(', ')} ${tags.length === 1 ? 'is' : 'are'}`;
  } catch {
    return 'every element is';
  }
}

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first child element called `name`, when it is an element. */
export function child(node: unknown, name: string): XmlNode | undefined {
  if (!isNode(node)) return undefined;
  const value = node[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (isNode(first)) return first;
  // An element with neither attributes nor children parses to its text; wrap it so callers can still use text().
  return typeof first === 'string' ? { '#text': first } : undefined;
}

/** All child elements called `name`, in document order. */
export function children(node: unknown, name: string): unknown[] {
  if (!isNode(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The text of an element (or of the child called `name`), whitespace collapsed; undefined when absent or empty. */
export function text(node: unknown, name?: string): string | undefined {
  const target = name === undefined ? node : isNode(node) ? node[name] : undefined;
  const first: unknown = Array.isArray(target) ? target[0] : target;
  const raw = typeof first === 'string' ? first : isNode(first) ? first['#text'] : undefined;
  if (typeof raw !== 'string') return undefined;
  const collapsed = collapseWhitespace(raw);
  return collapsed === '' ? undefined : collapsed;
}

export function attr(node: unknown, name: string): string | undefined {
  if (!isNode(node)) return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** Newlines and indentation (arXiv hard-wraps titles and abstracts) become single spaces. */
export function collapseWhitespace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Keeps the first occurrence of each value. */
export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}
