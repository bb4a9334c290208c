import { KERNEL_ARITY, type KernelExports } from './kernels-wasm.js';

// Threads for the WASM kernels: each worker instantiates the same module on the same shared
// memory and waits on a job block in that memory. The calling thread splits a kernel call into
// parts (samples, filters, rows, columns or ranges of elements), writes every part's arguments
// into the block and publishes the job; then every thread, the caller included, claims parts
// one at a time (compare-and-swap on one word) until none is left, and the caller waits until
// all are done. A worker that is late (asleep, or its core busy) only claims fewer parts: the
// caller never waits for a part nobody has started. Every element of a result is computed by
// exactly one part, the same way whatever the split or whoever runs it, so a call gives the same
// bits with any number of threads.

/** The exports a thread can run, by number: the job block holds the number. */
export const KERNEL_NAMES_BY_INDEX = Object.freeze(Object.keys(KERNEL_ARITY) as (keyof KernelExports)[]);
const INDEX = new Map<string, number>(KERNEL_NAMES_BY_INDEX.map((name, i) => [name, i]));

// The job block: int32 words, the error text (UTF-16) from byte ERROR_AT, each part's float64
// arguments from byte ARGS_AT. CLAIM packs the job's sequence number (16 bits), its part count
// (8 bits) and the next unclaimed part (8 bits), so that a claim names the job it belongs to.
const CLAIM = 0;
const DONE = 1;
const FN = 2;
const ARGC = 3;
const ERROR = 4;
const STOP = 5;
const ERROR_AT = 64;
const MAX_ERROR_CHARS = 240;
const ARGS_AT = 1024;
/** Arguments one part may take. */
const MAX_ARGS = 24;
/** How long startThreads waits for a thread to instantiate the module before giving up on threads. */
const START_TIMEOUT_MS = 20_000;
/**
 * How long a call waits with no part finishing before it decides that a thread has stopped
 * (killed, or out of memory) in the middle of a part. A part is a fraction of one kernel call,
 * milliseconds in the book's nets; the calling thread cannot hear of a worker's end while it
 * waits, so without this a dead worker would hang the call for ever.
 */
export const STALL_TIMEOUT_MS = 60_000;
/** The most parts a call may be split into. */
export const MAX_PARTS = 64;
/** Bytes of the job block. */
export const JOB_BYTES = ARGS_AT + MAX_PARTS * MAX_ARGS * 8;

/** What a new thread gets: the module, the memory and where the job block is. */
export interface ThreadInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  job: number;
  names: readonly string[];
  /** The thread's number (1, 2, …) in error messages. */
  index: number;
}

/** A started thread: how to end it. */
export interface ThreadHandle {
  terminate(): void;
}

/**
 * Starts one thread running `source` (plain JavaScript that works in a Node worker_threads
 * Worker and in a browser Worker) with `init`; calls onMessage with what it posts and onError
 * when it fails or exits. Node's comes from `@dlfs/tensor/node`; the default uses the global
 * `Worker` of browsers.
 */
export type SpawnThread = (source: string, init: ThreadInit, onMessage: (message: unknown) => void, onError: (error: Error) => void) => ThreadHandle;

/**
 * The code of a thread, the same claim loop as ThreadPool.claim. Between jobs it spins briefly
 * (a call usually follows soon after the last), then sleeps until the claim word changes. A trap
 * is written into the job block (the first one wins) and the part still counts as done.
 */
