import { Arena, ARENA_ALIGN } from './arena.js';
import type { ThreadPool } from './threads.js';
import {
  KERNEL_ARITY,
  type KernelExports,
  KERNELS_MAX_PAGES,
  KERNELS_STATIC_END,
  KERNELS_WASM_FIXED_BASE64,
  KERNELS_WASM_SHARED_BASE64,
  RESERVED_BYTES,
} from './kernels-wasm.js';

export type { KernelExports };

const PAGE = 65536;
const MiB = 1 << 20;

export interface MemoryLayout {
  /**
   * Bytes the memory starts with; a memory that cannot grow keeps them. Undefined: 32 MiB for a
   * growable memory, 64 MiB for a fixed one.
   */
  memoryBytes?: number;
  /** Bytes a growable memory may grow to (at most 4 GiB, all of wasm32). */
  maxMemoryBytes: number;
  /** Bytes of per-call scratch to start with; it grows when a call needs more. */
  scratchBytes: number;
  /** Whether to try a shared, growable memory first (false: go straight to the fixed one). */
  shared: boolean;
}

export const DEFAULT_LAYOUT: Readonly<MemoryLayout> = Object.freeze({ maxMemoryBytes: 4096 * MiB, scratchBytes: 4 * MiB, shared: true });

/** Bytes of a growable memory at first, and of a fixed one, when memoryBytes is not given. */
export const DEFAULT_GROWABLE_BYTES = 32 * MiB;
export const DEFAULT_FIXED_BYTES = 64 * MiB;

/**
 * Why memory could not be placed in the WASM memory: the fixed memory's arena has no free block
 * that large ('arena full'), or the growable memory is at its maximum or the engine refused to
 * grow it ('memory cannot grow').
 */
export type PlacementFailure = 'arena full' | 'memory cannot grow';

// A module with one function returning a v128 constant: it validates only where WASM SIMD works.
const SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version 1
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b, // type section: () -> v128
  0x03,
  0x02,
  0x01,
  0x00, // function section: one function of type 0
  0x0a,
  0x16,
  0x01,
  0x14,
  0x00,
  0xfd,
  0x0c, // code section: no locals, v128.const ...
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0x0b, // ... sixteen zero bytes, end
]);

/** True when this JavaScript engine runs WebAssembly with the SIMD (v128) instructions. */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function pagesOf(bytes: number): number {
  return Math.ceil(bytes / PAGE);
}

/** Bytes a piece of `bytes` takes in the scratch or the arena: rounded up to a 64-byte block. */
export function scratchSize(bytes: number): number {
  return Math.max(ARENA_ALIGN, Math.ceil(bytes / ARENA_ALIGN) * ARENA_ALIGN);
}

/**
 * A shared memory of `initial` pages that may grow to `maximum`, with the shared module
 * instantiated on it; undefined where the engine cannot make one (a browser page that is not
 * cross-origin isolated, an engine without WASM threads). When the address space for the
 * maximum cannot be reserved, smaller maximums are tried down to `initial`.
 */
function sharedInstance(
  initial: number,
  maximum: number,
): { memory: WebAssembly.Memory; module: WebAssembly.Module; instance: WebAssembly.Instance; maxPages: number } | undefined {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
  if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) return undefined;
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(decodeBase64(KERNELS_WASM_SHARED_BASE64));
  } catch {
    return undefined;
  }
  for (let max = maximum; max >= initial; max = max === initial ? initial - 1 : Math.max(initial, max >> 1)) {
    try {
      const memory = new WebAssembly.Memory({ initial, maximum: max, shared: true });
      if (!(memory.buffer instanceof (g.SharedArrayBuffer as typeof SharedArrayBuffer))) return undefined;
      return { memory, module, instance: new WebAssembly.Instance(module, { env: { memory } }), maxPages: max };
    } catch {
      // Not this maximum: try half of it.
    }
  }
  return undefined;
}

