import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFilesAtomically } from '@dlfs/data/node';
import { CsvChunks, MAX_KAGGLE_ROW_BYTES } from './csv-chunks.js';
import { KAGGLE_ANSWER_HEADER, KAGGLE_TEST_HEADER, KAGGLE_TRAIN_HEADER, mnistPixelsToBytes } from './kaggle-format.js';
import { loadMnistSample } from './load-mnist-sample.js';
import { MNIST_PIXELS, MNIST_SAMPLE_SIZE, type MnistSample } from './mnist-sample.js';
import { checkCount, sampleRows } from './writer-checks.js';

export type WriteKaggleCsvOptions = {
  /** Rows of `train.csv`; 8000 when left out. */
  trainRows?: number;
  /** Rows of `test.csv` and `test_labels.csv`; 2000 when left out. */
  testRows?: number;
  /** Seed of `loadMnistSample`, which fixes the row order; 0 when left out. */
  seed?: number;
  /** An already loaded sample to take the rows from instead of loading one (then leave `seed` out). */
  sample?: MnistSample;
};

export type KaggleCsvFiles = {
  train: string;
  test: string;
  testLabels: string;
  trainRows: number;
  testRows: number;
};

/**
 * Writes the MNIST sample as Kaggle digit-recognizer files in `dir` (created if missing):
 * `train.csv` (`label,pixel0..pixel783`), `test.csv` (`pixel0..pixel783`) and
 * `test_labels.csv` (`ImageId,Label`, ImageId counting from 1), the answer key to score a
 * submission for `test.csv`. Pixels are 0..255 integers (`mnistPixelsToBytes`). Train takes
 * rows 0..trainRows-1 of the shuffled sample and test the next testRows, so they are disjoint.
 * The files are streamed in chunks and each replaces any old one only once all three are
 * complete.
 */
export async function writeKaggleCsv(dir: string, opts: WriteKaggleCsvOptions = {}): Promise<KaggleCsvFiles> {
  const op = 'writeKaggleCsv';
  const { trainRows = 8000, testRows = 2000 } = opts;
  if (opts.sample && opts.seed !== undefined) {
    throw new TypeError(`${op}: pass either seed or sample, not both; a sample's order was fixed by the seed it was loaded with`);
  }
  const available = opts.sample ? sampleRows(op, opts.sample) : MNIST_SAMPLE_SIZE;
  checkCount(op, 'trainRows', trainRows, 1, available);
  checkCount(op, 'testRows', testRows, 0, available);
  if (trainRows + testRows > available) {
    throw new RangeError(
      `${op}: trainRows + testRows = ${trainRows} + ${testRows} = ${trainRows + testRows}, more than the ${available} digits of the sample; lower one of them`,
    );
  }
  const { x, labels } = opts.sample ?? loadMnistSample({ seed: opts.seed ?? 0 });

  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  const files: KaggleCsvFiles = {
    train: join(out, 'train.csv'),
    test: join(out, 'test.csv'),
    testLabels: join(out, 'test_labels.csv'),
    trainRows,
    testRows,
  };
  const pixels = new Uint8Array(MNIST_PIXELS);
  const rowBytes = (row: number): Uint8Array => mnistPixelsToBytes(x.data.subarray(row * MNIST_PIXELS, (row + 1) * MNIST_PIXELS), pixels);

  await writeFilesAtomically([files.train, files.test, files.testLabels], async ([trainFile, testFile, answerFile]) => {
    const train = new CsvChunks((chunk) => trainFile!.write(chunk));
    const test = new CsvChunks((chunk) => testFile!.write(chunk));
    const answers = new CsvChunks((chunk) => answerFile!.write(chunk));
    for (const [csv, header] of [
      [train, KAGGLE_TRAIN_HEADER],
      [test, KAGGLE_TEST_HEADER],
      [answers, KAGGLE_ANSWER_HEADER],
    ] as const) {
      await csv.ensure(header.length + 1);
      csv.text(header);
      csv.newline();
    }
    for (let row = 0; row < trainRows; row++) {
      await train.ensure(MAX_KAGGLE_ROW_BYTES);
      train.small(labels[row]!);
      train.bytes(rowBytes(row), true);
      train.newline();
    }
    for (let i = 0; i < testRows; i++) {
      const row = trainRows + i;
      await test.ensure(MAX_KAGGLE_ROW_BYTES);
      test.bytes(rowBytes(row), false);
      test.newline();
      await answers.ensure(32);
      answers.text(`${i + 1},${labels[row]!}`);
      answers.newline();
    }
    await Promise.all([train.end(), test.end(), answers.end()]);
  });
  return files;
}
