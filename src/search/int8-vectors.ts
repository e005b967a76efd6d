/**
 * Vectors kept a second time as 8-bit integers (each scaled by its largest component), for the first pass of a
 * semantic query: a quarter of the memory of the float vectors, and scanned 16 components per instruction by a
 * small WebAssembly SIMD loop. Its ranking is close enough to the exact one that rescoring a few more candidates
 * than wanted with the float vectors gives the exact top k (paper-index.ts, RESCORED).
 */

/**
 * The scan, hand-assembled (no compiler needed). In WebAssembly text:
 *
 *   (func (export "scan") (param $matrix i32) (param $rows i32) (param $rowBytes i32) (param $query i32) (param $out i32)
 *       (param $scales i32)
 *     (local $r i32) (local $p i32) (local $j i32) (local $acc v128) (local $x v128)
 *     (local.set $p (local.get $matrix))
 *     (block $done (loop $row
 *       (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
 *       (local.set $acc (v128.const i32x4 0 0 0 0))
 *       (local.set $j (i32.const 0))
 *       (loop $col                                   ;; 16 int8 components against 16 int16 query components
 *         (local.set $x (v128.load (i32.add (local.get $p) (local.get $j))))
 *         (local.set $acc (i32x4.add (i32x4.add (local.get $acc)
 *           (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $x)) (v128.load (i32.add (local.get $query) (i32.shl (local.get $j) (i32.const 1)))))
 *           (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $x)) (v128.load offset=16 (i32.add (local.get $query) (i32.shl (local.get $j) (i32.const 1)))))))
 *         (br_if $col (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $rowBytes))))
 *       (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
 *         (f32.mul (f32.convert_i32_s (sum of the four lanes of $acc))
 *                  (f32.load (i32.add (local.get $scales) (i32.shl (local.get $r) (i32.const 2))))))
 *       (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
 *       (local.set $r (i32.add (local.get $r) (i32.const 1)))
 *       (br $row))))
 *
 * The memory is imported as env.memory.
 */
// biome-ignore format: one instruction per line
const HEADER = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x0a, 0x01, 0x60, 0x06, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, // type 0: (i32 × 6) → ()
  0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01, // import env.memory, min 1 page
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x07, 0x08, 0x01, 0x04, 0x73, 0x63, 0x61, 0x6e, 0x00, 0x00, // export "scan" = function 0
];
// Locals: parameters 0–5 ($matrix $rows $rowBytes $query $out $scales), then 6 $r, 7 $p, 8 $j, 9 $acc, 10 $x.
// biome-ignore format: one instruction per line
const BODY = [
  0x02, 0x03, 0x7f, 0x02, 0x7b, // locals: 3 × i32, 2 × v128
  0x20, 0x00, 0x21, 0x07, // $p = $matrix
  0x02, 0x40, 0x03, 0x40, // block $done, loop $row
  0x20, 0x06, 0x20, 0x01, 0x4f, 0x0d, 0x01, // br_if $done ($r >= $rows)
  0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x21, 0x09, // $acc = 0
  0x41, 0x00, 0x21, 0x08, // $j = 0
  0x03, 0x40, // loop $col
  0x20, 0x07, 0x20, 0x08, 0x6a, 0xfd, 0x00, 0x00, 0x00, 0x21, 0x0a, // $x = v128.load($p + $j)
  0x20, 0x09, // $acc
  0x20, 0x0a, 0xfd, 0x87, 0x01, // i16x8.extend_low_i8x16_s $x
  0x20, 0x03, 0x20, 0x08, 0x41, 0x01, 0x74, 0x6a, 0xfd, 0x00, 0x00, 0x00, // v128.load($query + 2 $j)
  0xfd, 0xba, 0x01, 0xfd, 0xae, 0x01, // i32x4.dot_i16x8_s, i32x4.add
  0x20, 0x0a, 0xfd, 0x88, 0x01, // i16x8.extend_high_i8x16_s $x
  0x20, 0x03, 0x20, 0x08, 0x41, 0x01, 0x74, 0x6a, 0xfd, 0x00, 0x00, 0x10, // v128.load offset=16 ($query + 2 $j)
  0xfd, 0xba, 0x01, 0xfd, 0xae, 0x01, 0x21, 0x09, // i32x4.dot_i16x8_s, i32x4.add, $acc =
  0x20, 0x08, 0x41, 0x10, 0x6a, 0x22, 0x08, 0x20, 0x02, 0x49, 0x0d, 0x00, // br_if $col (($j += 16) < $rowBytes)
  0x0b, // end $col
  0x20, 0x04, 0x20, 0x06, 0x41, 0x02, 0x74, 0x6a, // address $out + 4 $r
  0x20, 0x09, 0xfd, 0x1b, 0x00, 0x20, 0x09, 0xfd, 0x1b, 0x01, 0x6a, // lane 0 + lane 1
  0x20, 0x09, 0xfd, 0x1b, 0x02, 0x6a, 0x20, 0x09, 0xfd, 0x1b, 0x03, 0x6a, // + lane 2 + lane 3
  0xb2, // f32.convert_i32_s
  0x20, 0x05, 0x20, 0x06, 0x41, 0x02, 0x74, 0x6a, 0x2a, 0x02, 0x00, // f32.load($scales + 4 $r)
  0x94, 0x38, 0x02, 0x00, // f32.mul, f32.store
  0x20, 0x07, 0x20, 0x02, 0x6a, 0x21, 0x07, // $p += $rowBytes
  0x20, 0x06, 0x41, 0x01, 0x6a, 0x21, 0x06, // $r += 1
  0x0c, 0x00, // br $row
  0x0b, 0x0b, 0x0b, // end $row, end $done, end function
];

