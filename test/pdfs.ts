import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { LineCapStyle, PDFDocument, type PDFFont, PDFName, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';

/**
 * PDFs made for the thumbnail tests and bench/thumbnails: a paper laid out like an arXiv preprint (two columns of
 * text in a standard font and an embedded TrueType font, a raster figure on page 1, vector plots and tables), simple
 * pages with known content, and inputs a renderer must refuse (a password-protected PDF, written by hand since
 * pdf-lib cannot encrypt).
 */

/** A TrueType font on this machine, if any: Debian's fonts-dejavu-core (which Chromium pulls in) or Liberation. */
export const TTF_FONT = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf',
].find((f) => existsSync(f));

const WORDS = (
  'we propose a simple method for training large language models with sparse mixture of experts layers that ' +
  'improves sample efficiency under a fixed compute budget our experiments on standard benchmarks show consistent ' +
  'gains over dense baselines while the analysis reveals how routing entropy relates to downstream accuracy and ' +
  'calibration we further study retrieval augmented generation diffusion transformers graph neural networks and ' +
  'reinforcement learning from human feedback across vision speech and code tasks with ablations of every component'
).split(' ');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

function sentence(random: () => number, words: number): string {
  const out = Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]!);
  out[0] = out[0]!.charAt(0).toUpperCase() + out[0]!.slice(1);
  return `${out.join(' ')}.`;
}

/** Lines of `text` no wider than `width` points in `font` at `size`. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && font.widthOfTextAtSize(next, size) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** A photo-like RGB image (smooth colour fields plus noise), which JPEG and PNG compress as they would a real figure. */
async function figure(width: number, height: number, format: 'png' | 'jpeg', seed: number): Promise<Uint8Array> {
  const random = rng(seed);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const n = random() * 24;
      pixels[i] = 120 + 100 * Math.sin(x / 37 + seed) + n;
      pixels[i + 1] = 120 + 100 * Math.cos(y / 29) + n;
      pixels[i + 2] = 128 + 90 * Math.sin((x + y) / 53) + n;
    }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 85 }).toBuffer();
}

/** A line plot with axes, ticks and three curves, drawn as vector paths. */
function plot(page: PDFPage, x: number, y: number, w: number, h: number, random: () => number): void {
  const axis = { thickness: 0.8, color: rgb(0, 0, 0) };
  page.drawLine({ start: { x, y }, end: { x: x + w, y }, ...axis });
  page.drawLine({ start: { x, y }, end: { x, y: y + h }, ...axis });
  for (let t = 1; t <= 5; t++) {
    page.drawLine({ start: { x: x + (t * w) / 5, y }, end: { x: x + (t * w) / 5, y: y - 3 }, ...axis });
    page.drawLine({ start: { x, y: y + (t * h) / 5 }, end: { x: x - 3, y: y + (t * h) / 5 }, ...axis });
  }
  const colors = [rgb(0.12, 0.47, 0.71), rgb(1, 0.5, 0.05), rgb(0.17, 0.63, 0.17)];
  colors.forEach((color, c) => {
    let previous = { x, y: y + h * (0.1 + 0.1 * c) };
    for (let i = 1; i <= 40; i++) {
      const next = {
        x: x + (i * w) / 40,
        y: y + h * Math.min(0.95, 0.1 + 0.1 * c + 0.6 * (1 - Math.exp(-i / (8 + 4 * c))) + 0.03 * random()),
      };
      page.drawLine({ start: previous, end: next, thickness: 1.2, color, lineCap: LineCapStyle.Round });
      previous = next;
    }
  });
}

