import os from 'node:os';
import { backendInfo } from '@dlfs/tensor';
import { startThreads } from '@dlfs/tensor/node';

/** The threads a command runs its kernels on, and why fewer than --threads asked for. */
export interface CliThreads {
  threads: number;
  /** Set when fewer threads run than asked for: a sentence that starts with the flag. */
  note?: string;
}

/**
 * Starts the kernel threads for --threads N: at most one per core (more only take turns on the
 * cores, and their waiting slows the others), and then as many as @dlfs/tensor can start.
 */
export async function startCliThreads(requested: number, cores = os.availableParallelism()): Promise<CliThreads> {
  const asked = Math.min(requested, Math.max(1, cores));
  const threads = await startThreads(asked);
  const plural = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;
  if (threads < asked) {
    return { threads, note: `--threads ${requested}: running on ${plural(threads)}, ${backendInfo().threads.reason ?? 'no more could start'}` };
  }
  if (asked < requested) {
    return { threads, note: `--threads ${requested}: running on ${plural(threads)}, one per core of this machine (more would only slow it down)` };
  }
  return { threads };
}
