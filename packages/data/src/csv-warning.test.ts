import { describe, expect, it } from 'vitest';
import { labelSpellingsWarning, MANY_CLASSES_MIN, MANY_CLASSES_PER_ROW, manyClassesWarning } from './csv-warning.js';
import type { LabelSpellings } from './label-encoder.js';

const column = { name: 'label', index: 1 };

function group(value: number, texts: readonly string[]): LabelSpellings {
  return { value, merged: true, spellings: texts.map((text, i) => ({ text, line: value * 10 + i + 2 })) };
}

describe('manyClassesWarning', () => {
  it('warns past both thresholds: more than 20 classes, more than one class per two rows', () => {
    expect([MANY_CLASSES_MIN, MANY_CLASSES_PER_ROW]).toEqual([20, 0.5]);
    expect(manyClassesWarning('a.csv', column, 21, 41)?.code).toBe('MANY_CLASSES');
    expect(manyClassesWarning('a.csv', column, 1000, 1000)?.message).toMatch(
      /^a\.csv, column 1 "label": the label column has 1000 different values in 1000 rows/,
    );
    expect(manyClassesWarning('a.csv', column, 21, 42)).toBeUndefined();
    expect(manyClassesWarning('a.csv', column, 20, 20)).toBeUndefined();
    expect(manyClassesWarning('a.csv', column, 10, 12)).toBeUndefined();
    expect(manyClassesWarning('a.csv', column, 100, 42000)).toBeUndefined();
  });
});

describe('labelSpellingsWarning', () => {
  it('lists two spellings with "and", more with commas', () => {
    expect(labelSpellingsWarning('a.csv', column, [group(1, ['1', '1.0'])]).message).toContain('"1" (line 12) and "1.0" (line 13) as class 1.');
    expect(labelSpellingsWarning('a.csv', column, [group(1, ['1', '1.0', '01'])]).message).toContain(
      '"1" (line 12), "1.0" (line 13) and "01" (line 14) as class 1.',
    );
  });

  it('cuts a long list short: six spellings a number, five numbers', () => {
    const many = group(
      0,
      Array.from({ length: 9 }, (_, i) => `0.${'0'.repeat(i)}`),
    );
    expect(labelSpellingsWarning('a.csv', column, [many]).message).toContain('"0.00000" (line 7) and 3 more as class 0.');
    const groups = Array.from({ length: 8 }, (_, v) => group(v, [`${v}`, `${v}.0`]));
    const message = labelSpellingsWarning('a.csv', column, groups).message;
    expect(message).toContain('"4" (line 42) and "4.0" (line 43) as class 4; and 3 more numbers. Write each class one way');
    expect(message).not.toContain('"5"');
  });
});
