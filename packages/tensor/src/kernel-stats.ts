import { type Backend, getBackend } from './backend.js';
import { KERNEL_NAMES, type KernelName, type KernelStats, kernelCounts, resetCounters } from './kernel-counters.js';

export type { FallbackReason, KernelName, KernelStats } from './kernel-counters.js';

export interface KernelStatsReport {
  /** The backend float32 kernels run on now. */
  backend: Backend;
  /** How each kernel's calls ran since the start (or the last resetKernelStats()). */
  kernels: Record<KernelName, KernelStats>;
}

/**
 * How each kernel's calls ran: in WASM, or in the TypeScript reference and why (see
 * FallbackReason), and what was copied. A snapshot; counting goes on.
 */
export function kernelStats(): KernelStatsReport {
  const kernels = Object.fromEntries(KERNEL_NAMES.map((name) => [name, kernelCounts(name)])) as Record<KernelName, KernelStats>;
  return { backend: getBackend(), kernels };
}

/** Sets every count of kernelStats() back to zero. */
export function resetKernelStats(): void {
  resetCounters();
}
