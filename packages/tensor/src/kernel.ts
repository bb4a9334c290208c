import { wasmRuntime } from './backend.js';
import { counters, type FallbackReason, type KernelName } from './kernel-counters.js';
import type { TypedArray } from './tensor.js';
import { type KernelExports, scratchSize, type WasmRuntime } from './wasm/runtime.js';

/**
 * Where a kernel's float32 operands must be for it to run in WASM:
 * - 'placed': every operand already lives in WASM memory; for cheap element-wise kernels, where
 *   copying an operand in and out would cost more than the kernel saves;
 * - 'copy': operands on the JS heap are copied into WASM scratch (and results back); for kernels
 *   with much more arithmetic than data (matmul, softmaxCrossEntropy).
 */
export type Placement = 'placed' | 'copy';

/** How a kernel uses an operand: reads it, writes all of it, or reads and then writes it. */
export type Access = 'read' | 'write' | 'readwrite';

/** The keys of a call object that hold its typed-array operands (optional ones may be undefined). */
export type OperandKey<C> = { [K in keyof C]-?: C[K] extends TypedArray | undefined ? K : never }[keyof C];

/** Byte offsets of a call's operands in WASM memory (0 for an optional operand left out). */
export type Pointers<C> = Readonly<Record<OperandKey<C>, number>>;

/** A kernel written once: its TypeScript reference, its WASM entry and its placement rule. */
export interface KernelDef<C, R> {
  /** Its name in kernelStats(). */
  name: KernelName;
  placement: Placement;
  /** Below this size (as `size` measures a call) the reference runs by design: WASM would not be faster. */
  minSize: number;
  /** Every typed-array field of the call object and how the kernel uses it. */
  operands: Readonly<Record<OperandKey<C>, Access>>;
  /** The size of a call, compared with minSize (elements, multiply-adds, ...). */
  size(call: C): number;
  /** Whether the WASM entry covers this call's form (default: every form). */
  supports?(call: C): boolean;
  /**
   * Bytes of scratch the WASM entry needs besides the operands' copies, as a sum of
   * scratchSize(piece) for each piece it will take: the runtime makes the scratch that large
   * before the call, so that rt.scratch never fails inside it. Runs on the WASM path only, once
   * per call, before anything is copied, so it is also where a call's WASM-only decisions are made.
   */
  scratchBytes?(call: C): number;
  /** The plain TypeScript kernel: the definition of the result, for float64 and every fallback. */
  reference(call: C): R;
  /** Runs the WASM entry with the operands at `at`; takes its own scratch from rt.scratch. */
  wasm(k: KernelExports, at: Pointers<C>, call: C, rt: WasmRuntime): R;
}

export interface Kernel<C, R> {
  readonly name: KernelName;
  readonly placement: Placement;
  readonly minSize: number;
  /** Runs the call in WASM when the backend, dtypes, size, form and placement allow, else the reference; counts which. */
  run(call: C): R;
}

/**
 * Defines a kernel: `run` holds the one prologue every kernel shares. In order: the 'js' backend
 * runs the reference; so does a call with any operand that is not a Float32Array (float64 always
 * runs in TypeScript) or below minSize (both by design, counted apart from fallbacks); a form
 * the WASM entry does not support falls back; then a 'placed' kernel runs in WASM only when every
 * operand lives in WASM memory, and a 'copy' kernel makes its scratch large enough for the copies
 * of the heap operands and its own pieces (growing the memory if need be) and runs in WASM,
 * falling back only when that memory cannot be had. Every fallback is counted with its reason.
 */
export function defineKernel<C, R>(def: KernelDef<C, R>): Kernel<C, R> {
  const keys = Object.keys(def.operands) as OperandKey<C>[];
  const reads = keys.map((key) => def.operands[key] !== 'write');
  const writes = keys.map((key) => def.operands[key] !== 'read');
  const inPlace = keys.map(() => false);
  const at = Object.fromEntries(keys.map((key) => [key, 0])) as Record<OperandKey<C>, number>;
  const stats = counters(def.name);
  const copies = def.placement === 'copy';
  // Read once here: inside run, which every kernel shares, a load from `def` would be megamorphic.
  const { minSize, reference, size, supports, scratchBytes, wasm } = def;

  const fallback = (reason: FallbackReason, call: C): R => {
    stats.reference++;
    stats.fallbacks[reason]++;
    return reference(call);
  };

  const run = (call: C): R => {
    const rt = wasmRuntime();
    if (rt === undefined) {
      stats.reference++;
      stats.jsBackend++;
      return reference(call);
    }
    for (let i = 0; i < keys.length; i++) {
      const data = call[keys[i]!] as TypedArray | undefined;
      if (data !== undefined && !(data instanceof Float32Array)) {
        stats.reference++;
        stats.float64++;
        return reference(call);
      }
    }
    if (size(call) < minSize) {
      stats.reference++;
      stats.small++;
      return reference(call);
    }
    if (supports !== undefined && !supports(call)) return fallback('form not supported', call);
    // Which operands are in WASM memory, and where (0 for one left out).
    let heap = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const data = call[key] as Float32Array | undefined;
      if (data === undefined) {
        inPlace[i] = true;
        at[key] = 0;
      } else {
        inPlace[i] = rt.holds(data);
        if (inPlace[i]) at[key] = data.byteOffset;
        else heap++;
      }
    }
    if (heap > 0 && !copies) {
      const data = call[keys[inPlace.indexOf(false)]!] as Float32Array;
      return fallback(rt.heapReason(data) ?? 'operand on the JS heap', call);
    }
    if (heap === 0 && scratchBytes === undefined) {
      // Everything in place and no scratch: the element-wise kernels' path.
      stats.wasm++;
      return wasm(rt.kernels, at, call, rt);
    }
    let bytes = scratchBytes === undefined ? 0 : scratchBytes(call);
    for (let i = 0; i < keys.length; i++) if (!inPlace[i]) bytes += scratchSize((call[keys[i]!] as Float32Array).byteLength);
    if (bytes > 0 && !rt.ensureScratch(bytes)) return fallback(rt.failure, call);
    const mark = rt.mark();
    try {
      let copied = 0;
      for (let i = 0; i < keys.length; i++) {
        if (inPlace[i]) continue;
        const key = keys[i]!;
        const data = call[key] as Float32Array;
        if (reads[i]) {
          at[key] = rt.copyIn(data);
          copied += data.byteLength;
        } else at[key] = rt.scratch(data.byteLength);
      }
      const result = wasm(rt.kernels, at, call, rt);
      for (let i = 0; i < keys.length; i++) {
        if (inPlace[i] || !writes[i]) continue;
        const key = keys[i]!;
        const data = call[key] as Float32Array;
        rt.copyOut(data, at[key]);
        copied += data.byteLength;
      }
      stats.wasm++;
      if (copied > 0) {
        stats.copies.calls++;
        stats.copies.bytes += copied;
      }
      return result;
    } finally {
      rt.release(mark);
    }
  };

  return Object.freeze({ name: def.name, placement: def.placement, minSize, run });
}

/** Element-wise kernels run in WASM from this many elements on: below, the call costs about what it saves. */
export const WASM_MIN_ELEMENTS = 256;
