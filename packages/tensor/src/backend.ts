import { kernelCounts, type KernelStats } from './kernel-counters.js';
import type { Tensor } from './tensor.js';
import {
  DEFAULT_GROWABLE_BYTES,
  DEFAULT_LAYOUT,
  type MemoryLayout,
  type PlacementFailure,
  RESERVED_BYTES,
  WasmRuntime,
  wasmSimdSupported,
} from './wasm/runtime.js';
import { browserSpawn, canBlock, JOB_BYTES, type SpawnThread, ThreadPool } from './wasm/threads.js';

/**
 * Where float32 kernels run: 'wasm' (WebAssembly SIMD, the default where the engine supports
 * it) or 'js' (the plain TypeScript reference kernels, always available). float64 always runs
 * in TypeScript. Both backends give the same results within float32 rounding.
 */
export type Backend = 'wasm' | 'js';

export interface BackendOptions {
  /**
   * Bytes of WASM memory to start with. A growable memory (shared, where the engine allows it:
   * Node, cross-origin-isolated pages) grows from there as tensors need room; a fixed one (other
   * browser pages) keeps them. Default 32 MiB growable, 64 MiB fixed.
   */
  memoryBytes?: number;
  /** Bytes a growable WASM memory may grow to (at most 4 GiB). Default 4 GiB. */
  maxMemoryBytes?: number;
  /** Bytes of per-call scratch (copies of JS-heap operands, packed panels) to start with; it grows on demand. Default 4 MiB. */
  scratchBytes?: number;
}

export interface BackendInfo {
  /** The backend float32 kernels run on now. */
  backend: Backend;
  /** The backend asked for (setBackend, or DLFS_BACKEND in the environment; 'wasm' by default). */
  requested: Backend;
  /** Whether this engine supports WebAssembly SIMD. */
  wasmSimd: boolean;
  /** Why 'wasm' was asked for but 'js' runs, if so. */
  fallbackReason?: string;
  /** The WASM memory, once the wasm backend has started. */
  memory?: {
    /** Whether the memory is shared and grows on demand; a fixed one gives JS-heap arrays when its arena is full. */
    growable: boolean;
    /** Bytes now, the most it may grow to, and how many times it has grown. */
    bytes: number;
    maxBytes: number;
    grows: number;
    /** Bytes of per-call scratch now. */
    scratchBytes: number;
    /** Bytes of the arena besides the scratch, and how many of them hold live kernel-placed tensors, in how many blocks. */
    arenaBytes: number;
    arenaUsedBytes: number;
    arenaBlocks: number;
    /** Arrays placed in WASM memory since the start, and their bytes. */
    placed: { arrays: number; bytes: number };
    /** Arrays that were to be placed but went to the JS heap, by reason. */
    heapFallbacks: Record<PlacementFailure, number>;
  };
  /** Every kernel's counts added up (kernelStats() has them per kernel). */
  kernels: KernelStats;
  /** Threads the WASM kernels split their calls over (1: the calling thread only), and why not more when startThreads asked for more. */
  threads: { count: number; requested: number; reason?: string };
}

function initialBackend(): Backend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.DLFS_BACKEND;
  return env === 'js' ? 'js' : 'wasm';
}

let requested: Backend = initialBackend();
let layout: MemoryLayout = { ...DEFAULT_LAYOUT };
let runtime: WasmRuntime | undefined;
let failure: string | undefined;
let started = false;
let simdProbe: () => boolean = wasmSimdSupported;
let threadsRequested = 1;
let threadsReason: string | undefined;

/**
 * The WASM runtime when float32 kernels should run there: the wasm backend is asked for and
 * works. Started on first use (the module compiles in a few milliseconds).
 */
export function wasmRuntime(): WasmRuntime | undefined {
  if (requested !== 'wasm') return undefined;
  if (runtime !== undefined || started) return runtime;
  started = true;
  if (!simdProbe()) {
    failure = 'this JavaScript engine does not support WebAssembly SIMD';
    return undefined;
  }
  try {
    runtime = new WasmRuntime(layout);
  } catch (err) {
    failure = `the WASM kernels could not be started: ${err instanceof Error ? err.message : String(err)}`;
  }
  return runtime;
}

const MAX_BYTES = 4096 * (1 << 20);

function checkBytes(name: string, value: number | undefined, min: number, max = MAX_BYTES): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < min || value > max)) {
    throw new RangeError(`setBackend: ${name} must be a whole number of bytes from ${min} to ${max}, got ${String(value)}`);
  }
}

