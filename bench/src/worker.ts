// The Node side of the benchmark: one process per implementation (dlfs on one backend and
// dtype, or TensorFlow.js on one backend), driven by the harness over JSON lines (protocol.ts).
import { createInterface } from 'node:readline';
import type { DType } from '@dlfs/tensor';
import { type BenchData, readBenchData } from './bench-data.js';
import { DlfsTrainer, dlfsGradcheck } from './impl/dlfs.js';
import { probeBackends } from './impl/dlfs-backend.js';
import type { Trainer, TrainConfig } from './impl/trainer.js';
import { reply } from './protocol.js';

let trainer: Trainer | undefined;
const datasets = new Map<string, BenchData>();

function dataAt(path: string): BenchData {
  let d = datasets.get(path);
  if (d === undefined) {
    d = readBenchData(path);
    datasets.set(path, d);
  }
  return d;
}

function need(): Trainer {
  if (trainer === undefined) throw new Error('send setup first');
  return trainer;
}

async function handle(msg: Record<string, unknown>): Promise<unknown> {
  switch (msg.cmd) {
    case 'probe':
      return probeBackends();
    case 'setup': {
      const data = dataAt(msg.data as string);
      const config = msg.config as TrainConfig;
      if (msg.impl === 'dlfs') {
        trainer = await DlfsTrainer.create(data, { dtype: msg.dtype as DType, backend: msg.backend as string | undefined, config });
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
