import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { degrees, PDFDict, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../../test/cli.js';
import { encryptedPdf, paperPdf, shapePdf, slowPdf, TTF_FONT } from '../../test/pdfs.js';
import { ThumbnailError, type ThumbnailReason } from './errors.js';
import { renderFirstPage } from './render.js';
import { ThumbnailRenderer } from './renderer.js';

interface Pixels {
  data: Buffer;
  width: number;
  height: number;
}

async function decode(bytes: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { data, width: info.width, height: info.height };
}

/** Mean brightness (0 black to 255 white) and mean colourfulness of a region given in fractions of the image. */
function region(p: Pixels, x0: number, y0: number, x1: number, y1: number) {
  let light = 0;
  let colour = 0;
  let n = 0;
  for (let y = Math.floor(y0 * p.height); y < Math.floor(y1 * p.height); y++) {
    for (let x = Math.floor(x0 * p.width); x < Math.floor(x1 * p.width); x++) {
      const i = (y * p.width + x) * 3;
      const [r, g, b] = [p.data[i]!, p.data[i + 1]!, p.data[i + 2]!];
      light += (r + g + b) / 3;
      colour += Math.max(r, g, b) - Math.min(r, g, b);
      n++;
    }
  }
  return { light: light / n, colour: colour / n };
}

async function refusal(promise: Promise<unknown>): Promise<ThumbnailError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ThumbnailError) return error;
    throw error;
  }
  throw new Error('expected a ThumbnailError');
}

let paper: Uint8Array;
let blackTopLeft: Uint8Array;
let blank: Uint8Array;
/** Inputs that must be refused, with the reason each must give. */
let refused: [string, Uint8Array, ThumbnailReason][];

beforeAll(async () => {
  paper = await paperPdf();
  blackTopLeft = await shapePdf({ rectangle: true });
  blank = await shapePdf({ rectangle: false });
  const garbled = Buffer.from(paper);
  for (let i = 1024; i < garbled.length; i += 7) garbled[i]! ^= 0x5a;
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
  refused = [
    ['an HTML error page', Buffer.from('<!doctype html><title>404 Not Found</title>'), 'not-a-pdf'],
    ['an empty file', new Uint8Array(0), 'not-a-pdf'],
    ['a PNG image', png, 'not-a-pdf'],
    ['the first half of a paper', paper.subarray(0, paper.length / 2), 'broken'],
    ['its first kilobyte', paper.subarray(0, 1024), 'broken'],
    ['a header and nothing else', Buffer.from('%PDF-1.7\n'), 'broken'],
    ['a paper with every 7th byte flipped', garbled, 'broken'],
    ['a PDF with a user password', encryptedPdf('secret'), 'encrypted'],
    ['a page 10 points wide and 800 tall', await shapePdf({ rectangle: false, size: [10, 800] }), 'page-size'],
  ];
});

describe('renderFirstPage', () => {
  it('draws the first page of a 10-page paper as a WebP 400 pixels wide, with its text, font and figures', async () => {
    const doc = await PDFDocument.load(paper);
    expect(doc.getPageCount()).toBe(10);
    const dicts = doc.context
      .enumerateIndirectObjects()
      .map(([, o]) => (o instanceof PDFRawStream ? o.dict : o))
      .filter((o) => o instanceof PDFDict);
    const has = (key: string, value?: string) =>
      dicts.some((d) => d.has(PDFName.of(key)) && (!value || d.get(PDFName.of(key)) === PDFName.of(value)));
    expect(has('Subtype', 'Image')).toBe(true);
    if (TTF_FONT) expect(has('FontFile2')).toBe(true);

    const t = await renderFirstPage(paper);
    expect(t).toMatchObject({ width: 400, height: 518, type: 'image/webp' });
    const meta = await sharp(t.bytes).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 400, height: 518 });
    expect(t.bytes.length).toBeGreaterThan(10_000);
    expect(t.bytes.length).toBeLessThan(60_000);

    const p = await decode(t.bytes);
    // White margins, dark title and abstract text, a colourful figure, two columns of body text below it.
    expect(region(p, 0, 0, 1, 0.06).light).toBeGreaterThan(250);
    expect(region(p, 0.1, 0.08, 0.9, 0.14).light).toBeLessThan(235);
    expect(region(p, 0.12, 0.24, 0.88, 0.36).light).toBeLessThan(240);
    expect(region(p, 0.1, 0.4, 0.6, 0.56).colour).toBeGreaterThan(60);
    expect(region(p, 0.1, 0.62, 0.45, 0.9).light).toBeLessThan(240);
    expect(region(p, 0.55, 0.62, 0.9, 0.9).light).toBeLessThan(240);
    expect(region(p, 0.1, 0.62, 0.9, 0.9).colour).toBeLessThan(5);
  });

  it('shows a black rectangle where the page has one, and a blank page as white', async () => {
    const rectangle = await decode((await renderFirstPage(blackTopLeft)).bytes);
    expect(region(rectangle, 0.02, 0.02, 0.48, 0.48).light).toBeLessThan(5);
    expect(region(rectangle, 0.52, 0.02, 0.98, 0.48).light).toBeGreaterThan(250);
    expect(region(rectangle, 0.02, 0.52, 0.98, 0.98).light).toBeGreaterThan(250);
    const white = await decode((await renderFirstPage(blank)).bytes);
    expect(region(white, 0, 0, 1, 1).light).toBeGreaterThan(254);
  });

  it('renders at the width asked for, and a rotated page on its side', async () => {
    expect(await renderFirstPage(paper, { width: 200 })).toMatchObject({ width: 200, height: 259 });
    const doc = await PDFDocument.load(blackTopLeft);
    doc.getPage(0).setRotation(degrees(90));
    const turned = await renderFirstPage(await doc.save());
    expect(turned).toMatchObject({ width: 400, height: 310 });
    const p = await decode(turned.bytes);
    expect(region(p, 0.52, 0.02, 0.98, 0.48).light).toBeLessThan(5);
    expect(region(p, 0.02, 0.02, 0.48, 0.98).light).toBeGreaterThan(250);
    await expect(renderFirstPage(paper, { width: 0 })).rejects.toThrow(RangeError);
  });

  it('opens a PDF encrypted with an empty user password, as any reader does', async () => {
    const p = await decode((await renderFirstPage(encryptedPdf(''))).bytes);
    expect(region(p, 0.02, 0.02, 0.48, 0.48).light).toBeLessThan(5);
    expect(region(p, 0.52, 0.52, 0.98, 0.98).light).toBeGreaterThan(250);
  });

  it('refuses what is not a readable PDF with a reason and a message that says what to do', async () => {
    for (const [what, bytes, reason] of refused) {
      const error = await refusal(renderFirstPage(bytes));
      expect({ what, reason: error.reason }).toEqual({ what, reason });
      expect(error.message).toMatch(/without (a thumbnail|one)|download|check/);
    }
    const big = await refusal(renderFirstPage(paper, { maxBytes: 100_000 }));
    expect(big.reason).toBe('too-large');
    expect(big.message).toMatch(/^This PDF is 0\.3 MB, over the 0\.1 MB limit/);
    expect((await renderFirstPage(paper)).width).toBe(400);
  });
});