function sameLayout(a: MemoryLayout, b: MemoryLayout): boolean {
  return a.memoryBytes === b.memoryBytes && a.maxMemoryBytes === b.maxMemoryBytes && a.scratchBytes === b.scratchBytes;
}

/**
 * Chooses where float32 kernels run and returns the backend now in effect: 'wasm' falls back to
 * 'js' (see backendInfo().fallbackReason) where WebAssembly SIMD is missing. Choose before
 * creating tensors: float32 tensors made while 'wasm' is in effect live in WASM memory. Memory
 * sizes can be set only before the wasm backend starts.
 */
export function setBackend(name: Backend, opts: BackendOptions = {}): Backend {
  if (name !== 'wasm' && name !== 'js') {
    throw new TypeError(`setBackend: unknown backend ${JSON.stringify(name)}; use 'wasm' or 'js'`);
  }
  if (opts.memoryBytes !== undefined || opts.maxMemoryBytes !== undefined || opts.scratchBytes !== undefined) {
    checkBytes('memoryBytes', opts.memoryBytes, 1 << 20);
    checkBytes('maxMemoryBytes', opts.maxMemoryBytes, 1 << 20);
    checkBytes('scratchBytes', opts.scratchBytes, 1 << 16);
    const next: MemoryLayout = {
      ...layout,
      memoryBytes: opts.memoryBytes ?? layout.memoryBytes,
      maxMemoryBytes: opts.maxMemoryBytes ?? layout.maxMemoryBytes,
      scratchBytes: opts.scratchBytes ?? layout.scratchBytes,
    };
    const initial = next.memoryBytes ?? DEFAULT_GROWABLE_BYTES;
    if (next.scratchBytes + RESERVED_BYTES > initial) {
      throw new RangeError(
        `setBackend: scratchBytes (${next.scratchBytes}) must leave room in memoryBytes (${initial}) for the modules' static data and the arena`,
      );
    }
    if (next.maxMemoryBytes < initial) {
      throw new RangeError(`setBackend: maxMemoryBytes (${next.maxMemoryBytes}) must be at least memoryBytes (${initial})`);
    }
    if (runtime !== undefined && !sameLayout(next, layout)) {
      throw new Error(
        `setBackend: the WASM memory already exists (${runtime.bytes} bytes, growing up to ${runtime.maxBytes}) and cannot be resized; ` +
          'set memoryBytes, maxMemoryBytes and scratchBytes before the first float32 tensor or kernel',
      );
    }
    layout = next;
  }
  requested = name;
  return getBackend();
}

/** The backend float32 kernels run on now ('wasm' starts the runtime if it has not yet). */
export function getBackend(): Backend {
  return wasmRuntime() === undefined ? 'js' : 'wasm';
}

export function backendInfo(): BackendInfo {
  const rt = wasmRuntime();
  const threads = { count: rt?.threads ?? 1, requested: threadsRequested, ...(threadsReason === undefined ? {} : { reason: threadsReason }) };
  const info: BackendInfo = { backend: rt === undefined ? 'js' : 'wasm', requested, wasmSimd: simdProbe(), kernels: kernelCounts(), threads };
  if (requested === 'wasm' && rt === undefined && failure !== undefined) info.fallbackReason = failure;
  const live = runtime;
  if (live !== undefined) {
    const scratch = live.scratchEnd - live.scratchStart;
    info.memory = {
      growable: live.growable,
      bytes: live.bytes,
      maxBytes: live.maxBytes,
      grows: live.grows,
      scratchBytes: scratch,
      arenaBytes: live.arena.end - live.arena.start - scratch,
      arenaUsedBytes: live.arena.used - scratch,
      arenaBlocks: live.arena.blocks - 1,
      placed: { ...live.placements },
      heapFallbacks: { ...live.heapFallbacks },
    };
  }
  return info;
}

/**
 * `length` float32 zeros for a tensor that the creation functions make: in WASM memory under
 * 'wasm', or, when the memory has no room for them, on the JS heap (counted in
 * backendInfo().memory.heapFallbacks); undefined under 'js'.
 */
export function kernelFloat32(length: number): Float32Array | undefined {
  const rt = wasmRuntime();
  if (rt === undefined) return undefined;
  return rt.allocFloat32(length) ?? rt.refused(new Float32Array(length));
}

/**
 * Whether two arrays share any byte. Views of the WASM memory made before and after it grew have
 * different buffer objects over the same bytes, so those compare by address.
 */
