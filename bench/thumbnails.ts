// bench/thumbnails: the first page of a typical 10-page paper (made with pdf-lib: text in a standard and an embedded
// TrueType font, a JPEG and a PNG figure, vector plots and tables) rendered N times through ThumbnailRenderer (MuPDF in
// its worker thread, sharp encoding WebP), with memory over the run; baselines: the same in this thread, and sharp
// alone encoding the drawn page.
// Usage: npm run bench:thumbnails [-- --renders 1000]
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { drawFirstPage } from '../src/thumbnails/draw.js';
import { renderFirstPage } from '../src/thumbnails/render.js';
import { ThumbnailRenderer } from '../src/thumbnails/renderer.js';
import { paperPdf, TTF_FONT } from '../test/pdfs.js';

const { values } = parseArgs({ options: { renders: { type: 'string', default: '1000' } } });
const RENDERS = Number(values.renders);
const WARM_UP = Math.min(50, Math.ceil(RENDERS / 10));
const BASELINE_RENDERS = Math.min(RENDERS, 200);

const mb = () => process.memoryUsage().rss / 1e6;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

interface Row {
  what: string;
  renders: number;
  times: number[];
  /** CPU time of the whole process (every thread) per render: unlike wall time, not stretched by other work. */
  cpuMs: number;
  bytes: number;
}

/** RSS after each tenth of the main run. */
const trace: number[] = [];

async function measure(what: string, renders: number, run: () => Promise<Buffer>, traced = false): Promise<Row> {
  const times: number[] = [];
  let bytes = 0;
  const cpu = process.cpuUsage();
  for (let i = 0; i < renders; i++) {
    const t = performance.now();
    bytes = (await run()).length;
    times.push(performance.now() - t);
    if (traced && (i + 1) % Math.ceil(renders / 10) === 0) trace.push(mb());
  }
  const used = process.cpuUsage(cpu);
  return { what, renders, times, cpuMs: (used.user + used.system) / 1000 / renders, bytes };
}

const pdf = await paperPdf({ pages: 10 });
const rssStart = mb();
const renderer = new ThumbnailRenderer();
for (let i = 0; i < WARM_UP; i++) await renderer.render(pdf);
const rssWarm = mb();
let rssPeak = rssWarm;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, mb())), 100);
const rows: Row[] = [];
rows.push(
  await measure(
    'ThumbnailRenderer (worker draws, sharp encodes)',
    RENDERS,
    async () => (await renderer.render(pdf)).bytes,
    true,
  ),
);
clearInterval(sampler);
const rssEnd = mb();
await renderer.close();

rows.push(
  await measure('renderFirstPage in this thread', BASELINE_RENDERS, async () => (await renderFirstPage(pdf)).bytes),
);
const raster = drawFirstPage(pdf, 400);
const raw = { raw: { width: raster.width, height: raster.height, channels: 3 as const } };
rows.push(
  await measure('sharp alone: drawn page to WebP (q75, effort 2)', BASELINE_RENDERS, () =>
    sharp(raster.pixels, raw).webp({ quality: 75, effort: 2 }).toBuffer(),
  ),
);
rows.push(
  await measure('sharp alone: drawn page to WebP (q75, default effort 4)', BASELINE_RENDERS, () =>
    sharp(raster.pixels, raw).webp({ quality: 75 }).toBuffer(),
  ),
);
rows.push(
  await measure('sharp alone: drawn page to JPEG (q75)', BASELINE_RENDERS, () =>
    sharp(raster.pixels, raw).jpeg({ quality: 75 }).toBuffer(),
  ),
);

const header = ['what', 'renders', 'pages/s', 'p50 ms', 'p95 ms', 'CPU ms each', 'KB each'];
const cells = rows.map((r) => [
  r.what,
  String(r.renders),
  (r.renders / (r.times.reduce((a, b) => a + b, 0) / 1000)).toFixed(1),
  pct(r.times, 50).toFixed(1),
  pct(r.times, 95).toFixed(1),
  r.cpuMs.toFixed(1),
  (r.bytes / 1024).toFixed(1),
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) =>
  `| ${c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ')} |`;
console.log(
  `\nbench/thumbnails: first page of a 10-page pdf-lib paper (${(pdf.length / 1024).toFixed(0)} KB, ` +
    `${TTF_FONT ? `embedded ${TTF_FONT.split('/').pop()}` : 'no TrueType font found: standard fonts only'}) to 400 px wide`,
);
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
console.log('targets: ≥ 5 pages/s through ThumbnailRenderer; RSS flat within 10% from warm-up to the end\n');
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const c of cells) console.log(line(c));
const drift = ((rssEnd - rssWarm) / rssWarm) * 100;
console.log(
  `\nRSS (this process and its worker): start ${rssStart.toFixed(0)} MB, after ${WARM_UP} warm-up renders ` +
    `${rssWarm.toFixed(0)} MB, after ${RENDERS} more ${rssEnd.toFixed(0)} MB (${drift >= 0 ? '+' : ''}${drift.toFixed(1)}%), ` +
    `peak ${rssPeak.toFixed(0)} MB\nRSS after each tenth of the run (MB): ${trace.map((r) => r.toFixed(0)).join(', ')}`,
);
