import type { SearchQuery, SearchResult, SearchService } from './types.js';

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * The search of a process that has just started: answers at once, from `fallback` (the database's full-text index,
 * db-search.ts) until the in-memory index `opening` is built, then from that. Related papers and suggestions wait for
 * nothing either: none until the index is ready. Refits and `settled` wait for it.
 */
export function warmingSearch(
  opening: Promise<SearchService>,
  fallback: (query: SearchQuery) => Promise<SearchResult>,
  log: Log = () => {},
): SearchService {
  let ready: SearchService | undefined;
  let closed = false;
  const started = performance.now();
  opening.then(
    (service) => {
      if (closed) return service.close();
      ready = service;
      log('info', `search index ready in ${Math.round(performance.now() - started)} ms`);
    },
    (error: unknown) =>
      log(
        'error',
        `search index could not be built, search answers from the database only: ${error instanceof Error ? error.message : String(error)}. Restart the process to try again.`,
      ),
  );
  return {
    search: (query) => (ready ? ready.search(query) : fallback(query)),
    related: async (id, limit, mode) => (ready ? ready.related(id, limit, mode) : []),
    suggest: async (prefix, limit) => (ready?.suggest ? ready.suggest(prefix, limit) : []),
    refit: async () => (await opening).refit(),
    settled: async () => (await opening).settled(),
    ready: () => ready !== undefined,
    close: () => {
      closed = true;
      ready?.close();
    },
  };
}