/** The exports, after checking that each kernel is there with the arity the sources declare. */
function checkedExports(instance: WebAssembly.Instance): KernelExports {
  const exports = instance.exports;
  for (const [name, arity] of Object.entries(KERNEL_ARITY)) {
    const f = exports[name];
    if (typeof f !== 'function' || f.length !== arity) {
      throw new Error(`the WASM module's export ${name} should be a function of ${arity} parameters; rebuild it with \`pnpm build:wasm\``);
    }
  }
  return exports as unknown as KernelExports;
}

/**
 * The instantiated kernels and their memory: [0, 64 KiB) for the modules' static data, the rest
 * an arena from which kernel-placed tensors and the per-call scratch get their bytes.
 *
 * Where the engine allows it the memory is shared, so it can grow without detaching a view
 * handed out before (a shared buffer never moves): the arena grows it, geometrically, when it has
 * no free block large enough, up to `maxMemoryBytes`. Each growth makes `memory.buffer` a new
 * SharedArrayBuffer object over the same bytes, so `holds` knows every one of them. Elsewhere
 * the memory is fixed (growing an ordinary memory would detach every view) and a full arena
 * means the caller uses the JS heap.
 */
/**
 * Parts per thread of a large split call. On the 2-core machine of the README's Performance
 * table, the SimpleConvNet step on 2 threads took 14.6 and 13.8 ms with four parts per thread
 * against 15.5 and 14.7 ms with one while another process kept the second core 40% busy, and
 * the same (9.8–10.1 ms) either way when it was idle.
 */
const PARTS_PER_THREAD = 4;

/**
 * Where share p of a call of `count` units in `parts` parts starts (share p is [boundary(p),
 * boundary(p + 1))): the shares shrink in claim order, linearly from 1.5 to 0.5 times the mean
 * (OpenMP's "guided" schedule, with a fixed number of parts), and each has at least one unit when
 * count allows. A thread whose core is busy with other work holds the call up by at most its
 * last, small part: with 8 parts, 6% of the call instead of 12.5%. Measured on SimpleConvNet's
 * step on 2 threads with another process busy 30% of the second core (in-process A/B, medians of
 * three runs): 12.8, 13.3 and 11.9 ms against 13.3, 13.8 and 12.0 with equal shares; the same
 * (9.2–9.5 ms) on an idle machine.
 */
export function guidedBoundary(count: number, parts: number, p: number): number {
  if (p <= 0) return 0;
  if (p >= parts) return count;
  const w = 1.5 * p - (p * (p - 1)) / (2 * (parts - 1));
  const at = Math.round((count * w) / parts);
  if (count < parts) return Math.min(at, count);
  return Math.min(Math.max(at, p), count - (parts - p));
}

/** An elementwise call is split only into parts of at least this many elements (a handover costs a few microseconds). */
const ELEMENTWISE_MIN_PER_PART = 1 << 16;