/** A results table: header rule, rows of numbers, booktabs-style rules. */
function table(page: PDFPage, font: PDFFont, x: number, y: number, w: number, random: () => number): number {
  const rule = (at: number, thickness: number) =>
    page.drawLine({ start: { x, y: at }, end: { x: x + w, y: at }, thickness, color: rgb(0, 0, 0) });
  rule(y, 1);
  const cells = ['Model', 'MMLU', 'GSM8K', 'HumanEval'];
  cells.forEach((c, i) => {
    page.drawText(c, { x: x + 4 + (i * w) / 4, y: y - 11, size: 8, font });
  });
  rule(y - 15, 0.5);
  for (let r = 0; r < 6; r++) {
    const row = [`Model-${r + 1}`, ...[0, 1, 2].map(() => (40 + 50 * random()).toFixed(1))];
    row.forEach((c, i) => {
      page.drawText(c, { x: x + 4 + (i * w) / 4, y: y - 27 - 11 * r, size: 8, font });
    });
  }
  rule(y - 27 - 11 * 6 + 5, 1);
  return y - 27 - 11 * 6;
}

export interface PaperOptions {
  pages?: number;
  seed?: number;
}

/**
 * A preprint of `pages` US-letter pages: page 1 has the title, authors, abstract (in the embedded TrueType font when the
 * machine has one), a JPEG figure, a PNG figure and two columns of text; later pages two columns of text, a vector
 * plot and a table.
 */
export async function paperPdf(options: PaperOptions = {}): Promise<Uint8Array> {
  const pages = options.pages ?? 10;
  const random = rng(options.seed ?? 1);
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const body = await doc.embedFont(StandardFonts.TimesRoman);
  const bold = await doc.embedFont(StandardFonts.TimesRomanBold);
  const embedded = TTF_FONT ? await doc.embedFont(readFileSync(TTF_FONT), { subset: true }) : body;
  const jpeg = await doc.embedJpg(await figure(640, 360, 'jpeg', 3));
  const png = await doc.embedPng(await figure(320, 240, 'png', 5));
  const [W, H, M, GAP] = [612, 792, 54, 18];
  const col = (W - 2 * M - GAP) / 2;

  const columns = (page: PDFPage, top: number, bottom: number, from: number) => {
    for (let c = 0; c < 2; c++) {
      let y = top;
      const x = M + c * (col + GAP);
      while (y > bottom) {
        const paragraph = wrap(
          Array.from({ length: 4 + Math.floor(random() * 4) }, () =>
            sentence(random, 8 + Math.floor(random() * 12)),
          ).join(' '),
          body,
          10,
          col,
        );
        for (const line of paragraph) {
          if (y < bottom) break;
          page.drawText(line, { x, y, size: 10, font: body });
          y -= 12;
        }
        y -= 6;
      }
    }
    page.drawText(String(from), { x: W / 2 - 3, y: 30, size: 9, font: body });
  };

  const first = doc.addPage([W, H]);
  const title = 'Sparse Experts Route Themselves: Scaling Mixtures of Experts under a Fixed Compute Budget';
  let y = H - 80;
  for (const line of wrap(title, bold, 17, W - 2 * M)) {
    first.drawText(line, { x: (W - bold.widthOfTextAtSize(line, 17)) / 2, y, size: 17, font: bold });
    y -= 21;
  }
  const authors = 'Ada Lovelace, Alan Turing, Grace Hopper, Claude Shannon, Emmy Noether';
  first.drawText(authors, { x: (W - body.widthOfTextAtSize(authors, 11)) / 2, y: y - 6, size: 11, font: body });
  y -= 40;
  first.drawText('Abstract', { x: (W - bold.widthOfTextAtSize('Abstract', 11)) / 2, y, size: 11, font: bold });
  y -= 16;
  const abstract = Array.from({ length: 6 }, () => sentence(random, 14)).join(' ');
  for (const line of wrap(abstract, embedded, 9.5, W - 2 * M - 60)) {
    first.drawText(line, { x: M + 30, y, size: 9.5, font: embedded });
    y -= 12;
  }
  y -= 10;
  const figureHeight = ((W - 2 * M) * 0.62 * 360) / 640;
  first.drawImage(jpeg, { x: M, y: y - figureHeight, width: (W - 2 * M) * 0.62, height: figureHeight });
  first.drawImage(png, {
    x: M + (W - 2 * M) * 0.65,
    y: y - figureHeight,
    width: (W - 2 * M) * 0.35,
    height: figureHeight,
  });
  y -= figureHeight + 14;
  first.drawText('Figure 1: Routing entropy across layers (left) and expert load (right).', {
    x: M,
    y,
    size: 9,
    font: body,
  });
  first.drawLine({ start: { x: M, y: y - 8 }, end: { x: W - M, y: y - 8 }, thickness: 0.5, color: rgb(0, 0, 0) });
  columns(first, y - 24, 60, 1);

  for (let p = 2; p <= pages; p++) {
    const page = doc.addPage([W, H]);
    plot(page, M + 20, H - 230, col - 30, 150, random);
    const under = table(page, bold, M + col + GAP, H - 72, col, random);
    page.drawText(`Figure ${p}: Loss against compute.`, { x: M, y: H - 252, size: 9, font: body });
    columns(page, Math.min(H - 270, under - 20), 60, p);
  }
  return doc.save();
}

