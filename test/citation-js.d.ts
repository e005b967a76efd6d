/** The little of citation.js (0.7, which ships no types) that the export tests use to read RIS and CSL-JSON back. */
declare module '@citation-js/core' {
  export class Cite {
    static async(data: unknown): Promise<Cite>;
    data: Record<string, unknown>[];
    format(style: string, options?: Record<string, unknown>): string;
  }
}
declare module '@citation-js/plugin-ris';
declare module '@citation-js/plugin-csl';