export function overlaps(x: ArrayBufferView, y: ArrayBufferView): boolean {
  if (x === y) return true;
  if (x.buffer !== y.buffer && (runtime === undefined || !runtime.holds(x) || !runtime.holds(y))) return false;
  return x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}

/** Whether t's data lives in the WASM memory, where the wasm kernels use it without copying. */
export function isKernelPlaced(t: Tensor): boolean {
  return runtime?.holds(t.data) === true;
}

/** For tests: pretend the engine has (or lacks) WASM SIMD, and forget the started runtime's failure. */
export function setSimdProbeForTesting(probe: (() => boolean) | undefined): void {
  simdProbe = probe ?? wasmSimdSupported;
  started = runtime !== undefined;
  failure = undefined;
}

/**
 * For tests: drop the runtime so that the next use starts a new one (old views stay readable),
 * with the default sizes; `{ shared: false }` makes it use a fixed memory, as a browser page that
 * is not cross-origin isolated must.
 */
export function resetRuntimeForTesting(opts: { shared?: boolean } = {}): void {
  runtime = undefined;
  started = false;
  failure = undefined;
  layout = { ...DEFAULT_LAYOUT, shared: opts.shared ?? DEFAULT_LAYOUT.shared };
}

export interface ThreadOptions {
  /** How to start a thread: the global Worker of browsers by default; `@dlfs/tensor/node` passes worker_threads. */
  spawn?: SpawnThread;
  /**
   * Milliseconds a kernel call waits with none of its parts finishing before it throws, taking
   * the threads for dead (a worker killed or out of memory mid-part): 60 s by default. Every
   * later call throws too, until stopThreads or startThreads.
   */
  stallTimeoutMs?: number;
}

/**
 * Splits the WASM kernels' big calls over `threads` threads, counting the calling one (so 2 starts
 * one worker): workers instantiate the same module on the shared WASM memory. Every element of a
 * result is computed by one thread the same way whatever the split, so results are the same bits
 * with any number of threads; calls too small to pay for a handover stay on one thread. Resolves
 * to the threads now in use: 1, with the reason in backendInfo().threads, where threads cannot
 * run (the 'js' backend, a memory that is not shared, a browser page's main thread, which may not
 * block, or an engine without workers). Replaces a pool started before; `startThreads(1)` stops it.
 */
export async function startThreads(threads: number, opts: ThreadOptions = {}): Promise<number> {
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`startThreads: threads must be a whole number from 1 to ${MAX_THREADS}, got ${String(threads)}`);
  }
  const stall = opts.stallTimeoutMs;
  if (stall !== undefined && !(typeof stall === 'number' && stall > 0 && Number.isFinite(stall))) {
    throw new RangeError(`startThreads: stallTimeoutMs must be a number of milliseconds > 0, got ${String(stall)}`);
  }
  stopThreads();
  threadsRequested = threads;
  threadsReason = undefined;
  if (threads === 1) return 1;
  const rt = wasmRuntime();
  const why =
    rt === undefined
      ? `the kernels run in TypeScript (${failure ?? "the 'js' backend was asked for"})`
      : rt.module === undefined
        ? 'the WASM memory is not shared (SharedArrayBuffer needs a cross-origin-isolated page)'
        : !canBlock()
          ? "this thread may not wait for others (a browser page's main thread: train in a Worker)"
          : undefined;
  if (why !== undefined || rt === undefined || rt.module === undefined) {
    threadsReason = why;
    return 1;
  }
  const block = rt.allocFloat32(JOB_BYTES / 4);
  if (block === undefined) {
    threadsReason = `no WASM memory for the threads' job block (${rt.failure})`;
    return 1;
  }
  try {
    block.fill(0);
    rt.pool = await ThreadPool.start(rt.module, rt.memory, block, threads - 1, opts.spawn ?? browserSpawn, opts.stallTimeoutMs);
  } catch (err) {
    threadsReason = `the threads could not start: ${err instanceof Error ? err.message : String(err)}`;
    return 1;
  }
  return rt.threads;
}

/** Ends the kernel threads, if any: kernels run on the calling thread alone again. */
export function stopThreads(): void {
  const rt = runtime;
  if (rt?.pool !== undefined) {
    rt.pool.close();
    rt.pool = undefined;
  }
  threadsRequested = 1;
  threadsReason = undefined;
}

/** The most threads startThreads takes. */
export const MAX_THREADS = 64;
