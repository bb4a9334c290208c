import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeHandModel } from '../test-support/hand-model.js';
import { dlfs, hasStackTrace, tempDir } from '../test-support/run-dlfs.js';

// The hand model (see hand-model.ts) scores (x, y, 0.5): setosa, versicolor, virginica.
const X = [0.9, 0.2, 0.1, 0.3, 0.7];
const Y = [0.1, 0.7, 0.2, 0.3, 0.95];
const BY_HAND = ['setosa', 'versicolor', 'virginica', 'virginica', 'versicolor'];

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeHandModel(dir);
});

function csv(file: string, header: string, row: (i: number) => string): void {
  writeFileSync(join(dir, file), `${header}\n${X.map((_, i) => row(i)).join('\n')}\n`);
}

function predictions(file: string, cwd = dir): string[] {
  return readFileSync(join(cwd, file), 'utf8').trim().split('\n').slice(1);
}

describe('predict and evaluate match feature columns by name', () => {
  it('reads the columns in any order into the order the model was trained in', () => {
    csv('xy.csv', 'x,y', (i) => `${X[i]},${Y[i]}`);
    csv('yx.csv', 'y,x', (i) => `${Y[i]},${X[i]}`);
    for (const file of ['xy.csv', 'yx.csv']) {
      const r = dlfs(['predict', '--model', 'hand.json', '--data', file, '--out', `${file}.out`], dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(predictions(`${file}.out`)).toEqual(BY_HAND.map((label, i) => `${i + 1},${label}`));
    }
  });

  it('evaluates a file whose label sits between reordered features', () => {
    csv('labelled.csv', 'y,species,x', (i) => `${Y[i]},${BY_HAND[(i + 1) % 5]},${X[i]}`);
    const r = dlfs(['evaluate', '--model', 'hand.json', '--data', 'labelled.csv', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    // True classes: versicolor, virginica, virginica, versicolor, setosa; predicted: BY_HAND.
    expect(JSON.parse(r.stdout).confusion.matrix).toEqual([
      [0, 1, 0],
      [1, 0, 1],
      [0, 1, 1],
    ]);
  });

  it('ignores a column the model was not trained on, naming it in a note on stderr', () => {
    csv('with-id.csv', 'id,y,x', (i) => `${101 + i},${Y[i]},${X[i]}`);
    const r = dlfs(['predict', '--model', 'hand.json', '--data', 'with-id.csv', '--out', 'with-id.out', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows).toBe(5);
    expect(r.stderr).toBe('note: with-id.csv: ignoring column "id", which the model was not trained on; it reads the 2 columns it was trained on, by name\n');
    expect(predictions('with-id.out')).toEqual(BY_HAND.map((label, i) => `${i + 1},${label}`));
  });

  it('says how to drop a text column the model was not trained on', () => {
    csv('text-id.csv', 'x,name,y', (i) => `${X[i]},flower-${i},${Y[i]}`);
    const r = dlfs(['predict', '--model', 'hand.json', '--data', 'text-id.csv', '--out', 'text-id.out'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/text-id\.csv, line 2, column 2 "name": the model was not trained on this column/);
    expect(r.stderr).toMatch(/remove the column from the file \(for example cut -d, --complement -f2 text-id\.csv > features\.csv/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('names a missing column, and a column that may be it renamed', () => {
    csv('no-y.csv', 'x', (i) => `${X[i]}`);
    let r = dlfs(['predict', '--model', 'hand.json', '--data', 'no-y.csv', '--out', 'no-y.out'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-y\.csv: has 1 feature columns but the model was trained on 2 \(x, y\); it lacks the column "y"; give it every feature column/);
    csv('renamed.csv', 'x,Y', (i) => `${X[i]},${Y[i]}`);
    r = dlfs(['predict', '--model', 'hand.json', '--data', 'renamed.csv', '--out', 'renamed.out'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /renamed\.csv: it lacks the column "y" \(the file has "Y" instead, which the model does not know: is it renamed or misspelt\?\); give/,
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe("Kaggle's test.csv, reordered or with an id column", () => {
  let kaggle: string;
  beforeAll(() => {
    kaggle = tempDir();
    const s = dlfs(['sample', '--out', '.', '--train-rows', '1000', '--test-rows', '200'], kaggle);
    expect(s.code, s.stderr).toBe(0);
    const t = dlfs(['train', '--data', 'train.csv', '--iters', '200', '--out', 'model.json'], kaggle);
    expect(t.code, t.stderr).toBe(0);
    const p = dlfs(['predict', '--model', 'model.json', '--data', 'test.csv', '--out', 'as-is.csv'], kaggle);
    expect(p.code, p.stderr).toBe(0);
    // As today: Kaggle's own columns load without a note.
    expect(p.stderr).toBe('');
  });

  it('gives the same predictions with the pixel columns reversed and an ImageId column in front', () => {
    const lines = readFileSync(join(kaggle, 'test.csv'), 'utf8').trim().split('\n');
    const reversed = lines.map((line, i) => `${i === 0 ? 'ImageId' : i},${line.split(',').reverse().join(',')}`);
    writeFileSync(join(kaggle, 'reversed.csv'), `${reversed.join('\n')}\n`);
    const r = dlfs(['predict', '--model', 'model.json', '--data', 'reversed.csv', '--out', 'reversed-out.csv'], kaggle);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^note: reversed\.csv: ignoring column "ImageId", which the model was not trained on/);
    expect(predictions('reversed-out.csv', kaggle)).toEqual(predictions('as-is.csv', kaggle));
  });
});
