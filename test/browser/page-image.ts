import { deflateSync } from 'node:zlib';

/**
 * A small real PNG that looks like the first page of a paper (a title block, lines of text, a figure), for the browser
 * tests to store as thumbnails. `seed` varies the layout, so each paper gets its own image (and its own hash).
 */
export function paperPagePng(width: number, height: number, seed: number): Uint8Array {
  const rows: Buffer[] = [];
  const margin = Math.round(width * 0.1);
  const line = Math.max(4, Math.round(height / 90));
  const titleEnd = Math.round(height * 0.14);
  const figure = { top: Math.round(height * (0.45 + (seed % 3) * 0.05)), bottom: Math.round(height * 0.68) };
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3, 0xff);
    row[0] = 0; // filter: none
    const textLine = Math.floor(y / line) % 2 === 0;
    for (let x = margin; x < width - margin; x++) {
      let shade = -1;
      if (y > height * 0.06 && y < titleEnd && textLine && x < width - margin - ((seed * 37) % (width / 3)))
        shade = 0x22;
      else if (y >= figure.top && y < figure.bottom && x > width * 0.2 && x < width * 0.8)
        shade = 0xd8 - ((seed * 29) % 60);
      else if (y > titleEnd + line * 3 && y < height - margin && textLine && !(y >= figure.top && y < figure.bottom))
        shade = 0x9a;
      if (shade >= 0) row.fill(shade, 1 + x * 3, 4 + x * 3);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
