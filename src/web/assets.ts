import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Static files, read once; their URLs carry a content hash so browsers may cache them forever. */
function asset(file: string, type: string) {
  const body = readFileSync(new URL(`./static/${file}`, import.meta.url), 'utf8');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  const [name, ext] = file.split('.') as [string, string];
  return { path: `/static/${name}.${hash}.${ext}`, body, type };
}

export const stylesheet = asset('app.css', 'text/css; charset=utf-8');
export const script = asset('app.js', 'text/javascript; charset=utf-8');
export const assets = [stylesheet, script];
