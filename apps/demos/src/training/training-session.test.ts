import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnistPixelsToBytes } from '@dlfs/datasets';
import { loadMnistSample } from '@dlfs/datasets/node';
import { builtinLayers } from '@dlfs/layers';
import { parseModel } from '@dlfs/model';
import { stopThreads } from '@dlfs/tensor';
import { startThreads } from '@dlfs/tensor/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_CONVNET } from '../ch7/simple-convnet.js';
import { startKernelThreads } from './kernel-threads.js';
import { encodeMnistAsset } from './mnist-asset.js';
import { type ClientMessage, CONTROL, type WorkerMessage } from './protocol.js';
import { type SessionHost, TrainingSession } from './training-session.js';
import { DEFAULT_SETTINGS, type TrainingSettings } from './training-settings.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'cli', 'dist', 'bin.js');

let asset: ArrayBuffer;

beforeAll(() => {
  const sample = loadMnistSample();
  const bytes = encodeMnistAsset({ rows: sample.x.shape[0]!, pixelsPerRow: 784, labels: sample.labels, pixels: mnistPixelsToBytes(sample.x.data) });
  asset = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
});

/** A session on a fake host that records every message and lets a test act on them as they come. */
function harness(
  onPost?: (m: WorkerMessage) => void,
  more: Pick<SessionHost, 'startKernels'> = {},
): { session: TrainingSession; messages: WorkerMessage[]; types: () => string[] } {
  const messages: WorkerMessage[] = [];
  // A clock that moves 10 ms per reading, so progress comes every few iterations however fast the machine is.
  let clock = 0;
  const host: SessionHost = {
    post(m) {
      messages.push(m);
      onPost?.(m);
    },
    fetchDataset: async () => asset,
    yieldToEvents: () => new Promise((resolve) => setTimeout(resolve, 0)),
    now: () => (clock += 10),
    ...more,
  };
  return { session: new TrainingSession(host), messages, types: () => messages.map((m) => m.type) };
}

const small: TrainingSettings = { ...DEFAULT_SETTINGS, hidden: 20, batchSize: 50, iterations: 400, seed: 3 };
const start = (settings: TrainingSettings, control?: SharedArrayBuffer): ClientMessage => ({
  type: 'start',
  settings,
  datasetUrl: 'mnist-sample.bin',
  ...(control ? { control } : {}),
});

function last<T extends WorkerMessage['type']>(messages: WorkerMessage[], type: T): Extract<WorkerMessage, { type: T }> {
  const found = messages.filter((m) => m.type === type).at(-1);
  if (found === undefined) throw new Error(`no ${type} message in ${messages.map((m) => m.type).join(', ')}`);
  return found as Extract<WorkerMessage, { type: T }>;
}

