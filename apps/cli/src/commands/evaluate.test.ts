import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeHandModel } from '../test-support/hand-model.js';
import { dlfs, tempDir } from '../test-support/run-dlfs.js';
import { formatConfusion } from './evaluate.js';

// Scores (x, y, 0.5) for (setosa, versicolor, virginica): each row's prediction is worked out by hand.
const ROWS = [
  // x, y, true species     predicted
  [0.9, 0.1, 'setosa'], // setosa
  [0.8, 0.3, 'setosa'], // setosa
  [0.2, 0.7, 'setosa'], // versicolor
  [0.1, 0.9, 'versicolor'], // versicolor
  [0.3, 0.6, 'versicolor'], // versicolor
  [0.2, 0.1, 'versicolor'], // virginica
  [0.1, 0.2, 'virginica'], // virginica
  [0.0, 0.4, 'virginica'], // virginica
  [0.3, 0.3, 'virginica'], // virginica
  [0.7, 0.2, 'virginica'], // setosa
] as const;

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeHandModel(dir);
  writeFileSync(join(dir, 'flowers.csv'), `x,y,species\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
});

describe('dlfs evaluate: the confusion matrix', () => {
  it('counts true class (rows) against predicted class (columns), as worked out by hand', () => {
    const r = dlfs(['evaluate', '--model', 'hand.json', '--data', 'flowers.csv', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.rows).toBe(10);
    expect(e.accuracy).toBeCloseTo(0.7, 12);
    expect(e.confusion).toEqual({
      classes: ['setosa', 'versicolor', 'virginica'],
      matrix: [
        [2, 1, 0],
        [0, 2, 1],
        [1, 0, 3],
      ],
    });
    expect(e.perClass).toEqual([
      { class: 'setosa', rows: 3, accuracy: 2 / 3 },
      { class: 'versicolor', rows: 3, accuracy: 2 / 3 },
      { class: 'virginica', rows: 4, accuracy: 3 / 4 },
    ]);
  });

  it('prints it after the per-class accuracy, labelled with the class values and aligned', () => {
    const r = dlfs(['evaluate', '--model', 'hand.json', '--data', 'flowers.csv'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        'rows      10',
        'accuracy  0.7000',
        '',
        'per class',
        '  setosa     0.6667  (3 rows)',
        '  versicolor 0.6667  (3 rows)',
        '  virginica  0.7500  (4 rows)',
        '',
        'confusion matrix (rows: true class, columns: predicted class)',
        '                  setosa  versicolor   virginica',
        '  setosa               2           1           0',
        '  versicolor           0           2           1',
        '  virginica            1           0           3',
        '',
      ].join('\n'),
    );
  });
});

describe('formatConfusion', () => {
  it('numbers the columns when long text labels would make the table too wide', () => {
    const classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
    const matrix = classes.map((_, t) => classes.map((_, p) => (t === p ? 1000 : t === 9 && p === 7 ? 12 : 0)));
    const table = formatConfusion(classes, matrix).split('\n');
    expect(table.slice(0, 3)).toEqual([
      'confusion matrix (rows: true class, columns: predicted class)',
      '                     0     1     2     3     4     5     6     7     8     9',
      '  0  T-shirt/top  1000     0     0     0     0     0     0     0     0     0',
    ]);
    expect(table[11]).toBe('  9  Ankle boot      0     0     0     0     0     0     0    12     0  1000');
  });
});

describe('dlfs evaluate on ten digit classes', () => {
  let kaggle: string;
  beforeAll(() => {
    kaggle = tempDir();
    const s = dlfs(['sample', '--out', '.', '--train-rows', '1000', '--test-rows', '300'], kaggle);
    expect(s.code, s.stderr).toBe(0);
    const t = dlfs(['train', '--data', 'train.csv', '--iters', '200', '--out', 'model.json'], kaggle);
    expect(t.code, t.stderr).toBe(0);
    // test.csv with its answer key as a label column, for evaluate.
    const pixels = readFileSync(join(kaggle, 'test.csv'), 'utf8').trim().split('\n');
    const answers = readFileSync(join(kaggle, 'test_labels.csv'), 'utf8').trim().split('\n');
    const labelled = pixels.map((line, i) => `${i === 0 ? 'label' : answers[i]!.split(',')[1]},${line}`);
    writeFileSync(join(kaggle, 'labelled-test.csv'), `${labelled.join('\n')}\n`);
  });

  it("matches the matrix counted from predict's submission and the answer key", () => {
    const p = dlfs(['predict', '--model', 'model.json', '--data', 'test.csv', '--out', 'submission.csv'], kaggle);
    expect(p.code, p.stderr).toBe(0);
    const predicted = readFileSync(join(kaggle, 'submission.csv'), 'utf8').trim().split('\n').slice(1);
    const truth = readFileSync(join(kaggle, 'test_labels.csv'), 'utf8').trim().split('\n').slice(1);
    const expected = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    truth.forEach((line, i) => {
      expected[Number(line.split(',')[1])]![Number(predicted[i]!.split(',')[1])]!++;
    });
    const r = dlfs(['evaluate', '--model', 'model.json', '--data', 'labelled-test.csv', '--json'], kaggle);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.confusion.classes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e.confusion.matrix).toEqual(expected);
  });

  it('prints ten aligned rows under a header of the ten digits', () => {
    const r = dlfs(['evaluate', '--model', 'model.json', '--data', 'labelled-test.csv'], kaggle);
    expect(r.code, r.stderr).toBe(0);
    const table = r.stdout.split('confusion matrix (rows: true class, columns: predicted class)\n')[1]!.trimEnd().split('\n');
    expect(table).toHaveLength(11);
    expect(table[0]!.trim().split(/\s+/)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    table.slice(1).forEach((line, k) => {
      const cells = line.trim().split(/\s+/);
      expect(cells[0]).toBe(String(k));
      expect(cells).toHaveLength(11);
    });
    // Every row as long as the header, every number right-aligned under its digit.
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
    const ends = (line: string): number[] => [...line.matchAll(/\S+/g)].map((m) => m.index + m[0].length);
    for (const line of table.slice(1)) expect(ends(line).slice(1)).toEqual(ends(table[0]!));
  });
});
