/** Every kernel with a WASM entry, by the name its counts go under in kernelStats(). */
export const KERNEL_NAMES = [
  'matmul',
  'transpose',
  'addBias',
  'relu',
  'reluBackward',
  'axpy',
  'softmaxCrossEntropy',
  'copyRows',
  'convCols',
  'conv2d',
  'conv2dFilterGrad',
  'conv2dInputGrad',
  'maxPool',
  'maxPoolBackward',
  'batchNormStats',
  'batchNormApply',
  'batchNormBackward',
  'dropout',
  'multiply',
  'scale',
  'momentumUpdate',
  'nesterovUpdate',
  'adagradUpdate',
  'rmspropUpdate',
  'adamUpdate',
] as const;

export type KernelName = (typeof KERNEL_NAMES)[number];

/**
 * Why a float32 call on the wasm backend ran the TypeScript reference although its kernel has a
 * WASM entry:
 * - 'operand on the JS heap': a kernel that runs only in place got an array that is not in WASM
 *   memory (an op's own result, a `{ kernel: false }` tensor, a `new Tensor(new Float32Array(n))`);
 * - 'arena full': such an array went to the JS heap because the fixed WASM memory had no room
 *   when it was made, or the scratch for a copy could not be had there;
 * - 'memory cannot grow': the same, with a growable memory at its maximum (or refused by the engine);
 * - 'form not supported': the WASM entry does not cover this form (matmul with both transA and
 *   transB, a transpose of more than two axes).
 */
export type FallbackReason = 'operand on the JS heap' | 'arena full' | 'memory cannot grow' | 'form not supported';

export const FALLBACK_REASONS: readonly FallbackReason[] = ['operand on the JS heap', 'arena full', 'memory cannot grow', 'form not supported'];

/** How one kernel's calls ran since the start (or the last resetKernelStats()). */
export interface KernelStats {
  /** Runs in WASM. */
  wasm: number;
  /** Runs of the TypeScript reference, for any reason: jsBackend + float64 + small + every fallback. */
  reference: number;
  /** Reference runs because the 'js' backend is in effect (asked for, or WASM cannot start here). */
  jsBackend: number;
  /** Reference runs because an operand is float64: float64 always runs in TypeScript, by design. */
  float64: number;
  /** Reference runs because the call is below the kernel's minimum size, where TypeScript is as fast: by design. */
  small: number;
  /** Float32 calls on the wasm backend that ran the reference although WASM could have, by reason (only reasons that happened). */
  fallbacks: Partial<Record<FallbackReason, number>>;
  /** WASM runs that copied operands between the JS heap and WASM scratch, and the bytes copied (in plus out). */
  copies: { calls: number; bytes: number };
}

/** The live counters: KernelStats with every reason present, for plain increments. */
export interface KernelCounters extends KernelStats {
  fallbacks: Record<FallbackReason, number>;
}

function emptyCounters(): KernelCounters {
  return {
    wasm: 0,
    reference: 0,
    jsBackend: 0,
    float64: 0,
    small: 0,
    fallbacks: { 'operand on the JS heap': 0, 'arena full': 0, 'memory cannot grow': 0, 'form not supported': 0 },
    copies: { calls: 0, bytes: 0 },
  };
}

// One preallocated record per kernel, counted into with plain increments on every call.
const table = Object.fromEntries(KERNEL_NAMES.map((name) => [name, emptyCounters()])) as Record<KernelName, KernelCounters>;

/** The live counters of one kernel (for defineKernel; others read snapshots through kernelStats). */
export function counters(name: KernelName): KernelCounters {
  return table[name];
}

/** Sets every count back to zero. */
export function resetCounters(): void {
  for (const name of KERNEL_NAMES) {
    const s = table[name];
    s.wasm = s.reference = s.jsBackend = s.float64 = s.small = 0;
    for (const reason of FALLBACK_REASONS) s.fallbacks[reason] = 0;
    s.copies.calls = s.copies.bytes = 0;
  }
}

/** A copy of s that lists only the fallback reasons that happened. */
export function snapshot(s: KernelCounters): KernelStats {
  const fallbacks: Partial<Record<FallbackReason, number>> = {};
  for (const reason of FALLBACK_REASONS) if (s.fallbacks[reason] > 0) fallbacks[reason] = s.fallbacks[reason];
  return { wasm: s.wasm, reference: s.reference, jsBackend: s.jsBackend, float64: s.float64, small: s.small, fallbacks, copies: { ...s.copies } };
}

/** The counts of one kernel, or of all added up (what backendInfo() reports). */
export function kernelCounts(name?: KernelName): KernelStats {
  if (name !== undefined) return snapshot(table[name]);
  const total = emptyCounters();
  for (const n of KERNEL_NAMES) {
    const s = table[n];
    total.wasm += s.wasm;
    total.reference += s.reference;
    total.jsBackend += s.jsBackend;
    total.float64 += s.float64;
    total.small += s.small;
    for (const reason of FALLBACK_REASONS) total.fallbacks[reason] += s.fallbacks[reason];
    total.copies.calls += s.copies.calls;
    total.copies.bytes += s.copies.bytes;
  }
  return snapshot(total);
}
