import { Arena, ARENA_ALIGN } from './arena.js';
import { KERNELS_STATIC_END, KERNELS_WASM_BASE64 } from './kernels-wasm.js';

/** The exports of assembly/kernels.ts: pointers are byte offsets, sizes count elements. */
export interface KernelExports {
  gemm(m: number, n: number, k: number, a: number, ai: number, ap: number, b: number, br: number, bc: number, c: number, panel: number): void;
  gemmSparseA(m: number, n: number, k: number, a: number, b: number, c: number, idx: number, val: number): void;
  gemmSparseAT(m: number, n: number, k: number, a: number, b: number, c: number, at: number, idx: number, val: number): void;
  gemmSparseABt(m: number, n: number, k: number, a: number, b: number, c: number, bt: number, idx: number, val: number): void;
  transpose(x: number, rows: number, cols: number, out: number): void;
  addBias(x: number, b: number, out: number, rows: number, n: number): void;
  relu(x: number, y: number, len: number): void;
  reluBackward(dout: number, y: number, dx: number, len: number): void;
  axpy(alpha: number, x: number, y: number, len: number): void;
  softmaxCrossEntropy(x: number, rows: number, classes: number, labels: number, probs: number, dx: number, scale: number, e: number): number;
}

const PAGE = 65536;

/** Bytes from address 0 left to the module's static data (its exp/log tables end at KERNELS_STATIC_END). */
export const RESERVED_BYTES = PAGE;

export interface MemoryLayout {
  /** Total WASM memory, allocated once and never grown (growing would detach every view). */
  memoryBytes: number;
  /** Per-call scratch: copies of operands that live on the JS heap, packed panels, index lists. */
  scratchBytes: number;
}

export const DEFAULT_LAYOUT: Readonly<MemoryLayout> = Object.freeze({ memoryBytes: 64 * 1024 * 1024, scratchBytes: 16 * 1024 * 1024 });

// A module with one function returning a v128 constant: it validates only where WASM SIMD works.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code section: no locals, v128.const ...
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b, // ... sixteen zero bytes, end
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

/**
 * The instantiated kernels and their memory: [0, 64 KiB) for the module's static data, then the
 * scratch stack, then the arena from which kernel-placed tensors get their data.
 */
export class WasmRuntime {
  readonly kernels: KernelExports;
  readonly buffer: ArrayBuffer;
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  readonly layout: Readonly<MemoryLayout>;
  readonly arena: Arena;
  readonly scratchStart: number;
  readonly scratchEnd: number;
  private top: number;
  private readonly finalizer: FinalizationRegistry<number> | undefined;

  constructor(layout: MemoryLayout) {
    if (KERNELS_STATIC_END > RESERVED_BYTES) throw new Error(`the kernels' static data (${KERNELS_STATIC_END} bytes) does not fit below ${RESERVED_BYTES}`);
    const pages = Math.ceil(layout.memoryBytes / PAGE);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    // Synchronous on purpose: the module is ~12 KB, far below any engine's limit for it.
    const module = new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.kernels = instance.exports as unknown as KernelExports;
    this.buffer = memory.buffer;
    this.f32 = new Float32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.layout = Object.freeze({ memoryBytes: pages * PAGE, scratchBytes: layout.scratchBytes });
    this.scratchStart = RESERVED_BYTES;
    this.scratchEnd = Math.min(pages * PAGE, RESERVED_BYTES + Math.ceil(layout.scratchBytes / ARENA_ALIGN) * ARENA_ALIGN);
    this.top = this.scratchStart;
    this.arena = new Arena(this.scratchEnd, pages * PAGE);
    this.finalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((at: number) => this.arena.free(at)) : undefined;
  }

  /**
   * A Float32Array of `length` zeros in the arena, given back to the arena once the array is
   * garbage-collected; undefined when the arena has no room (or, without FinalizationRegistry,
   * ever: memory that could never be given back is not handed out).
   */
  allocFloat32(length: number): Float32Array | undefined {
    if (this.finalizer === undefined) return undefined;
    const at = this.arena.alloc(Math.max(1, length) * 4);
    if (at < 0) return undefined;
    const view = new Float32Array(this.buffer, at, length);
    view.fill(0);
    this.finalizer.register(view, at);
    return view;
  }

  /** Whether `data` lives in this runtime's memory, where the kernels read and write it in place. */
  holds(data: ArrayBufferView): boolean {
    return data.buffer === this.buffer;
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
    const next = at + Math.max(ARENA_ALIGN, Math.ceil(bytes / ARENA_ALIGN) * ARENA_ALIGN);
    if (next > this.scratchEnd) return -1;
    this.top = next;
    return at;
  }

  /** Where a kernel reads `data`: in place when it lives here, else a scratch copy (-1: no room). */
  input(data: Float32Array): number {
    if (data.buffer === this.buffer) return data.byteOffset;
    const at = this.scratch(data.length * 4);
    if (at >= 0) this.f32.set(data, at >> 2);
    return at;
  }

  /** Where a kernel writes `data`: in place when it lives here, else scratch to copy back with `output`. */
  outputAt(data: Float32Array): number {
    return data.buffer === this.buffer ? data.byteOffset : this.scratch(data.length * 4);
  }

  /** Copies a result written at `at` into `data`, unless it was written there in place. */
  output(data: Float32Array, at: number): void {
    if (data.buffer !== this.buffer) data.set(this.f32.subarray(at >> 2, (at >> 2) + data.length));
  }
}
