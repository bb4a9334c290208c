import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Rng } from '@dlfs/tensor';
import { writeFilesAtomically } from '@dlfs/data/node';
import { CsvChunks, MAX_KAGGLE_ROW_BYTES } from './csv-chunks.js';
import { KAGGLE_TRAIN_HEADER, mnistPixelsToBytes } from './kaggle-format.js';
import { loadMnistSample } from './load-mnist-sample.js';
import { MNIST_PIXELS, type MnistSample } from './mnist-sample.js';
import { checkCount, sampleRows } from './writer-checks.js';

export type ResampleKaggleTrainOptions = {
  /** Seeds the draws; 0 when left out. */
  seed?: number;
  /** The sample to draw from; `loadMnistSample()` (seed 0) when left out. */
  sample?: MnistSample;
};

export type ResampledKaggleTrain = {
  path: string;
  rows: number;
  /** Size of the written file. */
  bytes: number;
};

/**
 * Writes a Kaggle `train.csv` (`label,pixel0..pixel783`, 0..255 integers) of any size by drawing
 * `rows` rows (`KAGGLE_TRAIN_ROWS` for Kaggle's size) of the MNIST sample with replacement: row k is sample row `rng.int(10000)` with
 * `rng = new Rng(seed)`. 42,000 rows (Kaggle's size) make about 77 MB, for memory and speed
 * tests of CSV readers. Streamed in 1 MiB chunks, never whole in memory, and written atomically.
 */
export async function resampleKaggleTrain(path: string, rows: number, opts: ResampleKaggleTrainOptions = {}): Promise<ResampledKaggleTrain> {
  const op = 'resampleKaggleTrain';
  checkCount(op, 'rows', rows, 1, Number.MAX_SAFE_INTEGER);
  const sample = opts.sample ?? loadMnistSample();
  const available = sampleRows(op, sample);
  if (available === 0) throw new RangeError(`${op}: the sample has no rows to draw from`);
  const rng = new Rng(opts.seed ?? 0);
  const { x, labels } = sample;
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  const pixels = new Uint8Array(MNIST_PIXELS);

  const bytes = await writeFilesAtomically([target], async ([file]) => {
    const csv = new CsvChunks((chunk) => file!.write(chunk));
    await csv.ensure(KAGGLE_TRAIN_HEADER.length + 1);
    csv.text(KAGGLE_TRAIN_HEADER);
    csv.newline();
    for (let k = 0; k < rows; k++) {
      const row = rng.int(available);
      await csv.ensure(MAX_KAGGLE_ROW_BYTES);
      csv.small(labels[row]!);
      csv.bytes(mnistPixelsToBytes(x.data.subarray(row * MNIST_PIXELS, (row + 1) * MNIST_PIXELS), pixels), true);
      csv.newline();
    }
    await csv.end();
    return csv.written;
  });
  return { path: target, rows, bytes };
}
