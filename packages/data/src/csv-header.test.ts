import { describe, expect, it } from 'vitest';
import { readHeader } from './csv-header.js';

const where = { file: 'h.csv', line: 1 };

describe('readHeader', () => {
  it('finds the label column and keeps the other names in order', () => {
    expect(readHeader(['a', 'label', 'b'], where, 'label', true)).toEqual({ names: ['a', 'label', 'b'], labelIndex: 1, featureNames: ['a', 'b'] });
    expect(readHeader(['a', 'b'], where, null, false)).toEqual({ names: ['a', 'b'], labelIndex: -1, featureNames: ['a', 'b'] });
    expect(readHeader(['a', 'b'], where, 'label', false).labelIndex).toBe(-1);
  });

  it('accepts some numeric names, as long as not all of them are', () => {
    expect(readHeader(['label', '0', '1'], where, 'label', true).featureNames).toEqual(['0', '1']);
  });

  it('refuses a numeric row, an unnamed or repeated column, a missing label, a label with no features', () => {
    expect(() => readHeader(['1', '2.5'], where, 'label', true)).toThrow(/numbers, not column names/);
    expect(() => readHeader(['1e400', '2'], where, 'label', true)).toThrow(/numbers, not column names/);
    expect(() => readHeader(['a', ''], where, null, true)).toThrow(/column 2 has no name;/);
    expect(() => readHeader(['a', 'b', 'a'], where, null, true)).toThrow(/"a" twice, as column 1 and column 3/);
    expect(() => readHeader(['a', 'b'], where, 'y', true)).toThrow(/no label column "y"; the header starts "a", "b" \(2 columns\)\. Name/);
    expect(() => readHeader(['a', 'b'], where, 'y', true)).toThrow(
      /Name the label column with the label option \(label: "<column>"\), or pass label: null for a file without labels$/,
    );
    expect(() => readHeader(['label'], where, 'label', true)).toThrow(/at least one feature column/);
    expect(() => readHeader(['label;pixel0;pixel1'], where, 'label', true)).toThrow(/separate values with ";", but a CSV separates them with commas/);
    expect(() => readHeader(['label\tpixel0'], where, 'label', true)).toThrow(/separate values with "\\t"/);
  });
});
