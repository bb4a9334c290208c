import { describe, expect, it } from 'vitest';
import { CsvError, showValue } from './csv-error.js';

describe('CsvError', () => {
  it('starts its message with the file, line and column', () => {
    const err = new CsvError('NOT_A_NUMBER', { file: 'train.csv', line: 7, column: { name: 'pixel1', index: 3 } }, '"x" is not a number');
    expect(err.message).toBe('train.csv, line 7, column 3 "pixel1": "x" is not a number');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('CsvError');
    expect({ code: err.code, file: err.file, line: err.line, column: err.column }).toEqual({
      code: 'NOT_A_NUMBER',
      file: 'train.csv',
      line: 7,
      column: { name: 'pixel1', index: 3 },
    });
  });

  it('leaves out what it does not know', () => {
    expect(new CsvError('EMPTY_FILE', { file: 'a.csv' }, 'empty').message).toBe('a.csv: empty');
    expect(new CsvError('FIELD_COUNT', { file: 'a.csv', line: 2 }, 'short').message).toBe('a.csv, line 2: short');
  });

  it('keeps the cause', () => {
    const cause = new Error('inner');
    expect(new CsvError('UNREADABLE', { file: 'a.csv' }, 'x', { cause }).cause).toBe(cause);
    expect('cause' in new CsvError('EMPTY_FILE', { file: 'a.csv' }, 'x')).toBe(false);
  });

  it('carries the facts it is given, for a front end to phrase its own advice, and leaves the rest undefined', () => {
    const err = new CsvError('MISSING_LABEL_COLUMN', { file: 'a.csv', line: 1 }, 'no label', { label: 'y', columns: ['a', 'b'] });
    expect({ label: err.label, columns: err.columns, value: err.value, tooLarge: err.tooLarge, classes: err.classes }).toEqual({
      label: 'y',
      columns: ['a', 'b'],
      value: undefined,
      tooLarge: undefined,
      classes: undefined,
    });
    const big = new CsvError('NOT_A_NUMBER', { file: 'a.csv', line: 2 }, 'too large', { value: '1e400', tooLarge: true });
    expect({ value: big.value, tooLarge: big.tooLarge, cause: big.cause }).toEqual({ value: '1e400', tooLarge: true, cause: undefined });
  });
});

describe('showValue', () => {
  it('quotes a value and cuts a long one short', () => {
    expect(showValue('abc')).toBe('"abc"');
    expect(showValue('x'.repeat(50), 10)).toBe(`"${'x'.repeat(10)}…"`);
  });
});
