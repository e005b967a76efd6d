/** arXiv identifiers: new style `YYMM.NNNNN` (4 or 5 digits), old style `archive(.SUBJ)/YYMMNNN`, either with `vN`. */
export interface ArxivId {
  /** The paper's identity: the id without version. */
  id: string;
  version?: number | undefined;
}

const NEW_STYLE = /^(\d{4}\.\d{4,5})(?:v(\d+))?$/;
const OLD_STYLE = /^([a-z][a-z-]*(?:\.[A-Z]{2})?\/\d{7})(?:v(\d+))?$/;
const PREFIXES = [/^https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html)\//i, /^oai:arxiv\.org:/i, /^arxiv:/i];

/** Parses a bare id, an `arXiv:` id, an OAI identifier or an arxiv.org abs/pdf URL; undefined when it is none. */
export function parseArxivId(input: string): ArxivId | undefined {
  let s = input.trim();
  for (const prefix of PREFIXES) s = s.replace(prefix, '');
  s = s
    .replace(/\.pdf$/i, '')
    .replace(/[?#].*$/, '')
    .replace(/\/$/, '');
  const m = NEW_STYLE.exec(s) ?? OLD_STYLE.exec(s);
  if (!m?.[1]) return undefined;
  return { id: m[1], version: m[2] === undefined ? undefined : Number(m[2]) };
}

/** Keeps arXiv subject classes (`cs.CL`, `math.AP`, `hep-th`, `astro-ph.GA`); drops ACM/MSC codes like `I.2.7`, `68T05`. */
export function isArxivCategory(code: string): boolean {
  return /^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]+)?$/.test(code) && !/^\d/.test(code);
}

/** arxiv.org's abstract and PDF pages of a paper whose id is an arXiv id (not a synthetic one); else undefined. */
export function arxivLinks(id: string): { abs: string; pdf: string } | undefined {
  if (!NEW_STYLE.test(id) && !OLD_STYLE.test(id)) return undefined;
  return { abs: `https://arxiv.org/abs/${id}`, pdf: `https://arxiv.org/pdf/${id}` };
}
