import { type ClientMessage, CONTROL, type WorkerMessage } from './protocol.js';
import type { TrainingSettings } from './training-settings.js';

export type RunState = 'idle' | 'loading' | 'running' | 'paused' | 'done' | 'error';

/**
 * The page's side of the training worker: starts a run in a fresh worker (a restart simply
 * ends the old one), and pauses and resumes it, through the shared control word when the page
 * is cross-origin isolated and by message always.
 */
export class TrainingClient {
  private worker: Worker | undefined;
  private control: Int32Array | undefined;
  state: RunState = 'idle';

  constructor(
    private readonly createWorker: () => Worker,
    private readonly onMessage: (message: WorkerMessage) => void,
    private readonly onState: (state: RunState) => void,
  ) {}

  start(settings: TrainingSettings, datasetUrl: string): void {
    this.worker?.terminate();
    const worker = this.createWorker();
    this.worker = worker;
    worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => {
      if (worker !== this.worker) return;
      this.receive(event.data);
    });
    worker.addEventListener('error', (event) => {
      if (worker !== this.worker) return;
      event.preventDefault();
      this.receive({ type: 'error', message: event.message || 'the training worker failed to start' });
    });
    const shared = globalThis.crossOriginIsolated === true ? new SharedArrayBuffer(4) : undefined;
    this.control = shared === undefined ? undefined : new Int32Array(shared);
    this.setState('loading');
    this.send({ type: 'start', settings, datasetUrl, ...(shared === undefined ? {} : { control: shared }) });
  }

  pause(): void {
    if (this.state !== 'running') return;
    if (this.control !== undefined) Atomics.store(this.control, 0, CONTROL.pause);
    this.send({ type: 'pause' });
  }

  resume(): void {
    if (this.state !== 'paused') return;
    if (this.control !== undefined) Atomics.store(this.control, 0, CONTROL.run);
    this.send({ type: 'resume' });
    this.setState('running');
  }

  stop(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.setState('idle');
  }

  private send(message: ClientMessage): void {
    this.worker?.postMessage(message);
  }

  private receive(message: WorkerMessage): void {
    if (message.type === 'ready' || message.type === 'resumed') this.setState('running');
    else if (message.type === 'paused') this.setState('paused');
    else if (message.type === 'done') this.setState('done');
    else if (message.type === 'error') this.setState('error');
    this.onMessage(message);
  }

  private setState(state: RunState): void {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }
}
