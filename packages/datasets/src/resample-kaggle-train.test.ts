import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAGGLE_TRAIN_ROWS } from './kaggle-format.js';
import { loadMnistSample } from './load-mnist-sample.js';
import { MNIST_PIXELS, type MnistSample } from './mnist-sample.js';
import { resampleKaggleTrain } from './resample-kaggle-train.js';

let sample: MnistSample;
let root: string;

beforeAll(() => {
  sample = loadMnistSample();
  root = mkdtempSync(join(tmpdir(), 'dlfs-resample-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('resampleKaggleTrain', () => {
  it("writes a Kaggle-size train.csv of 42,000 sample rows with Kaggle's header, streamed line by line here", async () => {
    const path = join(root, 'kaggle', 'train.csv');
    const result = await resampleKaggleTrain(path, KAGGLE_TRAIN_ROWS);
    expect(result).toEqual({ path, rows: 42000, bytes: statSync(path).size });
    expect(result.bytes).toBeGreaterThan(60e6);

    // Each sample image (as 0..255 text) and its label, to look resampled rows up in.
    const labelOf = new Map<string, number>();
    for (let r = 0; r < sample.labels.length; r++) {
      const pixels = Array.from(sample.x.data.subarray(r * MNIST_PIXELS, (r + 1) * MNIST_PIXELS), (v) => Math.round(v * 255));
      labelOf.set(pixels.join(','), sample.labels[r]!);
    }
    let header = '';
    let rows = 0;
    let unknown = 0;
    const labels = new Array<number>(10).fill(0);
    for await (const line of createInterface({ input: createReadStream(path, 'latin1'), crlfDelay: Infinity })) {
      if (!header) {
        header = line;
        continue;
      }
      rows++;
      const comma = line.indexOf(',');
      const label = Number(line.slice(0, comma));
      if (labelOf.get(line.slice(comma + 1)) !== label) unknown++;
      labels[label]!++;
    }
    expect(header).toBe(['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)].join(','));
    expect(rows).toBe(42000);
    expect(unknown).toBe(0);
    // Uniform draws from the sample: every class about in its share (class 1: 11.27%).
    expect(labels[1]! / rows).toBeCloseTo(0.1127, 1);
  });

  it('gives the same bytes for the same seed and others for another seed', async () => {
    const a = join(root, 'a.csv');
    const b = join(root, 'b.csv');
    const c = join(root, 'c.csv');
    await resampleKaggleTrain(a, 500, { seed: 4, sample });
    await resampleKaggleTrain(b, 500, { seed: 4, sample });
    await resampleKaggleTrain(c, 500, { seed: 5, sample });
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rejects a row count that is not a positive whole number', async () => {
    await expect(resampleKaggleTrain(join(root, 'x.csv'), 0, { sample })).rejects.toThrow(
      'resampleKaggleTrain: rows must be a whole number in 1..9007199254740991, got 0',
    );
    await expect(resampleKaggleTrain(join(root, 'x.csv'), 1.5, { sample })).rejects.toThrow(/rows must be a whole number/);
  });
});