/** Unsigned LEB128, as WebAssembly writes sizes. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n ? byte | 0x80 : byte);
  } while (n);
  return out;
}

/** The module: the header sections, then the code section holding the one function body. */
function scanModule(): Uint8Array {
  const entry = [0x01, ...leb(BODY.length), ...BODY];
  return Uint8Array.from([...HEADER, 0x0a, ...leb(entry.length), ...entry]);
}

type Scan = (matrix: number, rows: number, rowBytes: number, query: number, out: number, scales: number) => void;

/** The few WebAssembly APIs used here (the project's TypeScript libraries do not declare them). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;
/** The compiled module, or null where WebAssembly SIMD is missing (the scan then runs in JavaScript). */
function scanCode(): object | null {
  if (compiled === undefined) {
    const bytes = scanModule();
    compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

const PAGE = 65_536;
const QUERY_SCALE = 32_767;

/**
 * Rows of 8-bit components by slot, in one WebAssembly memory (an ArrayBuffer without WebAssembly) laid out as
 * [rows | row scales | query | scores]; the rows grow in place, the scales move up when they do (the query and scores
 * are scratch, rewritten by every scan).
 */
export class Int8Vectors {
  /** Whether scans run in WebAssembly SIMD. */
  get simd(): boolean {
    return this.scanFn !== undefined;
  }

  private memory: WasmMemory | undefined;
  private buffer: ArrayBuffer = new ArrayBuffer(0);
  private scanFn: Scan | undefined;
  /** Components per row, padded to a multiple of 16 with zeros. */
  private readonly rowBytes: number;
  private capacity = 0;
  private rows = new Int8Array(0);
  /** The query's largest component in the scan: as fine as int16 allows, small enough that no int32 sum overflows. */
  private readonly queryScale: number;
  /** Per row, its largest absolute component over 127: a row's integer dot product times this is its score. */
  private scales = new Float32Array(0);

  /** `simd: false` scans in JavaScript, as where WebAssembly SIMD is missing. */
  constructor(
    readonly dimensions: number,
    { simd = true }: { simd?: boolean } = {},
  ) {
    this.rowBytes = Math.ceil(dimensions / 16) * 16;
    this.queryScale = Math.min(QUERY_SCALE, Math.floor((2 ** 31 - 1) / (127 * this.rowBytes)));
    const code = simd ? scanCode() : null;
    if (wasm && code) {
      this.memory = new wasm.Memory({ initial: 1 });
      this.scanFn = new wasm.Instance(code, { env: { memory: this.memory } }).exports.scan as Scan;
    }
    this.reserve(1024);
  }

  private get scalesAt(): number {
    return this.capacity * this.rowBytes;
  }

  /** Rounded up to 16 bytes, where the scan's 128-bit loads of the query are aligned. */
  private get queryAt(): number {
    return Math.ceil((this.scalesAt + this.capacity * 4) / 16) * 16;
  }

  /** Room for rows 0 .. n - 1. */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    const oldScales = { at: this.scalesAt, bytes: this.capacity * 4 };
    const capacity = Math.max(n, this.capacity * 2);
    const need = capacity * (this.rowBytes + 8) + this.rowBytes * 2 + 16;
    if (this.memory) {
      const pages = Math.ceil(need / PAGE) - this.memory.buffer.byteLength / PAGE;
      if (pages > 0) this.memory.grow(pages);
      this.buffer = this.memory.buffer;
    } else {
      const buffer = new ArrayBuffer(need);
      new Uint8Array(buffer).set(new Uint8Array(this.buffer, 0, oldScales.at + oldScales.bytes));
      this.buffer = buffer;
    }
    this.capacity = capacity;
    // The scales move up above the grown rows (copyWithin copies overlapping ranges as they were).
    new Uint8Array(this.buffer).copyWithin(this.scalesAt, oldScales.at, oldScales.at + oldScales.bytes);
    this.rows = new Int8Array(this.buffer, 0, capacity * this.rowBytes);
    this.scales = new Float32Array(this.buffer, this.scalesAt, capacity);
    this.scales.fill(0, oldScales.bytes / 4);
  }

  set(slot: number, vector: Float32Array): void {
    this.reserve(slot + 1);
    let max = 0;
    for (let i = 0; i < this.dimensions; i++) max = Math.max(max, Math.abs(vector[i]!));
    const at = slot * this.rowBytes;
    const inv = max > 0 ? 127 / max : 0;
    for (let i = 0; i < this.dimensions; i++) this.rows[at + i] = Math.round(vector[i]! * inv);
    this.scales[slot] = max / 127;
  }

  /**
   * Rows 0 .. n - 1 scored against the query: each row's integer dot product with the query times the row's scale,
   * proportional to its dot product with the query. A view valid until the next scan.
   */
  scan(query: Float32Array, n: number): Float32Array {
    this.reserve(n);
    let max = 0;
    for (let i = 0; i < this.dimensions; i++) max = Math.max(max, Math.abs(query[i]!));
    const inv = max > 0 ? this.queryScale / max : 0;
    const queryAt = this.queryAt;
    const scoresAt = queryAt + this.rowBytes * 2;
    const q = new Int16Array(this.buffer, queryAt, this.rowBytes);
    q.fill(0);
    for (let i = 0; i < this.dimensions; i++) q[i] = Math.round(query[i]! * inv);
    const scores = new Float32Array(this.buffer, scoresAt, n);
    if (this.scanFn) this.scanFn(0, n, this.rowBytes, queryAt, scoresAt, this.scalesAt);
    else scanInJs(this.rows, n, this.rowBytes, q, this.scales, scores);
    return scores;
  }
}

/** The same scan without WebAssembly SIMD (slower, same results). */
function scanInJs(
  rows: Int8Array,
  n: number,
  rowBytes: number,
  q: Int16Array,
  scales: Float32Array,
  out: Float32Array,
): void {
  for (let r = 0, at = 0; r < n; r++, at += rowBytes) {
    let acc = 0;
    for (let j = 0; j < rowBytes; j++) acc += rows[at + j]! * q[j]!;
    out[r] = Math.fround(acc) * scales[r]!;
  }
}
