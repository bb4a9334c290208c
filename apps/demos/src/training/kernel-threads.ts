import { type BackendInfo, backendInfo, startThreads } from '@dlfs/tensor';

/** The most kernel threads the training worker asks for (the worker itself counted). */
export const MAX_PAGE_THREADS = 4;

/** Where the training worker's kernels run: sent to the page with the ready message. */
export interface KernelInfo {
  /** 'wasm': the WASM SIMD kernels; 'js': the TypeScript fallback. */
  backend: 'wasm' | 'js';
  /** Threads the kernels split their big calls over, the training worker counted. */
  threads: number;
  /** Threads the worker asked for: the browser's cores, at most MAX_PAGE_THREADS. */
  requested: number;
  /** Why only one thread runs: the page is not cross-origin isolated, the browser reports one core, … */
  reason?: string;
}

/** Threads to ask for on a machine with `cores` logical cores (navigator.hardwareConcurrency, which may be missing). */
export function threadsToAsk(cores: number | undefined): number {
  return cores !== undefined && Number.isSafeInteger(cores) && cores > 1 ? Math.min(cores, MAX_PAGE_THREADS) : 1;
}

/** The kernels as they run now, from @dlfs/tensor's backendInfo(). */
export function kernelInfo(info: Pick<BackendInfo, 'backend' | 'fallbackReason' | 'threads'>): KernelInfo {
  const { count, requested } = info.threads;
  const reason = count > 1 ? undefined : (info.threads.reason ?? info.fallbackReason);
  return { backend: info.backend, threads: count, requested, ...(reason === undefined ? {} : { reason }) };
}

/** Why one thread is enough on a machine with `cores` logical cores (navigator.hardwareConcurrency, which may be missing). */
function oneCore(cores: number | undefined): string {
  return cores !== undefined && Number.isSafeInteger(cores) && cores >= 1
    ? `the browser reports ${cores} core${cores === 1 ? '' : 's'}`
    : 'the browser does not say how many cores it has';
}

/**
 * Starts the kernel threads of this worker: as many as the browser has cores, at most
 * MAX_PAGE_THREADS, through @dlfs/tensor's default browser spawn (a Worker from a Blob on the
 * shared WASM memory). Where threads cannot run (a page that is not cross-origin isolated has no
 * SharedArrayBuffer) the kernels stay on this worker's thread and the result says why. Never rejects.
 */
export async function startKernelThreads(cores: number | undefined, start: (threads: number) => Promise<number> = startThreads): Promise<KernelInfo> {
  const requested = threadsToAsk(cores);
  let failure: string | undefined;
  try {
    await start(requested);
  } catch (err) {
    failure = `the threads could not start: ${err instanceof Error ? err.message : String(err)}`;
  }
  const info = kernelInfo(backendInfo());
  const reason = info.threads > 1 ? undefined : (failure ?? info.reason ?? (requested === 1 ? oneCore(cores) : undefined));
  return { ...info, requested, ...(reason === undefined ? {} : { reason }) };
}

/** The kernels as the page shows them: "WASM SIMD, 2 threads", or "WASM SIMD, 1 thread: <why>". */
export function describeKernels(k: KernelInfo): string {
  const where = k.backend === 'wasm' ? 'WASM SIMD' : 'TypeScript';
  const threads = `${k.threads} thread${k.threads === 1 ? '' : 's'}`;
  return `${where}, ${threads}${k.reason === undefined ? '' : `: ${k.reason}`}`;
}