/** One page of `size` points (US letter by default), blank or with a black rectangle over its left half's top half. */
export async function shapePdf(options: { rectangle: boolean; size?: [number, number] }): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const [w, h] = options.size ?? [612, 792];
  const page = doc.addPage([w, h]);
  if (options.rectangle) page.drawRectangle({ x: 0, y: h / 2, width: w / 2, height: h / 2, color: rgb(0, 0, 0) });
  return doc.save();
}

/**
 * A one-page PDF with a black rectangle over the left half's top half, encrypted by hand with the standard security
 * handler (RC4, 40-bit key, revision 2; ISO 32000-1 §7.6.3). With an empty user password any reader opens it (many
 * published papers are "encrypted" like that, to forbid copying); with a user password it needs that password.
 */
export function encryptedPdf(userPassword: string, ownerPassword = 'owner'): Uint8Array {
  const md5 = (...parts: Uint8Array[]) => {
    const h = createHash('md5');
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  };
  const PADDING = Buffer.from('28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A', 'hex');
  const pad = (password: string) => Buffer.concat([Buffer.from(password, 'latin1'), PADDING]).subarray(0, 32);
  const id = md5(Buffer.from(`paperboy-${userPassword}`));
  const permissions = -44;
  const o = rc4(md5(pad(ownerPassword)).subarray(0, 5), pad(userPassword));
  const p = Buffer.alloc(4);
  p.writeInt32LE(permissions);
  const key = md5(pad(userPassword), o, p, id).subarray(0, 5);
  const u = rc4(key, PADDING);
  const objectKey = (n: number) =>
    md5(key, new Uint8Array([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, 0, 0])).subarray(0, 10);

  const content = rc4(objectKey(4), Buffer.from('0 g\n0 396 306 396 re f\n', 'latin1'));
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>',
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]),
    `<< /Filter /Standard /V 1 /R 2 /O <${hex(o)}> /U <${hex(u)}> /P ${permissions} >>`,
  ];
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = chunks[0]!.length;
  objects.forEach((body, i) => {
    offsets.push(length);
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.from(body), Buffer.from('\nendobj\n')]);
    chunks.push(chunk);
    length += chunk.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 5 0 R /ID [<${hex(id)}> <${hex(id)}>] >>`,
    'startxref',
    String(length),
    '%%EOF\n',
  ].join('\n');
  chunks.push(Buffer.from(xref, 'latin1'));
  return new Uint8Array(Buffer.concat(chunks));
}

function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[k] = data[k]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

/** One page whose content stream strokes `lines` full-page diagonals: slow to draw, small once compressed. */
export async function slowPdf(lines: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  const content = doc.context.flateStream(Buffer.from('1 w 0 0 m 612 792 l 612 0 m 0 792 l S\n'.repeat(lines)));
  page.node.set(PDFName.of('Contents'), doc.context.register(content));
  return doc.save();
}
