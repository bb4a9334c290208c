// The Node side of the benchmark: one process per implementation (dlfs on one backend and
// dtype, TensorFlow.js on one backend, or ConvNetJS), driven by the harness over JSON lines
// (protocol.ts). `setup` builds the chapter-5 two-layer net, or with `model: 'simple-convnet'`
// the book's SimpleConvNet (sections/conv.ts).
import { createInterface } from 'node:readline';
import type { DType } from '@dlfs/tensor';
import { type BenchData, readBenchData } from './bench-data.js';
import { type ConvConfig, readConvParams } from './conv-data.js';
import { DlfsConvTrainer } from './impl/conv-dlfs.js';
import type { ConvTrainer } from './impl/conv-trainer.js';
import { DlfsTrainer, dlfsGradcheck } from './impl/dlfs.js';
import { probeBackends, useBackend } from './impl/dlfs-backend.js';
import { setDlfsThreads } from './impl/threads.js';
import type { Trainer, TrainConfig } from './impl/trainer.js';
import { reply } from './protocol.js';

let trainer: Trainer | ConvTrainer | undefined;
const datasets = new Map<string, BenchData>();

function dataAt(path: string): BenchData {
  let d = datasets.get(path);
  if (d === undefined) {
    d = readBenchData(path);
    datasets.set(path, d);
  }
  return d;
}

function need(): Trainer | ConvTrainer {
  if (trainer === undefined) throw new Error('send setup first');
  return trainer;
}

/**
 * SimpleConvNet in this process. A dlfs row switches to its backend, then starts its threads
 * (impl/threads.ts), then builds the network; when dlfs could start fewer threads than the row
 * asks for, it answers { skipped: why, threads } and nothing is built.
 */
async function setupConv(msg: Record<string, unknown>): Promise<unknown> {
  const data = dataAt(msg.data as string);
  const params = readConvParams(msg.params as string);
  const config = msg.config as ConvConfig;
  if (msg.impl === 'dlfs') {
    const backend = msg.backend as string | undefined;
    // The threads run the kernels of the backend in effect when they start.
    if (backend !== undefined) await useBackend(backend);
    const threads = await setDlfsThreads((msg.threads as number | undefined) ?? 1);
    if (!threads.ok) return { skipped: threads.reason, threads: threads.threads };
    trainer = await DlfsConvTrainer.create(data, params, { dtype: msg.dtype as DType, backend, config, threads: threads.threads });
    return { ok: true, info: trainer.info() };
  }
  if (msg.impl === 'tfjs') {
    // Loaded only here, so that dlfs processes never load TensorFlow.js (nor ConvNetJS below).
    const { TfjsConvTrainer } = await import('./impl/conv-tfjs.js');
    trainer = await TfjsConvTrainer.create(data, params, { backend: msg.backend as 'cpu' | 'wasm', config });
  } else if (msg.impl === 'convnetjs') {
    const { ConvnetjsTrainer } = await import('./impl/conv-convnetjs.js');
    trainer = new ConvnetjsTrainer(data, params, config);
  } else {
    throw new Error(`unknown SimpleConvNet implementation ${JSON.stringify(msg.impl)}`);
  }
  return { ok: true, info: trainer.info() };
}

async function handle(msg: Record<string, unknown>): Promise<unknown> {
  switch (msg.cmd) {
    case 'probe':
      return probeBackends();
    case 'setup': {
      if (msg.model === 'simple-convnet') return setupConv(msg);
      const data = dataAt(msg.data as string);
      const config = msg.config as TrainConfig;
      if (msg.impl === 'dlfs') {
        const backend = msg.backend as string | undefined;
        if (msg.threads !== undefined) {
          // Threads run the kernels of the backend in effect when they start.
          if (backend !== undefined) await useBackend(backend);
          const threads = await setDlfsThreads(msg.threads as number);
          if (!threads.ok) return { skipped: threads.reason, threads: threads.threads };
        }
        trainer = await DlfsTrainer.create(data, { dtype: msg.dtype as DType, backend, config });
      } else if (msg.impl === 'tfjs') {
        // Loaded only here, so that dlfs processes never load TensorFlow.js.
        const { TfjsTrainer } = await import('./impl/tfjs.js');
        trainer = await TfjsTrainer.create(data, { backend: msg.backend as 'cpu' | 'wasm', config });
      } else {
        throw new Error(`unknown implementation ${JSON.stringify(msg.impl)}`);
      }
      return { ok: true, info: trainer.info() };
    }
    case 'warmup': {
      const t = need();
      const minIters = msg.minIters as number;
      const minMs = msg.minMs as number;
      const started = performance.now();
      let iters = 0;
      let loss = Number.NaN;
      while (iters < minIters || performance.now() - started < minMs) {
        loss = t.run(1);
        iters++;
      }
      return { iters, ms: performance.now() - started, loss };
    }
    case 'run': {
      const t = need();
      const iters = msg.iters as number;
      const started = performance.now();
      const loss = t.run(iters);
      return { iters, ms: performance.now() - started, loss };
    }
    case 'check':
      return need().check(Int32Array.from(msg.indices as number[]));
    case 'info':
      return need().info();
    case 'gradcheck':
      return dlfsGradcheck(dataAt(msg.data as string), msg.samples as number);
    default:
      throw new Error(`unknown command ${JSON.stringify(msg.cmd)}`);
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === '') continue;
  const msg = JSON.parse(line) as Record<string, unknown>;
  if (msg.cmd === 'exit') {
    trainer?.dispose();
    reply({ ok: true });
    break;
  }
  try {
    reply(await handle(msg));
  } catch (err) {
    reply({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}
lines.close();
process.exit(0);