describe('TrainingSession', () => {
  it('trains to the end and reports ready, progress, epochs, weights and done', async () => {
    const { session, messages, types } = harness();
    await session.handle(start(small));
    expect(types()[0]).toBe('ready');
    const ready = last(messages, 'ready');
    expect(ready).toMatchObject({ trainRows: 9000, valRows: 1000, iterations: 400, itersPerEpoch: 180, isolated: false });
    expect(ready.spec.layers).toEqual([{ type: 'affine', units: 20 }, { type: 'relu' }, { type: 'affine', units: 10 }]);

    const epochs = messages.filter((m) => m.type === 'epoch');
    // 400 iterations of 180 per epoch: epochs end at 180 and 360, and train() closes the last, short one at 400.
    expect(epochs.map((m) => m.iteration)).toEqual([180, 360, 400]);
    expect(epochs.map((m) => m.epoch)).toEqual([1, 2, 3]);
    const second = epochs[1]!;
    expect(second.valAccuracy).toBeGreaterThan(0.8);
    expect(second.perClass).toHaveLength(10);
    expect(second.misclassified.length).toBe(Math.min(24, second.wrong));
    expect(second.wrong).toBe(Math.round((1 - second.valAccuracy) * 1000));
    for (const d of second.misclassified) {
      expect(d.label).not.toBe(d.predicted);
      expect(d.pixels).toHaveLength(784);
    }

    // Every iteration's loss arrives exactly once, in order.
    const iterations = messages.flatMap((m) => (m.type === 'progress' ? Array.from(m.losses).filter((_, i) => i % 2 === 0) : []));
    expect(iterations).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));

    const done = last(messages, 'done');
    expect(done).toMatchObject({ iteration: 400, epochs: 3, stopped: null });
    expect(done.valAccuracy).toBeGreaterThan(0.8);
    const weights = last(messages, 'weights');
    expect(weights.iteration).toBe(400);
    expect(Object.keys(weights.params)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(weights.params.W1).toHaveLength(784 * 20);
    expect(weights.scaler).toEqual({ type: '255' });
  });

  it('pauses between epochs on a Pause message and resumes where it stopped', async () => {
    let session: TrainingSession | undefined;
    const { session: s, messages } = harness((m) => {
      // The message is queued like a worker's: the session reads it when train() returns.
      if (m.type === 'epoch' && m.epoch === 1) setTimeout(() => void session!.handle({ type: 'pause' }), 0);
    });
    session = s;
    await session.handle(start(small));
    const paused = last(messages, 'paused');
    expect(paused.iteration).toBe(180);
    expect(messages.some((m) => m.type === 'done')).toBe(false);
    await session.handle({ type: 'resume' });
    expect(last(messages, 'resumed').iteration).toBe(180);
    expect(last(messages, 'done').iteration).toBe(400);
  });

  it('pauses within an epoch through the shared control word', async () => {
    const control = new SharedArrayBuffer(4);
    const word = new Int32Array(control);
    let pressed = false;
    const { session, messages } = harness((m) => {
      if (m.type === 'progress' && m.iteration >= 30 && !pressed) {
        pressed = true;
        Atomics.store(word, 0, CONTROL.pause);
      }
    });
    await session.handle(start(small, control));
    expect(last(messages, 'ready').isolated).toBe(true);
    const paused = last(messages, 'paused');
    expect(paused.iteration).toBeGreaterThanOrEqual(30);
    expect(paused.iteration).toBeLessThan(180);
    Atomics.store(word, 0, CONTROL.run);
    await session.handle({ type: 'resume' });
    expect(last(messages, 'done').iteration).toBe(400);
  });

  it('starts the kernel threads once, before its first run, and trains the same weights on two threads as on one', async () => {
    const one = harness();
    await one.session.handle(start(small));
    expect(last(one.messages, 'ready').kernels).toEqual({ backend: 'wasm', threads: 1, requested: 1 });
    let starts = 0;
    const two = harness(undefined, {
      startKernels: () => {
        starts++;
        return startKernelThreads(2, (n) => startThreads(n));
      },
    });
    try {
      await two.session.handle(start(small));
      await two.session.handle(start(small));
    } finally {
      stopThreads();
    }
    expect(starts).toBe(1);
    const readies = two.messages.filter((m) => m.type === 'ready');
    expect(readies.map((m) => m.kernels)).toEqual([1, 2].map(() => ({ backend: 'wasm', threads: 2, requested: 2 })));
    const [a, b] = [one, two].map((h) => last(h.messages, 'weights').params);
    for (const name of ['W1', 'b1', 'W2', 'b2']) expect(Array.from(b![name]!), name).toEqual(Array.from(a![name]!));
  });

  it('reports bad settings as an error message', async () => {
    const { session, messages } = harness();
    await session.handle(start({ ...small, hidden: 0 }));
    expect(messages).toEqual([{ type: 'error', message: 'Hidden units must be a whole number from 1 to 1,000' }]);
  });

  it('trains the same weights as `dlfs train --scale 255` with the same seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlfs-demos-session-'));
    try {
      const out = join(dir, 'model.json');
      execFileSync('node', [CLI, 'train', '--scale', '255', '--seed', '3', '--hidden', '20', '--batch', '50', '--iters', '400', '--out', out, '--json'], {
        stdio: 'pipe',
      });
      const cli = parseModel(readFileSync(out, 'utf8'), { registry: builtinLayers(), source: out });
      const { session, messages } = harness();
      await session.handle(start(small));
      const weights = last(messages, 'weights');
      for (const [name, p] of Object.entries(cli.network.params)) expect(Array.from(weights.params[name]!), name).toEqual(Array.from(p.data));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('trains SimpleConvNet to the same weights as `dlfs train --spec simple-convnet --optimizer adam --lr 0.001`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlfs-demos-session-'));
    try {
      const out = join(dir, 'conv.json');
      const args = ['train', '--spec', 'simple-convnet', '--optimizer', 'adam', '--lr', '0.001', '--scale', '255', '--seed', '3', '--iters', '20'];
      execFileSync('node', [CLI, ...args, '--out', out, '--json'], { stdio: 'pipe' });
      const cli = parseModel(readFileSync(out, 'utf8'), { registry: builtinLayers(), source: out });
      const { session, messages } = harness();
      await session.handle(start({ ...DEFAULT_SETTINGS, network: 'simple-convnet', optimizer: 'adam', lr: 0.001, seed: 3, iterations: 20 }));
      expect(last(messages, 'ready').spec).toEqual(SIMPLE_CONVNET);
      const weights = last(messages, 'weights');
      expect(Object.keys(weights.params)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
      expect(weights.params.W1).toHaveLength(30 * 5 * 5);
      for (const [name, p] of Object.entries(cli.network.params)) {
        const got = weights.params[name]!;
        // The kernels may sum in another order on another thread count: equal to float32 rounding.
        for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - p.data[i]!), `${name}[${i}]`).toBeLessThan(1e-5);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
