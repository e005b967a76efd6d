import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { root, shared } from '../cli.js';

/** Debian's Chromium, installed by scripts/ensure-chromium.sh (which `npm test` runs first). */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const SCREENSHOTS = join(root, 'test-output/screenshots');
const CORPUS = join(shared, 'corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}: run \`sh scripts/ensure-chromium.sh\` (\`npm test\` runs it first).`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** Reports a context's console errors, page errors, failed requests and 4xx/5xx answers, but for URLs `ignored` accepts. */
export function watchProblems(
  context: BrowserContext,
  report: (problem: string) => void,
  ignored: (url: URL) => boolean = () => false,
): void {
  context.on('console', (msg) => {
    if (msg.type() === 'error' && !(msg.location().url && ignored(new URL(msg.location().url))))
      report(`console error on ${msg.location().url}: ${msg.text()}`);
  });
  context.on('weberror', (error) => report(`page error: ${error.error().message}`));
  context.on('requestfailed', (request) => {
    report(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  context.on('response', (response) => {
    if (response.status() >= 400 && !ignored(new URL(response.url())))
      report(`HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
  });
}

/** The corpus's last `lines` lines (its newest listing days) written to `file`, for a store of real recent papers. */
export async function writeCorpusTail(file: string, lines: number): Promise<void> {
  const ring: string[] = [];
  let seen = 0;
  const rl = createInterface({ input: createReadStream(CORPUS).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) if (line) ring[seen++ % lines] = line;
  const start = seen % lines;
  const tail = seen > lines ? [...ring.slice(start), ...ring.slice(0, start)] : ring;
  writeFileSync(file, `${tail.join('\n')}\n`);
}
