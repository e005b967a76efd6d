import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setImmediate } from 'node:timers/promises';

/**
 * A file of typed arrays with a JSON header, as the in-memory indexes save themselves so that a start loads them
 * instead of reading every paper (snapshot.ts, src/foryou/term-stats-file.ts). Layout: a 4-letter magic, the format
 * version (u32 LE), the length of the JSON header (u32 LE), the header (with the list of arrays), then each array,
 * padded to 8 bytes, then the SHA-256 of all that. A file of another kind or version, cut short or damaged, is refused.
 */
export type TypedArray = Int32Array | Uint32Array | Float32Array | Float64Array | Uint16Array | Uint8Array;
const TYPES = {
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
  u16: Uint16Array,
  u8: Uint8Array,
} as const;
type TypeName = keyof typeof TYPES;
const DIGEST_BYTES = 32;
const HASH_SLICE = 4 << 20;

interface Framing {
  parts: { name: string; type: TypeName; length: number }[];
}

function typeName(a: TypedArray): TypeName {
  for (const [name, Type] of Object.entries(TYPES)) if (a instanceof Type) return name as TypeName;
  throw new TypeError('not a typed array this file format stores');
}

/** Writes beside `path` and renames over it: a reader never sees half a file, and a crash leaves the last whole one. */
export async function writeArraysFile(
  path: string,
  kind: { magic: string; version: number },
  header: object,
  arrays: Record<string, TypedArray>,
): Promise<void> {
  const parts = Object.entries(arrays).map(([name, a]) => ({ name, type: typeName(a), length: a.length }));
  const json = Buffer.from(JSON.stringify({ ...header, parts } satisfies Framing));
  const lead = Buffer.alloc(12);
  lead.write(kind.magic, 0, 'latin1');
  lead.writeUInt32LE(kind.version, 4);
  lead.writeUInt32LE(json.length, 8);
  const chunks: Uint8Array[] = [lead, json, Buffer.alloc(pad(12 + json.length))];
  for (const a of Object.values(arrays)) {
    chunks.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), Buffer.alloc(pad(a.byteLength)));
  }
  // Hashed a slice at a time, letting requests in between: at 75k papers the whole takes some 150 ms.
  const digest = createHash('sha256');
  for (const c of chunks) {
    for (let at = 0; at < c.byteLength; at += HASH_SLICE) {
      digest.update(c.subarray(at, at + HASH_SLICE));
      await setImmediate();
    }
  }
  chunks.push(digest.digest());
  // The name is random: processes of several machines may share the folder, with the same pids.
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    // Tidying only: a temporary this user cannot remove must not stop the save.
    await removeAbandoned(path).catch(() => {});
    await writeFile(temporary, chunks);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A writer's temporary is minutes old at most: an older one is what a killed writer left (each is the file's size). */
const ABANDONED_MS = 3_600_000;

async function removeAbandoned(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  for (const name of await readdir(dirname(path))) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const file = join(dirname(path), name);
    const modified = (await stat(file).catch(() => undefined))?.mtimeMs;
    if (modified !== undefined && Date.now() - modified > ABANDONED_MS) await rm(file, { force: true });
  }
}

/** The header and arrays of the file; undefined when there is none; throws, saying why, when it cannot be used. */
export async function readArraysFile<H extends object>(
  path: string,
  kind: { magic: string; version: number; name: string },
): Promise<{ header: H; arrays: ArraysOf } | undefined> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (file.length < 12 || file.toString('latin1', 0, 4) !== kind.magic) throw new Error(`not a ${kind.name}`);
  const version = file.readUInt32LE(4);
  if (version !== kind.version) throw new Error(`${kind.name} format ${version}, this Paperboy reads ${kind.version}`);
  if (file.length < 12 + DIGEST_BYTES) throw new Error(`the ${kind.name} is cut short`);
  const end = file.length - DIGEST_BYTES;
  const digest = createHash('sha256').update(file.subarray(0, end)).digest();
  if (!digest.equals(file.subarray(end))) throw new Error(`the ${kind.name} is damaged (its checksum does not match)`);
  const jsonLength = file.readUInt32LE(8);
  if (12 + jsonLength > end) throw new Error(`the ${kind.name} is cut short`);
  const header = JSON.parse(file.toString('utf8', 12, 12 + jsonLength)) as H & Framing;
  if (!Array.isArray(header.parts)) throw new Error(`the ${kind.name} header does not hold together`);
  let at = 12 + jsonLength + pad(12 + jsonLength);
  const arrays = new Map<string, TypedArray>();
  for (const { name, type, length } of header.parts) {
    const Type = TYPES[type];
    if (!Type) throw new Error(`the ${kind.name} has an array of unknown type ${type}`);
    const bytes = length * Type.BYTES_PER_ELEMENT;
    if (at + bytes > end) throw new Error(`the ${kind.name} is cut short`);
    arrays.set(name, new Type((file.buffer as ArrayBuffer).slice(file.byteOffset + at, file.byteOffset + at + bytes)));
    at += bytes + pad(bytes);
  }
  if (at !== end) throw new Error(`the ${kind.name} has bytes past its end`);
  return {
    header,
    arrays: <T extends TypedArray>(name: string, type: new (n: number) => T): T => {
      const a = arrays.get(name);
      if (!(a instanceof type)) throw new Error(`the ${kind.name} has no ${name}`);
      return a;
    },
  };
}

/** An array of the file by name and type; throws when the file has none such. */
export type ArraysOf = <T extends TypedArray>(name: string, type: new (n: number) => T) => T;

const pad = (n: number) => (8 - (n % 8)) % 8;