export class WasmRuntime {
  readonly kernels: KernelExports;
  readonly memory: WebAssembly.Memory;
  /** The shared module, which threads instantiate on the same memory; undefined for a fixed memory. */
  readonly module: WebAssembly.Module | undefined;
  /** Worker threads that run parts of kernel calls, once started (see startThreads). */
  pool: ThreadPool | undefined;
  /** The arguments of an unsplit call (split), reused. */
  private readonly splitArgs: number[] = [];
  /** Whether the next split call hands out its shares last first (see split). */
  private reverseNext = false;
  /** The parts' scratch blocks of the call being made (scratchParts), reused. */
  private readonly partScratch: number[] = [];
  /** Whether the memory is shared and grows on demand. */
  readonly growable: boolean;
  /** Bytes the memory may grow to (its size, when it cannot grow). */
  readonly maxBytes: number;
  readonly arena: Arena;
  /** The memory's current buffer, and views of all of it. */
  buffer: ArrayBufferLike;
  f32: Float32Array;
  i32: Int32Array;
  f64: Float64Array;
  /** Byte range of the per-call scratch, a block of the arena that moves when it grows. */
  scratchStart: number;
  scratchEnd: number;
  /** How many times the memory has grown. */
  grows = 0;
  /** Why the last placement or scratch request failed. */
  failure: PlacementFailure = 'arena full';
  /** Arrays handed out in place (and their bytes), and requests that got the JS heap instead. */
  readonly placements = { arrays: 0, bytes: 0 };
  readonly heapFallbacks: Record<PlacementFailure, number> = { 'arena full': 0, 'memory cannot grow': 0 };
  /** Buffers the memory had before its growths: views of them are still views of this memory. */
  private readonly older: ArrayBufferLike[] = [];
  /** Why each heap buffer given in place of WASM memory went to the heap. */
  private readonly heapReasons = new WeakMap<ArrayBufferLike, PlacementFailure>();
  private top: number;
  /** Every byte from here up has never been handed out, so it still holds the zeros it came with. */
  private highWater = 0;
  /** The high-water mark before the last block was handed out. */
  private highWaterBefore = 0;
  private readonly finalizer: FinalizationRegistry<number>;

