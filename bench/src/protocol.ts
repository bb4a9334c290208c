import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RoundsResult } from './results.js';

/**
 * Implementations run in their own processes and speak JSON lines: the harness writes one
 * command per line to the child's stdin, the child answers with one stdout line that starts
 * with this mark (other output is kept as log). The Python worker speaks the same protocol.
 */
export const MARK = '@@bench ';

export function reply(obj: unknown): void {
  process.stdout.write(`${MARK}${JSON.stringify(obj)}\n`);
}

/** What a worker answers to `warmup` and `run`. */
export interface RunReply {
  iters: number;
  /** Wall time of all `iters` steps. */
  ms: number;
  loss: number;
}

/**
 * One round of an implementation on its worker: its untimed steps (rewarmPerRound, when any),
 * then itersPerRound timed ones. Records the round's ms per iteration, the iterations run and
 * the last loss in `record`, and returns the ms per iteration.
 */
export async function timedRound(worker: WorkerProcess, record: RoundsResult): Promise<number> {
  const rewarm = record.rewarmPerRound ? await worker.request<RunReply>({ cmd: 'warmup', minIters: record.rewarmPerRound, minMs: 0 }) : undefined;
  const run = await worker.request<RunReply>({ cmd: 'run', iters: record.itersPerRound });
  const ms = run.ms / run.iters;
  record.rounds.push(ms);
  record.totalIters = (record.totalIters ?? 0) + (rewarm?.iters ?? 0) + run.iters;
  record.lastLoss = run.loss;
  return ms;
}

/** A child process driven one command at a time. */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly stderr: string[] = [];
  readonly log: string[] = [];
  private waiting: { resolve: (v: unknown) => void; reject: (e: Error) => void } | undefined;
  private exited: string | undefined;

  constructor(
    readonly label: string,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (!line.startsWith(MARK)) {
        this.log.push(line);
        return;
      }
      const w = this.waiting;
      this.waiting = undefined;
      if (w === undefined) return;
      let msg: unknown;
      try {
        msg = JSON.parse(line.slice(MARK.length));
      } catch {
        w.reject(new Error(`${label}: unreadable answer ${line.slice(0, 200)}`));
        return;
      }
      const error = (msg as { error?: unknown }).error;
      if (typeof error === 'string') w.reject(new Error(`${label}: ${error}`));
      else w.resolve(msg);
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk.toString());
      if (this.stderr.length > 200) this.stderr.splice(0, 100);
    });
    const fail = (why: string): void => {
      this.exited = why;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(new Error(`${label}: ${why}${this.stderrTail() ? `\n${this.stderrTail()}` : ''}`));
    };
    this.child.on('error', (err) => fail(`could not start ${command} (${err.message})`));
    this.child.on('exit', (code, signal) => fail(`exited with ${signal ?? `code ${code}`}`));
    // A child that dies leaves stdin closed: writing to it must not crash the harness.
    this.child.stdin!.on('error', () => undefined);
  }

  stderrTail(lines = 15): string {
    return this.stderr.join('').trim().split('\n').slice(-lines).join('\n');
  }

  /** Sends one command and waits for its answer. */
  request<T>(msg: Record<string, unknown>): Promise<T> {
    if (this.exited !== undefined) return Promise.reject(new Error(`${this.label}: ${this.exited}`));
    if (this.waiting !== undefined) return Promise.reject(new Error(`${this.label}: a command is already running`));
    return new Promise<T>((resolve, reject) => {
      this.waiting = { resolve: resolve as (v: unknown) => void, reject };
      this.child.stdin!.write(`${JSON.stringify(msg)}\n`);
    });
  }

  /** Asks the child to exit, and kills it if it has not within `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    if (this.exited !== undefined) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.request({ cmd: 'exit' }).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

/** Runs a command to its end and returns the marked answer it printed (for one-shot children). */
export function runOnce<T>(
  label: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ reply: T; wallMs: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-20000)));
    child.on('error', (e) => reject(new Error(`${label}: could not start ${command} (${e.message})`)));
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (code !== 0 || line === undefined) {
        const tail = err.trim().split('\n').slice(-15).join('\n');
        reject(
          new Error(`${label}: ${command} exited with ${signal ?? `code ${code}`}${line === undefined ? ' without an answer' : ''}${tail ? `\n${tail}` : ''}`),
        );
        return;
      }
      resolve({ reply: JSON.parse(line.slice(MARK.length)) as T, wallMs, stderr: err });
    });
  });
}
