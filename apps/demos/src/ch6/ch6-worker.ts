import { workerHost } from '../training/worker-host.js';
import { Ch6Session } from './ch6-session.js';
import type { Ch6ClientMessage, Ch6WorkerMessage } from './ch6-protocol.js';

/** The parts of a dedicated worker's global scope this file uses (the project compiles against the DOM library). */
interface WorkerScope {
  postMessage(message: Ch6WorkerMessage, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<Ch6ClientMessage>) => void): void;
}

const scope = self as unknown as WorkerScope;

// The chapter-6 runs keep to this worker's thread: the page may run the optimizer race and a lab
// run at once, each in a worker of its own, beside the chapter-5 training.
const session = new Ch6Session({
  post: (message, transfer = []) => scope.postMessage(message, transfer),
  ...workerHost,
});

scope.addEventListener('message', (event) => {
  void session.handle(event.data);
});
