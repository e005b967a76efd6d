import type { Config } from '../config/config.js';
import { createFetcher, type Fetcher } from './http.js';

/** Hugging Face allows bursts within a 5-minute window; a short gap keeps a day-by-day backfill well inside it. */
const HF_DELAY_MS = 500;

/** One fetcher per remote for the whole process, so that the per-host spacing holds across harvests. */
export function createFetchers(config: Pick<Config, 'userAgent' | 'arxivDelayMs' | 'httpRetries'>): {
  arxivFetcher: Fetcher;
  hfFetcher: Fetcher;
} {
  return {
    arxivFetcher: createFetcher({
      userAgent: config.userAgent,
      minDelayMs: config.arxivDelayMs,
      maxRetries: config.httpRetries,
    }),
    hfFetcher: createFetcher({ userAgent: config.userAgent, minDelayMs: HF_DELAY_MS, maxRetries: config.httpRetries }),
  };
}
