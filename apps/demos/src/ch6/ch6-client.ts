import type { Ch6ClientMessage, Ch6WorkerMessage } from './ch6-protocol.js';

/**
 * The page's side of a chapter-6 worker: made on the first job, which it queues with the next
 * ones; `reset()` ends it and every job in it (the next job starts a fresh worker).
 */
export class Ch6Client {
  private worker: Worker | undefined;
  private nextId = 1;

  constructor(
    private readonly createWorker: () => Worker,
    private readonly onMessage: (message: Ch6WorkerMessage) => void,
  ) {}

  /** Sends a job; returns its id, which every message about it carries. */
  send(job: Omit<Extract<Ch6ClientMessage, { type: 'compare' }>, 'id'> | Omit<Extract<Ch6ClientMessage, { type: 'lab' }>, 'id'>): number {
    const id = this.nextId++;
    if (this.worker === undefined) {
      const worker = this.createWorker();
      this.worker = worker;
      worker.addEventListener('message', (event: MessageEvent<Ch6WorkerMessage>) => {
        if (worker === this.worker) this.onMessage(event.data);
      });
      worker.addEventListener('error', (event) => {
        if (worker !== this.worker) return;
        event.preventDefault();
        this.onMessage({ type: 'error', id: 0, message: event.message || 'the chapter-6 worker failed to start' });
      });
    }
    this.worker.postMessage({ ...job, id } as Ch6ClientMessage);
    return id;
  }

  reset(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}