export const THREAD_SOURCE = `'use strict';
const start = (init, post) => {
  const { module, memory, job, names } = init;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const fns = names.map((n) => instance.exports[n]);
  const i32 = new Int32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const base = job >> 2;
  const args = [];
  post({ ready: true });
  let spins = 0;
  while (Atomics.load(i32, base + ${STOP}) === 0) {
    const w = Atomics.load(i32, base + ${CLAIM});
    const parts = (w >>> 8) & 255;
    const part = w & 255;
    if (part >= parts) {
      if (++spins > 20000) Atomics.wait(i32, base + ${CLAIM}, w, 1000);
      continue;
    }
    if (Atomics.compareExchange(i32, base + ${CLAIM}, w, w + 1) !== w) continue;
    spins = 0;
    const fn = i32[base + ${FN}];
    const argc = i32[base + ${ARGC}];
    const a0 = (job + ${ARGS_AT} + part * ${MAX_ARGS * 8}) >> 3;
    args.length = argc;
    for (let i = 0; i < argc; i++) args[i] = f64[a0 + i];
    try {
      fns[fn].apply(null, args);
    } catch (err) {
      if (Atomics.compareExchange(i32, base + ${ERROR}, 0, -1) === 0) {
        const text = ('thread ' + init.index + ': ' + names[fn] + ': ' + (err && err.message ? err.message : String(err))).slice(0, ${MAX_ERROR_CHARS});
        const u16 = new Uint16Array(memory.buffer, job + ${ERROR_AT}, text.length);
        for (let i = 0; i < text.length; i++) u16[i] = text.charCodeAt(i);
        Atomics.store(i32, base + ${ERROR}, text.length + 1);
      }
    }
    if (Atomics.add(i32, base + ${DONE}, 1) + 1 === parts) Atomics.notify(i32, base + ${DONE});
  }
};
if (typeof require === 'function' && typeof process === 'object') {
  const { parentPort, workerData } = require('node:worker_threads');
  start(workerData, (m) => parentPort.postMessage(m));
} else {
  self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
}
`;

/** Browsers: a Worker from a Blob of the source, given its init by message. */
export const browserSpawn: SpawnThread = (source, init, onMessage, onError) => {
  const g = globalThis as unknown as {
    Worker?: new (url: string) => { postMessage(m: unknown): void; terminate(): void; onmessage: unknown; onerror: unknown };
    URL: { createObjectURL(b: unknown): string; revokeObjectURL(u: string): void };
    Blob: new (parts: string[], opts: { type: string }) => unknown;
  };
  if (typeof g.Worker !== 'function') throw new Error('this engine has no Worker; in Node, use startThreads from @dlfs/tensor/node');
  const url = g.URL.createObjectURL(new g.Blob([source], { type: 'text/javascript' }));
  const worker = new g.Worker(url);
  worker.onmessage = (e: { data: unknown }) => onMessage(e.data);
  worker.onerror = (e: { message?: string }) => onError(new Error(e.message ?? 'the thread failed'));
  worker.postMessage(init);
  return {
    terminate() {
      worker.terminate();
      g.URL.revokeObjectURL(url);
    },
  };
};

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The kernel threads cannot go on: one stopped (killed, out of memory) or failed. Every split
 * call throws it from then on, until the threads are stopped or started again; running with one
 * thread (or starting the threads again) is the way on.
 */
export class KernelThreadsError extends Error {
  constructor(message: string) {
    super(`the kernel threads failed: ${message}`);
    this.name = 'KernelThreadsError';
  }
}

/**
 * Worker threads that run parts of kernel calls. `size` counts the calling thread too: a pool
 * of size 4 has 3 workers.
 */
export class ThreadPool {
  readonly size: number;
  private readonly handles: ThreadHandle[];
  private readonly base: number;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly args: number[] = [];
  private seq = 0;
  private failure: string | undefined;
  private closed = false;

  private constructor(
    memory: WebAssembly.Memory,
    handles: ThreadHandle[],
    /** The job block's WASM memory: held so that it is not given back while the pool lives. */
    readonly block: Float32Array,
    /** Milliseconds a call waits with no part finishing before it gives up (STALL_TIMEOUT_MS). */
    private readonly stallMs: number,
  ) {
    this.size = handles.length + 1;
    this.handles = handles;
    this.base = block.byteOffset >> 2;
    this.i32 = new Int32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
  }

