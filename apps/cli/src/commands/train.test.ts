import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dlfs, hasStackTrace, tempDir } from '../test-support/run-dlfs.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  const r = dlfs(['sample', '--out', 'kaggle', '--train-rows', '1500', '--test-rows', '300'], dir);
  expect(r.code, r.stderr).toBe(0);
});

describe('dlfs train', () => {
  it('trains on a Kaggle train.csv and prints a machine-readable summary with --json', () => {
    const r = dlfs(['train', '--data', 'kaggle/train.csv', '--iters', '300', '--out', 'model.json', '--metrics', 'metrics.json', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ iterations: 300, model: 'model.json', metrics: 'metrics.json', stopped: null, warnings: [] });
    // 1,350 training rows, batch 100: the book's iter_per_epoch is 13, so 300 iterations make 24 epochs (the last partial).
    expect(summary.epochs).toBe(24);
    expect(summary.valAccuracy).toBeGreaterThan(0.8);
    expect(summary.trainAccuracy).toBeGreaterThan(0.8);
    expect(summary.msPerIteration).toBeGreaterThan(0);
    expect(summary.trainingSeconds).toBeGreaterThan(0);
    // Every float32 kernel of the chapter-5 run ran in WASM: no fallback to TypeScript.
    expect(summary.kernels).toEqual({ backend: 'wasm', fallbacks: {} });
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(model.format).toBe('dlfs-model');
    expect(model.spec.layers).toEqual([{ type: 'affine', units: 50 }, { type: 'relu' }, { type: 'affine', units: 10 }]);
    expect(model.inputShape).toEqual([784]);
    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    expect(metrics.history).toHaveLength(24);
  });

  it('writes a byte-identical model for the same seed and data', () => {
    const a = dlfs(['train', '--data', 'kaggle/train.csv', '--iters', '40', '--seed', '7', '--out', 'a.json'], dir);
    const b = dlfs(['train', '--data', 'kaggle/train.csv', '--iters', '40', '--seed', '7', '--out', 'b.json'], dir);
    const c = dlfs(['train', '--data', 'kaggle/train.csv', '--iters', '40', '--seed', '8', '--out', 'c.json'], dir);
    expect([a.code, b.code, c.code]).toEqual([0, 0, 0]);
    const bytes = (f: string): Buffer => readFileSync(join(dir, f));
    expect(bytes('a.json').equals(bytes('b.json'))).toBe(true);
    expect(bytes('a.json').equals(bytes('c.json'))).toBe(false);
  });

  it('prints one line per epoch, a plot, the final metrics and where the model went', () => {
    const r = dlfs(['train', '--data', 'kaggle/train.csv', '--epochs', '3', '--out', 'plot.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/^epoch \d\/3 {2}iter \d+ {2}loss \d\.\d{4} {2}train acc \d\.\d{4} {2}val acc \d\.\d{4}$/gm)).toHaveLength(3);
    expect(r.stdout).toContain('loss per epoch');
    expect(r.stdout).toMatch(/accuracy per epoch/);
    expect(r.stdout).toMatch(/val accuracy {4}0\.\d{4}/);
    expect(r.stdout).toContain('model saved to  plot.json');
  });

  it("warns about the seed notebook's mistake: unscaled pixels and lr 0.01", () => {
    const r = dlfs(['train', '--data', 'kaggle/train.csv', '--scale', 'none', '--lr', '0.01', '--epochs', '5', '--out', 'seed.json'], dir);
    expect(r.stderr).toMatch(/warning: inputs are not scaled: they range from 0 to 255/);
    expect(r.stderr).toMatch(/--scale 255/);
    // 1,350 rows make 13-iteration epochs; the doctor's first look is after the first epoch to end at or past iteration 50.
    expect(r.stderr).toMatch(/warning: accuracy after epoch 4 is \d+\.\d%, still near chance/);
    expect(r.stderr).toMatch(/warning: \d+\.\d% of the ReLU units output 0 for every sample checked/);
    expect(r.stderr).toMatch(/Likely causes: unscaled inputs/);
  });

  it('trains on any labelled CSV: string labels in a named column anywhere in the row', () => {
    // Two classes a point's side of x + y = 1 decides; the label column comes second.
    const lines = ['x,kind,y'];
    for (let i = 0; i < 400; i++) {
      const x = ((i * 37) % 100) / 100;
      const y = ((i * 61) % 100) / 100;
      lines.push(`${x},${x + y > 1 ? 'above' : 'below'},${y}`);
    }
    writeFileSync(join(dir, 'points.csv'), `${lines.join('\n')}\n`);
    const r = dlfs(
      [
        'train',
        '--data',
        'points.csv',
        '--label',
        'kind',
        '--optimizer',
        'adam',
        '--lr',
        '0.01',
        '--iters',
        '600',
        '--batch',
        '50',
        '--out',
        'points.json',
        '--json',
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).valAccuracy).toBeGreaterThan(0.9);
    const model = JSON.parse(readFileSync(join(dir, 'points.json'), 'utf8'));
    expect(model.classes).toEqual(['above', 'below']);
    expect(model.inputShape).toEqual([2]);
    expect(model.spec.layers.at(-1)).toEqual({ type: 'affine', units: 2 });
  });

  it('refuses a spec whose output does not fit the classes, naming the mismatch', () => {
    writeFileSync(
      join(dir, 'spec12.json'),
      JSON.stringify({ layers: [{ type: 'affine', units: 20 }, { type: 'relu' }, { type: 'affine', units: 12 }], loss: 'softmax-with-loss' }),
    );
    const r = dlfs(['train', '--data', 'kaggle/train.csv', '--spec', 'spec12.json', '--iters', '1'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/spec12\.json: layers\[2\]: the network ends with 12 outputs per sample but the data has 10 classes/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('refuses a malformed CSV naming the file, line and column', () => {
    writeFileSync(join(dir, 'bad.csv'), 'label,pixel0,pixel1\n1,0,0\n2,0,oops\n');
    const r = dlfs(['train', '--data', 'bad.csv', '--iters', '1'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.csv/);
    expect(r.stderr).toMatch(/line 3/);
    expect(r.stderr).toMatch(/pixel1/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('stops on a non-finite loss and leaves an existing model file as it was', () => {
    writeFileSync(join(dir, 'keep.json'), 'a good model from before\n');
    const r = dlfs(['train', '--data', 'kaggle/train.csv', '--scale', 'none', '--lr', '1e30', '--iters', '50', '--out', 'keep.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/warning: the loss became (NaN|Infinity|-Infinity) at iteration \d+; training stopped/);
    expect(r.stdout).toMatch(/no model saved/);
    expect(readFileSync(join(dir, 'keep.json'), 'utf8')).toBe('a good model from before\n');
    expect(existsSync(join(dir, 'keep.json'))).toBe(true);
  });
});
