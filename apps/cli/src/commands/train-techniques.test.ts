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
