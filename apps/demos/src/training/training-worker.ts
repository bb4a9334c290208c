import { workerHost } from './worker-host.js';
import { startKernelThreads } from './kernel-threads.js';
import type { ClientMessage, WorkerMessage } from './protocol.js';
import { TrainingSession } from './training-session.js';

/** The parts of a dedicated worker's global scope this file uses (the project compiles against the DOM library). */
interface WorkerScope {
  postMessage(message: WorkerMessage, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ClientMessage>) => void): void;
}

const scope = self as unknown as WorkerScope;

// The kernel threads start once per worker, as soon as it loads (the page makes a worker per
// run), and serve every run in it. They need SharedArrayBuffer, which only a cross-origin
// isolated page has, and a thread that may block, which a worker is; elsewhere the kernels stay
// on this thread and the page shows why.
const kernels = startKernelThreads(navigator.hardwareConcurrency);

const session = new TrainingSession({
  post: (message, transfer = []) => scope.postMessage(message, transfer),
  ...workerHost,
  startKernels: () => kernels,
});

scope.addEventListener('message', (event) => {
  void session.handle(event.data);
});
