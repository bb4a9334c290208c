// The Node entry of @dlfs/tensor: what needs node: modules, kept out of the main entry so that
// the package bundles for browsers.
import { Worker } from 'node:worker_threads';
import { startThreads as start, type ThreadOptions } from './backend.js';
import type { SpawnThread } from './wasm/threads.js';

/** Starts a kernel thread as a worker_threads Worker that does not keep the process alive. */
export const nodeSpawn: SpawnThread = (source, init, onMessage, onError) => {
  // No inherited execArgv: the source is CommonJS, which --input-type=module would break.
  const worker = new Worker(source, { eval: true, workerData: init, execArgv: [] });
  let ended = false;
  worker.on('message', (message) => {
    // Held while it starts (startThreads awaits it); after its first message (ready), the thread
    // no longer keeps the process alive. Unref after the listeners, which would ref it again.
    worker.unref();
    onMessage(message);
  });
  worker.on('error', (err) => {
    if (!ended) onError(err instanceof Error ? err : new Error(String(err)));
  });
  worker.on('exit', (code) => {
    if (!ended) onError(new Error(`the thread exited with code ${code}`));
  });
  return {
    terminate() {
      ended = true;
      void worker.terminate();
    },
  };
};

/**
 * startThreads of the main entry with Node's worker_threads: splits the WASM kernels' big calls
 * over `threads` threads (the calling one included) and resolves to the threads in use.
 */
export function startThreads(threads: number, opts: ThreadOptions = {}): Promise<number> {
  return start(threads, { spawn: nodeSpawn, ...opts });
}
