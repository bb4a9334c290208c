import os from 'node:os';
import { backendInfo } from '@dlfs/tensor';
import { startThreads } from '@dlfs/tensor/node';

/**
 * dlfs's thread count, for the SimpleConvNet rows "dlfs 1 thread" and "dlfs all threads":
 * `startThreads(n)` of `@dlfs/tensor/node`, which splits the WASM kernels' big calls over n
 * threads (the calling one included; the workers are unref'd, so the process still exits on
 * its own) and resolves to the threads in use. Results are the same bits on any number.
 *
 * Called inside an implementation's own process (bench/src/worker.ts, at setup), after the
 * backend is chosen and before the network is built, never in the harness.
 */
export type ThreadsResult = { ok: true; threads: number } | { ok: false; threads: number; reason: string };

/** The most threads the "all threads" row asks for. */
export const MAX_BENCH_THREADS = 4;

/** Threads of the "all threads" row: the machine's, at most MAX_BENCH_THREADS. */
export function allThreads(available = os.availableParallelism?.() ?? os.cpus().length): number {
  return Math.max(1, Math.min(available, MAX_BENCH_THREADS));
}

/** Starts dlfs on `n` threads; not ok, with dlfs's reason, when it could start fewer. */
export async function setDlfsThreads(n: number): Promise<ThreadsResult> {
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new RangeError(`setDlfsThreads: n must be a whole number >= 1, got ${String(n)}`);
  const threads = await startThreads(n);
  if (threads >= n) return { ok: true, threads };
  const why = backendInfo().threads.reason ?? 'no reason given';
  return { ok: false, threads, reason: `dlfs started ${threads} of the ${n} threads asked for: ${why}` };
}
