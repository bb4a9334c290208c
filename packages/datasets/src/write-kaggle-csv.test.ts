import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnistSample } from './load-mnist-sample.js';
import { MNIST_PIXELS, type MnistSample } from './mnist-sample.js';
import { writeKaggleCsv } from './write-kaggle-csv.js';

const pixelHeader = Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',');

// A plain line split, independent of the writer.
function readCsv(path: string): { header: string; rows: string[][] } {
  const lines = readFileSync(path, 'latin1').split('\n');
  expect(lines.pop()).toBe('');
  return { header: lines[0]!, rows: lines.slice(1).map((line) => line.split(',')) };
}

function expectedBytes(sample: MnistSample, r: number): string[] {
  return Array.from(sample.x.data.subarray(r * MNIST_PIXELS, (r + 1) * MNIST_PIXELS), (v) => String(Math.round(v * 255)));
}

let sample: MnistSample;
let root: string;

beforeAll(() => {
  sample = loadMnistSample();
  root = mkdtempSync(join(tmpdir(), 'dlfs-kaggle-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('writeKaggleCsv', () => {
  it('writes 8000 train and 2000 test rows of the seed-0 sample by default, which parse back to its pixels and labels', async () => {
    const dir = join(root, 'default');
    const files = await writeKaggleCsv(dir);
    expect(files).toEqual({
      train: join(dir, 'train.csv'),
      test: join(dir, 'test.csv'),
      testLabels: join(dir, 'test_labels.csv'),
      trainRows: 8000,
      testRows: 2000,
    });
    expect(readdirSync(dir).sort()).toEqual(['test.csv', 'test_labels.csv', 'train.csv']);

    const train = readCsv(files.train);
    expect(train.header).toBe(`label,${pixelHeader}`);
    expect(train.rows).toHaveLength(8000);
    const wrongTrain = train.rows.filter((fields, r) => fields.join(',') !== [sample.labels[r], ...expectedBytes(sample, r)].join(','));
    expect(wrongTrain).toEqual([]);
    expect(train.rows[0]).toHaveLength(785);

    const test = readCsv(files.test);
    expect(test.header).toBe(pixelHeader);
    expect(test.rows).toHaveLength(2000);
    expect(test.rows.filter((fields, i) => fields.join(',') !== expectedBytes(sample, 8000 + i).join(','))).toEqual([]);
    expect(test.rows[0]).toHaveLength(784);

    const answers = readCsv(files.testLabels);
    expect(answers.header).toBe('ImageId,Label');
    expect(answers.rows).toEqual(Array.from({ length: 2000 }, (_, i) => [String(i + 1), String(sample.labels[8000 + i])]));

    // Every value is a 0..255 integer, as in Kaggle's files.
    const byte = /^(\d|[1-9]\d|1\d\d|2[0-4]\d|25[0-5])$/;
    expect([...train.rows, ...test.rows].flat().filter((f) => !byte.test(f))).toEqual([]);

    // No test image appears in train: the MNIST sample has no duplicate digits.
    const trainImages = new Set(train.rows.map((fields) => fields.slice(1).join(',')));
    expect(trainImages.size).toBe(8000);
    expect(test.rows.filter((fields) => trainImages.has(fields.join(',')))).toEqual([]);
  });

  it('takes its order from the seed, the same as loadMnistSample with that seed', async () => {
    const dir = join(root, 'seed3');
    await writeKaggleCsv(dir, { trainRows: 20, testRows: 5, seed: 3 });
    const seeded = loadMnistSample({ seed: 3 });
    const train = readCsv(join(dir, 'train.csv')).rows;
    expect(train.map((fields) => Number(fields[0]))).toEqual(Array.from(seeded.labels.subarray(0, 20)));
    expect(train[0]!.slice(1)).toEqual(expectedBytes(seeded, 0));
    expect(readCsv(join(dir, 'test_labels.csv')).rows.map((fields) => Number(fields[1]))).toEqual(Array.from(seeded.labels.subarray(20, 25)));
    expect(train.map((fields) => Number(fields[0]))).not.toEqual(Array.from(sample.labels.subarray(0, 20)));
  });

  it('uses a given sample, and may write an empty test set', async () => {
    const dir = join(root, 'given');
    await writeKaggleCsv(dir, { trainRows: 10000, testRows: 0, sample });
    expect(readCsv(join(dir, 'train.csv')).rows).toHaveLength(10000);
    expect(readCsv(join(dir, 'test.csv'))).toEqual({ header: pixelHeader, rows: [] });
    expect(readCsv(join(dir, 'test_labels.csv'))).toEqual({ header: 'ImageId,Label', rows: [] });
  });

  it('replaces old files', async () => {
    const dir = join(root, 'replace');
    await writeKaggleCsv(dir, { trainRows: 30, testRows: 3, sample });
    await writeKaggleCsv(dir, { trainRows: 2, testRows: 1, sample });
    expect(readCsv(join(dir, 'train.csv')).rows).toHaveLength(2);
    expect(readdirSync(dir)).toHaveLength(3);
  });

  it('rejects row counts that do not fit the sample before writing anything', async () => {
    const dir = join(root, 'invalid');
    await expect(writeKaggleCsv(dir, { trainRows: 8001 })).rejects.toThrow(
      'writeKaggleCsv: trainRows + testRows = 8001 + 2000 = 10001, more than the 10000 digits of the sample; lower one of them',
    );
    await expect(writeKaggleCsv(dir, { trainRows: 0 })).rejects.toThrow('writeKaggleCsv: trainRows must be a whole number in 1..10000, got 0');
    await expect(writeKaggleCsv(dir, { testRows: 2.5 })).rejects.toThrow('writeKaggleCsv: testRows must be a whole number in 0..10000, got 2.5');
    await expect(writeKaggleCsv(dir, { testRows: -1 })).rejects.toThrow(/testRows must be a whole number/);
    await expect(writeKaggleCsv(dir, { seed: 1, sample })).rejects.toThrow(/pass either seed or sample, not both/);
    await expect(writeKaggleCsv(dir, { sample: { ...sample, x: sample.x.reshape([-1, 28, 28]) } })).rejects.toThrow(
      /sample\.x must be \[rows, 784\], got \[10000, 28, 28\]/,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('leaves old files whole and no temporary files when writing fails midway', async () => {
    const dir = join(root, 'atomic');
    await writeKaggleCsv(dir, { trainRows: 5, testRows: 2, sample });
    const before = readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'latin1')]);
    // A bad pixel in row 6000 stops the writer after several 1 MiB chunks of train.csv are on disk.
    const x = sample.x.clone();
    x.data[6000 * MNIST_PIXELS + 300] = Number.NaN;
    const broken: MnistSample = { ...sample, x };
    await expect(writeKaggleCsv(dir, { sample: broken })).rejects.toThrow(/pixel 300 is NaN/);
    expect(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'latin1')])).toEqual(before);
  });

  it.skipIf(process.getuid?.() === 0)('fails without leaving anything in a read-only directory', async () => {
    const dir = join(root, 'read-only');
    await writeKaggleCsv(dir, { trainRows: 5, testRows: 2, sample });
    const before = readFileSync(join(dir, 'train.csv'), 'latin1');
    chmodSync(dir, 0o555);
    try {
      await expect(writeKaggleCsv(dir, { trainRows: 50, testRows: 2, sample })).rejects.toThrow(/EACCES/);
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(readFileSync(join(dir, 'train.csv'), 'latin1')).toBe(before);
    expect(readdirSync(dir)).toHaveLength(3);
  });
});
