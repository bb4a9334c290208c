import { Worker } from 'node:worker_threads';
import { type Summary, summarize } from './stats.js';

// How much of two cores a round had. On a shared machine another tenant may hold part of one
// core for seconds at a time; a step split over both threads then waits at every call for the
// thread whose core is taken, while a one-thread step just runs on the other core. The probe
// times the same fixed loop of dependent arithmetic (no memory, no synchronisation) on one
// thread alone and on two at once: on two free cores both take as long as one alone (1.00×).

/** A thread that runs the probe's loop for the iterations it is sent and answers with its milliseconds. */
const LOOP = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (iters) => {
  const t0 = performance.now();
  let x = 1;
  for (let i = 0; i < iters; i++) x = x * 1.0000001 + 1e-9;
  parentPort.postMessage({ ms: performance.now() - t0, x });
});
`;

/** Milliseconds of one run of the loop, once calibrated. */
const TARGET_MS = 40;

export interface ProbeResult {
  /** The slowdown of each measurement: the slower of two threads at once over one alone (1.00: both cores free). */
  rounds: number[];
  summary?: Summary;
}

export class ParallelProbe {
  private iters = 1_000_000;

  private constructor(private readonly threads: readonly Worker[]) {}

  /** Two probe threads, calibrated so that one run of the loop takes about 40 ms. */
  static async start(): Promise<ParallelProbe> {
    const probe = new ParallelProbe([new Worker(LOOP, { eval: true }), new Worker(LOOP, { eval: true })]);
    await probe.run(1);
    const ms = Math.max(0.01, (await probe.run(1))[0]!);
    probe.iters = Math.max(1_000, Math.round((probe.iters * TARGET_MS) / ms));
    return probe;
  }

  /** Runs the loop on the first `n` threads at once; each thread's milliseconds. */
  private run(n: number): Promise<number[]> {
    return Promise.all(
      this.threads.slice(0, n).map(
        (w) =>
          new Promise<number>((resolve, reject) => {
            const done = (m: { ms: number }): void => {
              w.off('error', reject);
              resolve(m.ms);
            };
            w.once('message', done);
            w.once('error', reject);
            w.postMessage(this.iters);
          }),
      ),
    );
  }

  /** One measurement: the loop alone, on both threads at once, alone again; the slower of the two over the faster alone. */
  async measure(): Promise<number> {
    const [a] = await this.run(1);
    const both = await this.run(2);
    const [b] = await this.run(1);
    return Math.max(...both) / Math.min(a!, b!);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((w) => w.terminate()));
  }
}

/** The probe's results with their summary. */
export function probeResult(rounds: number[]): ProbeResult {
  return rounds.length > 0 ? { rounds, summary: summarize(rounds) } : { rounds };
}
