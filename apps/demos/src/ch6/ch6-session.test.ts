import { mnistPixelsToBytes } from '@dlfs/datasets';
import { loadMnistSample } from '@dlfs/datasets/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeMnistAsset } from '../training/mnist-asset.js';
import { type Ch6ClientMessage, type Ch6WorkerMessage, DEFAULT_COMPARE, DEFAULT_LAB, type LabSettings } from './ch6-protocol.js';
import { type Ch6Host, Ch6Session, checkLab, labSpec } from './ch6-session.js';

let asset: ArrayBuffer;

beforeAll(() => {
  const sample = loadMnistSample();
  const bytes = encodeMnistAsset({ rows: sample.x.shape[0]!, pixelsPerRow: 784, labels: sample.labels, pixels: mnistPixelsToBytes(sample.x.data) });
  asset = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
});

async function run(message: Ch6ClientMessage): Promise<Ch6WorkerMessage[]> {
  const messages: Ch6WorkerMessage[] = [];
  let clock = 0;
  const host: Ch6Host = {
    post: (m) => messages.push(m),
    fetchDataset: async () => asset,
    yieldToEvents: () => new Promise((resolve) => setTimeout(resolve, 0)),
    now: () => (clock += 10),
  };
  await new Ch6Session(host).handle(message);
  return messages;
}

const lab = async (s: Partial<LabSettings>): Promise<Extract<Ch6WorkerMessage, { type: 'lab-done' }>> => {
  const m = await run({ type: 'lab', id: 1, settings: { ...DEFAULT_LAB, ...s }, datasetUrl: 'x' });
  const done = m.find((x) => x.type === 'lab-done');
  if (done?.type !== 'lab-done') throw new Error(JSON.stringify(m.filter((x) => x.type === 'error')));
  return done;
};

describe('the chapter-6 session', () => {
  it('builds the book’s MultiLayerNetExtend layers', () => {
    expect(labSpec({ hiddenLayers: 2, init: 'he', batchNorm: true, dropout: 0.2 }).layers.map((l) => l.type)).toEqual([
      'affine',
      'batch-norm',
      'relu',
      'dropout',
      'affine',
      'batch-norm',
      'relu',
      'dropout',
      'affine',
    ]);
    expect(checkLab({ ...DEFAULT_LAB, dropout: 1 })).toMatch(/Dropout/);
    expect(checkLab(DEFAULT_LAB)).toBeUndefined();
  });

  it('races the four optimizers on one network: every loss falls', async () => {
    const m = await run({ type: 'compare', id: 7, settings: { ...DEFAULT_COMPARE, iterations: 150 }, datasetUrl: 'x' });
    expect(m[0]).toMatchObject({ type: 'compare-ready', id: 7, trainRows: 9000, layers: [784, 100, 100, 10] });
    const losses: number[][] = [[], [], [], []];
    for (const x of m) if (x.type === 'compare-progress') x.losses.forEach((l, k) => losses[k]!.push(...Array.from(l).filter((_, i) => i % 2 === 1)));
    expect(losses.map((l) => l.length)).toEqual([150, 150, 150, 150]);
    const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
    for (const l of losses) expect(mean(l.slice(-20))).toBeLessThan(mean(l.slice(0, 5)));
    expect(m.at(-1)).toMatchObject({ type: 'compare-done', id: 7, iteration: 150 });
  });

  it('overfits 300 digits without regularisation, less with weight decay (the book’s SGD, lr 0.01, λ 0.1)', async () => {
    const plain = await lab({ epochs: 100 });
    const decay = await lab({ epochs: 100, weightDecay: 0.1 });
    const gap = (d: { trainAccuracy: number; testAccuracy: number }): number => d.trainAccuracy - d.testAccuracy;
    expect(plain.trainAccuracy).toBeGreaterThan(0.95);
    expect(gap(plain)).toBeGreaterThan(0.15);
    expect(gap(decay)).toBeLessThan(gap(plain) - 0.05);
    expect(plain).toMatchObject({ epochs: 100, stopped: null });
  }, 60_000);
});