  /**
   * Starts `workers` threads on the job block `block` (JOB_BYTES of WASM memory, zeroed, which
   * the pool keeps alive) and resolves once each has instantiated the module.
   */
  static async start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    block: Float32Array,
    workers: number,
    spawn: SpawnThread,
    stallMs = STALL_TIMEOUT_MS,
  ): Promise<ThreadPool> {
    const handles: ThreadHandle[] = [];
    let pool: ThreadPool | undefined;
    const ready = Array.from(
      { length: workers },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          try {
            handles[i] = spawn(
              THREAD_SOURCE,
              { module, memory, job: block.byteOffset, names: KERNEL_NAMES_BY_INDEX, index: i + 1 },
              (message) => {
                if ((message as { ready?: boolean }).ready) resolve();
              },
              (err) => {
                if (pool !== undefined) pool.failure ??= `thread ${i + 1} stopped: ${err.message}`;
                reject(err);
              },
            );
          } catch (err) {
            reject(err);
          }
        }),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`a thread did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all(ready), timeout]);
    } catch (err) {
      Atomics.store(new Int32Array(memory.buffer), (block.byteOffset >> 2) + STOP, 1);
      clearTimeout(timer);
      for (const h of handles) h?.terminate();
      throw err;
    }
    clearTimeout(timer);
    pool = new ThreadPool(memory, handles, block, stallMs);
    return pool;
  }

  /**
   * Runs export `name` in `parts` parts (at most MAX_PARTS): `fill(part, args)` pushes the
   * arguments of each part; this thread and the workers take parts until none is left, and this
   * returns when all are done. A part that traps is reported as an error here, once every part
   * has finished.
   */
  run(local: KernelExports, name: keyof KernelExports, parts: number, fill: (part: number, args: number[]) => void): void {
    if (this.closed) throw new Error('the kernel threads were stopped');
    if (this.failure !== undefined) throw new KernelThreadsError(this.failure);
    if (!(parts >= 1 && parts <= MAX_PARTS)) throw new RangeError(`${name}: ${parts} parts; a call takes 1 to ${MAX_PARTS}`);
    const { args, i32, f64, base } = this;
    let argc = -1;
    for (let p = 0; p < parts; p++) {
      args.length = 0;
      fill(p, args);
      if (argc !== -1 && args.length !== argc) throw new Error(`${name}: parts with ${argc} and ${args.length} arguments`);
      argc = args.length;
      if (argc > MAX_ARGS) throw new Error(`${name}: ${argc} arguments do not fit the job block (${MAX_ARGS} per part)`);
      const a0 = (4 * base + ARGS_AT + p * MAX_ARGS * 8) >> 3;
      for (let i = 0; i < argc; i++) f64[a0 + i] = args[i]!;
    }
    i32[base + FN] = INDEX.get(name)!;
    i32[base + ARGC] = argc;
    i32[base + ERROR] = 0;
    Atomics.store(i32, base + DONE, 0);
    this.seq = (this.seq + 1) & 0xffff;
    // Publishing the claim word makes the job visible: everything above is written before it.
    Atomics.store(i32, base + CLAIM, (this.seq << 16) | (parts << 8));
    Atomics.notify(i32, base + CLAIM);
    const fn = local[name] as (...a: number[]) => unknown;
    let trap: string | undefined;
    for (;;) {
      const w = Atomics.load(i32, base + CLAIM);
      const part = w & 255;
      if (part >= parts) break;
      if (Atomics.compareExchange(i32, base + CLAIM, w, w + 1) !== w) continue;
      const a0 = (4 * base + ARGS_AT + part * MAX_ARGS * 8) >> 3;
      args.length = argc;
      for (let i = 0; i < argc; i++) args[i] = f64[a0 + i]!;
      try {
        fn(...args);
      } catch (err) {
        trap ??= `the calling thread: ${name}: ${err instanceof Error ? err.message : String(err)}`;
      }
      Atomics.add(i32, base + DONE, 1);
    }
    let spins = 0;
    let seen = -1;
    let since = 0;
    for (;;) {
      const done = Atomics.load(i32, base + DONE);
      if (done === parts) break;
      if (this.failure !== undefined) throw new KernelThreadsError(this.failure);
      if (++spins > 20000) {
        // Waiting long: the clock is read only here, and a part that finishes restarts it.
        const now = performance.now();
        if (done !== seen) {
          seen = done;
          since = now;
        } else if (now - since > this.stallMs) {
          // A part may still be running somewhere: no later call may use this memory beside it.
          this.failure =
            `${name}: ${parts - done} of its ${parts} parts did not finish within ${this.stallMs / 1000} s; ` +
            'a kernel thread has stopped (killed, or out of memory?)';
          throw new KernelThreadsError(this.failure);
        }
        Atomics.wait(i32, base + DONE, done, 100);
      }
    }
    const chars = Atomics.load(i32, base + ERROR) - 1;
    if (chars >= 0) trap = String.fromCharCode(...new Uint16Array(i32.buffer, 4 * base + ERROR_AT, chars));
    if (trap !== undefined) throw new Error(trap);
  }

  /** Ends every thread; the pool cannot be used after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const { i32, base } = this;
    Atomics.store(i32, base + STOP, 1);
    Atomics.add(i32, base + CLAIM, 1 << 16);
    Atomics.notify(i32, base + CLAIM);
    for (const h of this.handles) h.terminate();
  }
}
