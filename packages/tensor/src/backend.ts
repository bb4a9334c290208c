import type { Tensor } from './tensor.js';
import { DEFAULT_LAYOUT, type MemoryLayout, WasmRuntime, wasmSimdSupported } from './wasm/runtime.js';

/**
 * Where float32 kernels run: 'wasm' (WebAssembly SIMD, the default where the engine supports
 * it) or 'js' (the plain TypeScript reference kernels, always available). float64 always runs
 * in TypeScript. Both backends give the same results within float32 rounding.
 */
export type Backend = 'wasm' | 'js';

export interface BackendOptions {
  /**
   * Bytes of WASM memory, reserved once when the wasm backend first runs and never grown
   * (growing would detach the Float32Arrays already handed out). Default 64 MiB.
   */
  memoryBytes?: number;
  /** Of those, bytes of per-call scratch for copies of JS-heap operands. Default 16 MiB. */
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
    bytes: number;
    scratchBytes: number;
    /** Bytes for kernel-placed tensors, and how many of them hold live tensors now. */
    arenaBytes: number;
    arenaUsedBytes: number;
    arenaBlocks: number;
  };
}

/**
 * Element-wise kernels (relu, addBias, axpy) run in WASM only when every array already lives in
 * WASM memory (see zeros(..., { kernel: true })) and there are at least this many elements: they
 * are too cheap to pay for copies or for the call.
 */
export const WASM_MIN_ELEMENTS = 256;

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

function checkBytes(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < min)) {
    throw new RangeError(`setBackend: ${name} must be a whole number of bytes >= ${min}, got ${String(value)}`);
  }
}

/**
 * Chooses where float32 kernels run and returns the backend now in effect: 'wasm' falls back to
 * 'js' (see backendInfo().fallbackReason) where WebAssembly SIMD is missing. Choose before
 * creating kernel-placed tensors. Memory sizes can be set only before the wasm backend starts.
 */
export function setBackend(name: Backend, opts: BackendOptions = {}): Backend {
  if (name !== 'wasm' && name !== 'js') {
    throw new TypeError(`setBackend: unknown backend ${JSON.stringify(name)}; use 'wasm' or 'js'`);
  }
  if (opts.memoryBytes !== undefined || opts.scratchBytes !== undefined) {
    checkBytes('memoryBytes', opts.memoryBytes, 1 << 20);
    checkBytes('scratchBytes', opts.scratchBytes, 1 << 16);
    const next = { memoryBytes: opts.memoryBytes ?? layout.memoryBytes, scratchBytes: opts.scratchBytes ?? layout.scratchBytes };
    if (next.scratchBytes + (1 << 16) > next.memoryBytes) {
      throw new RangeError(`setBackend: scratchBytes (${next.scratchBytes}) must leave room in memoryBytes (${next.memoryBytes}) for the module and the arena`);
    }
    if (runtime !== undefined && (next.memoryBytes !== layout.memoryBytes || next.scratchBytes !== layout.scratchBytes)) {
      throw new Error(
        `setBackend: the WASM memory already exists (${layout.memoryBytes} bytes, ${layout.scratchBytes} of scratch) and cannot be resized; ` +
          'set memoryBytes and scratchBytes before the first float32 kernel runs',
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
  const info: BackendInfo = { backend: rt === undefined ? 'js' : 'wasm', requested, wasmSimd: simdProbe() };
  if (requested === 'wasm' && rt === undefined && failure !== undefined) info.fallbackReason = failure;
  const live = runtime;
  if (live !== undefined) {
    info.memory = {
      bytes: live.layout.memoryBytes,
      scratchBytes: live.scratchEnd - live.scratchStart,
      arenaBytes: live.arena.end - live.arena.start,
      arenaUsedBytes: live.arena.used,
      arenaBlocks: live.arena.blocks,
    };
  }
  return info;
}

/**
 * `length` float32 zeros where the active backend's kernels work on them in place: a view of
 * the WASM memory under 'wasm' (undefined under 'js' or when the arena is full).
 */
export function kernelFloat32(length: number): Float32Array | undefined {
  return wasmRuntime()?.allocFloat32(length);
}

/** Whether t's data lives in the WASM memory, where the wasm kernels use it without copying. */
export function isKernelPlaced(t: Tensor): boolean {
  return runtime !== undefined && runtime.holds(t.data);
}

/** For tests: pretend the engine has (or lacks) WASM SIMD, and forget the started runtime's failure. */
export function setSimdProbeForTesting(probe: (() => boolean) | undefined): void {
  simdProbe = probe ?? wasmSimdSupported;
  started = runtime !== undefined;
  failure = undefined;
}

/** For tests: drop the runtime so that the next use starts a new one (old views stay readable). */
export function resetRuntimeForTesting(): void {
  runtime = undefined;
  started = false;
  failure = undefined;
  layout = { ...DEFAULT_LAYOUT };
}