describe('ThumbnailRenderer', () => {
  let renderer: ThumbnailRenderer;
  beforeAll(() => {
    renderer = new ThumbnailRenderer();
  });
  afterAll(() => renderer.close());

  it('renders in its worker thread exactly what renderFirstPage renders', async () => {
    const [inWorker, here] = [await renderer.render(paper), await renderFirstPage(paper)];
    expect(inWorker).toMatchObject({ width: 400, height: 518, type: 'image/webp' });
    expect(inWorker.bytes.equals(here.bytes)).toBe(true);
  });

  it('leaves the event loop free while it draws', async () => {
    const slow = await slowPdf(700);
    let longest = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    try {
      await renderer.render(slow);
    } finally {
      clearInterval(ticker);
    }
    // Drawn in this thread, that page would hold the event loop for the whole draw (a few hundred ms or more, with the
    // machine's speed); in the worker, the loop's longest pause is a small part of it.
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(150);
    expect(longest).toBeLessThan(elapsed * 0.5);
  });

  it('refuses broken inputs as renderFirstPage does, and renders the next PDF after each', async () => {
    for (const [what, bytes, reason] of refused) {
      const error = await refusal(renderer.render(bytes));
      expect({ what, reason: error.reason }).toEqual({ what, reason });
      expect((await renderer.render(blank)).width).toBe(400);
    }
  });

  it('renders PDFs given at once one after the other', async () => {
    const all = await Promise.all([paper, blank, blackTopLeft, paper].map((pdf) => renderer.render(pdf)));
    expect(all.map((t) => t.height)).toEqual([518, 518, 518, 518]);
    expect(all[0]!.bytes.equals(all[3]!.bytes)).toBe(true);
  });

  it('stops a drawing that takes too long, then renders with a fresh thread', async () => {
    const impatient = new ThumbnailRenderer({ timeoutMs: 300 });
    try {
      const slow = await slowPdf(20_000);
      await impatient.render(blank);
      const started = performance.now();
      const error = await refusal(impatient.render(slow));
      expect(error.reason).toBe('timeout');
      expect(error.message).toMatch(/took over 0\.3 s/);
      // Drawn to the end, that page would take half a minute.
      expect(performance.now() - started).toBeLessThan(5_000);
      expect((await impatient.render(paper)).width).toBe(400);
    } finally {
      await impatient.close();
    }
  });

  it('replaces a thread whose MuPDF heap grew past the limit, and goes on rendering', async () => {
    const strict = new ThumbnailRenderer({ maxHeapBytes: 1 });
    try {
      for (const pdf of [paper, blackTopLeft]) expect((await strict.render(pdf)).width).toBe(400);
    } finally {
      await strict.close();
    }
  });

  it('refuses what is under way or waiting once closed', async () => {
    const closing = new ThumbnailRenderer();
    const pending = [paper, blank, paper].map((pdf) => refusal(closing.render(pdf)));
    await closing.close();
    expect((await Promise.all(pending)).map((e) => e.reason)).toEqual(['closed', 'closed', 'closed']);
    expect((await refusal(closing.render(paper))).reason).toBe('closed');
  });

  it('loads its worker under the loader bin/paperboy.js uses', async () => {
    const script = `
      import { register } from 'tsx/esm/api';
      register();
      const { ThumbnailRenderer } = await import('./src/thumbnails/renderer.ts');
      const { shapePdf } = await import('./test/pdfs.ts');
      const renderer = new ThumbnailRenderer();
      const t = await renderer.render(await shapePdf({ rectangle: true }));
      console.log(JSON.stringify({ width: t.width, height: t.height, type: t.type }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      timeout: 30_000,
    });
    // The process ends by itself: the idle worker does not hold it open.
    expect(JSON.parse(stdout)).toEqual({ width: 400, height: 518, type: 'image/webp' });
  });
});
