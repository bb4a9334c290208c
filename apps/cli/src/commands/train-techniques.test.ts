import { availableParallelism } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dlfs, hasStackTrace, tempDir } from '../test-support/run-dlfs.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  expect(dlfs(['sample', '--out', 'k', '--train-rows', '600', '--test-rows', '100'], dir).code).toBe(0);
  // The chapter-5 network over images: rows read as [1, 28, 28], which affine flattens again.
  writeFileSync(
    join(dir, 'img.json'),
    JSON.stringify({ inputShape: [1, 28, 28], layers: [{ type: 'affine', units: 30 }, { type: 'relu' }, { type: 'affine', units: 10 }] }),
  );
});

const model = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const bytes = (name: string) => readFileSync(join(dir, name));

describe('dlfs train --weight-decay and --augment', () => {
  it('records the weight decay, changes the weights, and refuses a negative λ', () => {
    const common = ['train', '--data', 'k/train.csv', '--iters', '60', '--seed', '3'];
    expect(dlfs([...common, '--out', 'plain.json'], dir).code).toBe(0);
    const r = dlfs([...common, '--weight-decay', '0.1', '--out', 'decay.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(model('decay.json').training.weightDecay).toBe(0.1);
    expect(model('decay.json').weights.W1.data).not.toBe(model('plain.json').weights.W1.data);
    expect(model('plain.json').training).not.toHaveProperty('weightDecay');
    const bad = dlfs([...common, '--weight-decay', '-0.1', '--out', 'x.json'], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--weight-decay must be a number >= 0, got "-0.1"/);
  });

  it('augments image batches from the seed: the same seed, byte-identical files; and only with an inputShape', () => {
    const run = (out: string, seed = '5', extra: string[] = ['--augment', 'shift=2,rotate=10']) =>
      dlfs(['train', '--data', 'k/train.csv', '--spec', 'img.json', '--iters', '40', '--seed', seed, ...extra, '--out', out], dir);
    expect(run('a1.json').code).toBe(0);
    expect(run('a2.json').code).toBe(0);
    expect(run('none.json', '5', []).code).toBe(0);
    expect(bytes('a1.json').equals(bytes('a2.json'))).toBe(true);
    expect(model('a1.json').weights.W1.data).not.toBe(model('none.json').weights.W1.data);
    expect(model('a1.json').training.augment).toEqual({ shift: 2, rotate: 10 });
    const flat = dlfs(['train', '--data', 'k/train.csv', '--augment', 'shift=2', '--iters', '5', '--out', 'flat.json'], dir);
    expect(flat.code).toBe(1);
    expect(flat.stderr).toMatch(/--augment shifts and rotates images, but the network takes samples of shape \[784\]; give a spec with an inputShape/);
    const bad = dlfs(['train', '--augment', 'zoom=2'], dir);
    expect(bad.stderr).toMatch(/--augment: "zoom=2" is not shift=N or rotate=DEGREES/);
    expect(hasStackTrace(bad.stderr)).toBe(false);
  });
});

describe('conv nets from the CLI', () => {
  it('trains --spec simple-convnet by name, the same file from the same seed with any --threads, and predicts and evaluates with it', () => {
    const run = (out: string, threads: number) =>
      dlfs(
        [
          ...['train', '--data', 'k/train.csv', '--spec', 'simple-convnet', '--optimizer', 'adam', '--lr', '0.001', '--iters', '12', '--seed', '2'],
          ...['--threads', String(threads), '--out', out, '--json'],
        ],
        dir,
      );
    const r = run('conv1.json', 1);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).threads).toBe(1);
    // Run after run with 2 threads, and with 3 (more than this machine may have): the same bytes as with 1.
    for (const [file, threads] of [
      ['conv2.json', 2],
      ['conv2b.json', 2],
      ['conv3.json', 3],
    ] as const) {
      const t = run(file, threads);
      expect(t.code, t.stderr).toBe(0);
      // At most one thread per core: more would only take turns.
      expect(JSON.parse(t.stdout).threads).toBe(Math.min(threads, availableParallelism()));
      expect(bytes(file).equals(bytes('conv1.json')), `${file} (${threads} threads)`).toBe(true);
    }
    const saved = model('conv1.json');
    expect(saved.spec.inputShape).toEqual([1, 28, 28]);
    expect(saved.spec.layers.map((l: { type: string }) => l.type)).toEqual(['conv2d', 'relu', 'max-pool', 'affine', 'relu', 'affine']);
    expect(saved.training.spec).toBe('simple-convnet');
    const p = dlfs(['predict', '--model', 'conv1.json', '--data', 'k/test.csv', '--out', 'sub.csv'], dir);
    expect(p.code, p.stderr).toBe(0);
    expect(readFileSync(join(dir, 'sub.csv'), 'utf8').trim().split('\n')).toHaveLength(101);
    const p1 = dlfs(['predict', '--model', 'conv1.json', '--data', 'k/test.csv', '--out', 'sub1.csv', '--threads', '1'], dir);
    expect(p1.code, p1.stderr).toBe(0);
    expect(bytes('sub1.csv').equals(bytes('sub.csv'))).toBe(true);
    const e = dlfs(['evaluate', '--model', 'conv1.json', '--data', 'k/train.csv', '--json'], dir);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).rows).toBe(600);
  });

  it('applies --init to conv2d as to affine, and keeps a weightInitStd the spec gives', () => {
    writeFileSync(
      join(dir, 'conv-init.json'),
      JSON.stringify({
        inputShape: [1, 28, 28],
        layers: [{ type: 'conv2d', filters: 2, size: 3 }, { type: 'relu' }, { type: 'affine', units: 10, weightInitStd: 0.05 }],
      }),
    );
    const r = dlfs(['train', '--data', 'k/train.csv', '--spec', 'conv-init.json', '--init', 'he', '--iters', '1', '--out', 'he.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    // The summary line gives a conv layer's output as its maps: 2 filters of 26×26 (28 − 3 + 1).
    expect(r.stderr).toContain('training 784-2×26×26-10 on ');
    const layers = model('he.json').spec.layers;
    expect(layers[0]).toMatchObject({ type: 'conv2d', weightInitStd: 'he' });
    expect(layers[2]).toMatchObject({ type: 'affine', weightInitStd: 0.05 });
  });

  it('gradchecks a small conv spec: every parameter, with the steps that cross a ReLU kink or a pooling tie left out', () => {
    writeFileSync(
      join(dir, 'small-conv.json'),
      JSON.stringify({
        inputShape: [1, 28, 28],
        layers: [
          { type: 'conv2d', filters: 3, size: 5, stride: 2, weightInitStd: 'he' },
          { type: 'relu' },
          { type: 'max-pool', size: 2 },
          { type: 'batch-norm' },
          { type: 'affine', units: 10, weightInitStd: 'he' },
          { type: 'dropout', ratio: 0.2 },
        ],
      }),
    );
    const r = dlfs(['gradcheck', '--spec', 'small-conv.json', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.params.map((p: { name: string }) => p.name)).toEqual(['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2']);
    for (const p of report.params) expect(p.maxRelError, p.name).toBeLessThanOrEqual(1e-5);
    // MNIST's blank margins put whole windows at exactly b1 = 0: every step of b1 crosses a ReLU kink and pooling ties.
    expect(report.params.find((p: { name: string }) => p.name === 'b1').kinks).toBeGreaterThan(0);
  });
});
