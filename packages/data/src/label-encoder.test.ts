import { describe, expect, it } from 'vitest';
import { LabelEncoder } from './label-encoder.js';

function encodeAll(values: readonly string[], classes?: readonly (string | number)[]): { labels: number[]; classes: (string | number)[] } {
  const encoder = new LabelEncoder(classes);
  const labels = Int32Array.from(values, (v) => encoder.encode(v));
  const result = encoder.finish(labels);
  return { labels: Array.from(labels), classes: result };
}

describe('LabelEncoder', () => {
  it('sorts whole-number labels numerically: the digits 0..9 are their own indices', () => {
    expect(encodeAll(['3', '0', '9', '1', '2', '8', '4', '7', '5', '6', '3'])).toEqual({
      labels: [3, 0, 9, 1, 2, 8, 4, 7, 5, 6, 3],
      classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    });
    expect(encodeAll(['10', '9', '-2', '100'])).toEqual({ labels: [2, 1, 0, 3], classes: [-2, 9, 10, 100] });
  });

  it('merges spellings of the same whole number', () => {
    expect(encodeAll(['7', '07', '7.0', '3'])).toEqual({ labels: [1, 1, 1, 0], classes: [3, 7] });
  });

  it('sorts text labels by code unit, like JavaScript and Python sort strings', () => {
    expect(encodeAll(['cat', 'ant', 'Bee', 'cat', 'éclair'])).toEqual({ labels: [2, 1, 0, 2, 3], classes: ['Bee', 'ant', 'cat', 'éclair'] });
  });

  it('treats a mix of numbers and text, or fractional numbers, as text', () => {
    expect(encodeAll(['10', '9', 'x'])).toEqual({ labels: [0, 1, 2], classes: ['10', '9', 'x'] });
    expect(encodeAll(['0.5', '1'])).toEqual({ labels: [0, 1], classes: ['0.5', '1'] });
  });

  it('uses given classes as they are, numbers matched by value and text exactly', () => {
    expect(encodeAll(['1', '0', '1.0'], [1, 0])).toEqual({ labels: [0, 1, 0], classes: [1, 0] });
    expect(encodeAll(['b', 'a'], ['a', 'b', 'c'])).toEqual({ labels: [1, 0], classes: ['a', 'b', 'c'] });
  });

  it('answers -1 for a value outside given classes', () => {
    const encoder = new LabelEncoder([0, 1]);
    expect(encoder.encode('2')).toBe(-1);
    expect(encoder.encode('one')).toBe(-1);
    expect(new LabelEncoder(['a']).encode('A')).toBe(-1);
  });

  it('renumbers only the first `count` labels', () => {
    const encoder = new LabelEncoder();
    const labels = new Int32Array(4).fill(-7);
    labels[0] = encoder.encode('5');
    labels[1] = encoder.encode('4');
    expect(encoder.finish(labels, 2)).toEqual([4, 5]);
    expect(Array.from(labels)).toEqual([1, 0, -7, -7]);
  });

  it('names the spellings of one number, with the line each first appears on', () => {
    const encoder = new LabelEncoder();
    const labels = Int32Array.from(['7', '07', '3', '7.0', '07', '-0', '0', '3'], (v, i) => encoder.encode(v, i + 2));
    expect(encoder.finish(labels)).toEqual([0, 3, 7]);
    expect(Array.from(labels)).toEqual([2, 2, 1, 2, 2, 0, 0, 1]);
    expect(encoder.spellings()).toEqual([
      {
        value: 0,
        merged: true,
        spellings: [
          { text: '-0', line: 7 },
          { text: '0', line: 8 },
        ],
      },
      {
        value: 7,
        merged: true,
        spellings: [
          { text: '7', line: 2 },
          { text: '07', line: 3 },
          { text: '7.0', line: 5 },
        ],
      },
    ]);
  });

  it('names spellings of one number kept as different text classes, and nothing for plain text labels', () => {
    const encoder = new LabelEncoder();
    const labels = Int32Array.from(['1', 'x', '1.0', '2.5', '1e0'], (v, i) => encoder.encode(v, i + 2));
    encoder.finish(labels);
    expect(encoder.spellings()).toEqual([
      {
        value: 1,
        merged: false,
        spellings: [
          { text: '1', line: 2 },
          { text: '1.0', line: 4 },
          { text: '1e0', line: 6 },
        ],
      },
    ]);
    const words = new LabelEncoder();
    words.finish(Int32Array.from(['cat', 'dog', 'cat'], (v) => words.encode(v)));
    expect(words.spellings()).toEqual([]);
  });

  it('names spellings matched by value to given numeric classes, never for given text classes', () => {
    const numeric = new LabelEncoder([5, 1]);
    expect(['1', '1.0', '5', '1'].map((v, i) => numeric.encode(v, i + 2))).toEqual([1, 1, 0, 1]);
    expect(numeric.spellings()).toEqual([
      {
        value: 1,
        merged: true,
        spellings: [
          { text: '1', line: 2 },
          { text: '1.0', line: 3 },
        ],
      },
    ]);
    const text = new LabelEncoder(['1', '1.0']);
    expect(['1', '1.0'].map((v) => text.encode(v))).toEqual([0, 1]);
    expect(text.spellings()).toEqual([]);
  });
});