  constructor(layout: MemoryLayout) {
    if (KERNELS_STATIC_END > RESERVED_BYTES) throw new Error(`the kernels' static data (${KERNELS_STATIC_END} bytes) does not fit below ${RESERVED_BYTES}`);
    if (typeof FinalizationRegistry !== 'function') throw new Error('this JavaScript engine lacks FinalizationRegistry, which gives WASM memory back');
    const maxPages = Math.min(KERNELS_MAX_PAGES, pagesOf(layout.maxMemoryBytes));
    const shared = layout.shared ? sharedInstance(Math.min(maxPages, pagesOf(layout.memoryBytes ?? DEFAULT_GROWABLE_BYTES)), maxPages) : undefined;
    let instance: WebAssembly.Instance;
    if (shared !== undefined) {
      this.memory = shared.memory;
      this.module = shared.module;
      instance = shared.instance;
      this.growable = true;
      this.maxBytes = shared.maxPages * PAGE;
    } else {
      const pages = pagesOf(layout.memoryBytes ?? DEFAULT_FIXED_BYTES);
      this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
      // Synchronous on purpose: the module is ~15 KB, far below any engine's limit for it.
      instance = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(KERNELS_WASM_FIXED_BASE64)), { env: { memory: this.memory } });
      this.growable = false;
      this.maxBytes = pages * PAGE;
      this.module = undefined;
    }
    this.kernels = checkedExports(instance);
    this.buffer = this.memory.buffer;
    this.f32 = new Float32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.arena = new Arena(RESERVED_BYTES, this.buffer.byteLength);
    // The first block of the arena, right above the static data.
    this.scratchStart = this.alloc(layout.scratchBytes);
    if (this.scratchStart < 0) throw new Error(`no room for ${layout.scratchBytes} bytes of scratch in ${this.buffer.byteLength} bytes of memory`);
    this.scratchEnd = this.scratchStart + scratchSize(layout.scratchBytes);
    this.top = this.scratchStart;
    this.finalizer = new FinalizationRegistry((at: number) => this.arena.free(at));
  }

  /** Threads a kernel call may be split over: 1 without a pool. */
  get threads(): number {
    return this.pool?.size ?? 1;
  }

  /**
   * Parts to split a call of `work` units into: PARTS_PER_THREAD for each thread, but none
   * smaller than `minPerPart` (below that, handing a part to a thread costs what it saves).
   * Threads claim parts as they come free, so more parts than threads let a thread whose core
   * is busy with other work take fewer of them instead of holding the call up.
   */
  partsFor(work: number, minPerPart: number): number {
    const pool = this.pool;
    if (pool === undefined) return 1;
    return Math.max(1, Math.min(pool.size * PARTS_PER_THREAD, Math.floor(work / minPerPart)));
  }

  /** A scratch block of `bytes` for each of `parts` parts of a call, taken here before the parts start. */
  scratchParts(parts: number, bytes: number): readonly number[] {
    const at = this.partScratch;
    at.length = parts;
    for (let p = 0; p < parts; p++) at[p] = this.scratch(bytes);
    return at;
  }

  /**
   * Runs export `name` over `count` units (samples, rows, strips, planes) in `parts` contiguous
   * shares: `fill(lo, hi, part, args)` pushes the arguments of the share [lo, hi) for part
   * number `part` (whose scratch it may use; see scratchParts). One
   * part runs here directly; more go to the threads (see ThreadPool.run). Every kernel call that
   * may be split goes through here, so the split and the unsplit call are the same arguments.
   */
  split(name: keyof KernelExports, parts: number, count: number, fill: (lo: number, hi: number, part: number, args: number[]) => void): void {
    if (parts <= 1) {
      const args = this.splitArgs;
      args.length = 0;
      fill(0, count, 0, args);
      (this.kernels[name] as (...a: number[]) => unknown)(...args);
      return;
    }
    // Parts are claimed in order, the largest shares first (guidedBoundary), so that the last
    // parts, which decide when the call ends, are small. Every other split call lays the shares
    // out from the far end, so that a call that reads what the one before it wrote (pooling after
    // the conv, the filter gradient after pooling's backward) starts with what that call wrote
    // last, still in cache. Which part computes a share changes nothing in its result.
    this.reverseNext = !this.reverseNext;
    const reverse = this.reverseNext;
    this.pool!.run(this.kernels, name, parts, (p, args) => {
      const lo = guidedBoundary(count, parts, p);
      const hi = guidedBoundary(count, parts, p + 1);
      if (reverse) fill(count - hi, count - lo, p, args);
      else fill(lo, hi, p, args);
    });
  }

  /**
   * Runs an elementwise export `name(...pointers, len, ...scalars)` over `len` float32 elements,
   * split into contiguous ranges (multiples of 16 elements) over the threads when it is long
   * enough to pay: each element is computed by one thread, as one thread computes it.
   */
  elementwise(name: keyof KernelExports, len: number, pointers: readonly number[], scalars: readonly number[] = []): void {
    const blocks = len >>> 4;
    this.split(name, this.partsFor(len, ELEMENTWISE_MIN_PER_PART), blocks, (lo, hi, _part, args) => {
      // Shares of whole 16-element blocks; the last share also takes the tail.
      const e0 = 16 * lo;
      const e1 = hi === blocks ? len : 16 * hi;
      for (const at of pointers) args.push(at + 4 * e0);
      args.push(e1 - e0);
      for (const s of scalars) args.push(s);
    });
  }

  /** Bytes of memory now. */
  get bytes(): number {
    return this.buffer.byteLength;
  }

  /**
   * A Float32Array of `length` zeros in the arena, given back to the arena once the array is
   * garbage-collected. Grows a growable memory when the arena has no room; undefined when that
   * cannot be done (`failure` says why).
   */
  allocFloat32(length: number): Float32Array | undefined {
    const at = this.alloc(Math.max(1, length) * 4);
    if (at < 0) return undefined;
    const view = new Float32Array(this.buffer, at, length);
    // Bytes at or above the high-water mark were never handed out: a new memory and every
    // growth come zeroed, so only the part below it (a block given back and reused) needs zeros.
    // Not writing fresh pages keeps them unmapped until used, and spares a pass over them.
    const stale = Math.min(length, Math.max(0, (this.highWaterBefore - at) >> 2));
    if (stale > 0) view.fill(0, 0, stale);
    this.finalizer.register(view, at);
    this.placements.arrays++;
    this.placements.bytes += length * 4;
    return view;
  }

  /**
   * Counts `data`, on the JS heap, as a placement that failed for `failure`'s reason, and
   * remembers the reason for the kernels that will meet it. Returns data.
   */
  refused<T extends ArrayBufferView>(data: T): T {
    this.heapFallbacks[this.failure]++;
    this.heapReasons.set(data.buffer, this.failure);
    return data;
  }

  /** Why `data`, on the JS heap, is not in this memory: a placement that failed, or never asked for. */
  heapReason(data: ArrayBufferView): PlacementFailure | undefined {
    return this.heapReasons.get(data.buffer);
  }

  /** Whether `data` lives in this runtime's memory, where the kernels read and write it in place. */
  holds(data: ArrayBufferView): boolean {
    const b = data.buffer;
    if (b === this.buffer) return true;
    const older = this.older;
    for (let i = 0; i < older.length; i++) if (b === older[i]) return true;
    return false;
  }

  /**
   * Makes the scratch at least `bytes` long (taking a larger block of the arena, and growing the
   * memory for it if need be) before a call hands out any of it; false when it cannot.
   */
  ensureScratch(bytes: number): boolean {
    const current = this.scratchEnd - this.scratchStart;
    if (bytes <= current) return true;
    const need = scratchSize(bytes);
    const want = Math.max(need, 2 * current);
    // Calls are not nested: nothing in the scratch is live between calls, so it can move.
    this.arena.free(this.scratchStart);
    let size = want;
    let at = this.alloc(want);
    if (at < 0 && want > need) {
      size = need;
      at = this.alloc(need);
    }
    if (at < 0) {
      const failure = this.failure;
      size = current;
      at = this.arena.alloc(current);
      this.failure = failure;
    }
    this.scratchStart = at;
    this.scratchEnd = at + size;
    this.top = at;
    return size >= bytes;
  }

  /** The scratch stack's top, to give back with `release` when a kernel call ends. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** `bytes` of scratch (64-byte aligned) until the next `release`; -1 when the scratch is full. */
  scratch(bytes: number): number {
    const at = this.top;
    const next = at + scratchSize(bytes);
    if (next > this.scratchEnd) return -1;
    this.top = next;
    return at;
  }

  /** A scratch copy of `data` (which must fit: see ensureScratch). */
  copyIn(data: Float32Array): number {
    const at = this.scratch(data.length * 4);
    this.f32.set(data, at >> 2);
    return at;
  }

  /** Copies `data.length` floats written at `at` into `data`. */
  copyOut(data: Float32Array, at: number): void {
    data.set(this.f32.subarray(at >> 2, (at >> 2) + data.length));
  }

  /** A block of the arena, growing the memory when there is no room; -1 (and `failure`) when that fails. */
  private alloc(bytes: number): number {
    let at = this.arena.alloc(bytes);
    if (at < 0 && this.grow(scratchSize(bytes))) at = this.arena.alloc(bytes);
    if (at >= 0) {
      this.highWaterBefore = this.highWater;
      this.highWater = Math.max(this.highWater, at + scratchSize(bytes));
    }
    return at;
  }

  /**
   * Grows the memory so that the arena can hand out `bytes` in one block: by at least its size
   * (so a memory that keeps growing grows a few times only), at most up to maxBytes.
   */
  private grow(bytes: number): boolean {
    if (!this.growable) {
      this.failure = 'arena full';
      return false;
    }
    const size = this.buffer.byteLength;
    const need = bytes - this.arena.trailingFree;
    const room = this.maxBytes - size;
    if (need > room) {
      this.failure = 'memory cannot grow';
      return false;
    }
    try {
      this.memory.grow(pagesOf(Math.min(room, Math.max(need, size))));
    } catch {
      try {
        this.memory.grow(pagesOf(need));
      } catch {
        this.failure = 'memory cannot grow';
        return false;
      }
    }
    this.older.push(this.buffer);
    this.buffer = this.memory.buffer;
    this.f32 = new Float32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.arena.extend(this.buffer.byteLength);
    this.grows++;
    return true;
  }
}

export { RESERVED_BYTES };
