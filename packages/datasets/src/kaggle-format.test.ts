import { describe, expect, it } from 'vitest';
import { KAGGLE_ANSWER_HEADER, KAGGLE_TEST_HEADER, KAGGLE_TRAIN_HEADER, mnistPixelsToBytes } from './kaggle-format.js';

describe('Kaggle digit-recognizer headers', () => {
  it('name the label and pixel0..pixel783 like Kaggle', () => {
    const train = KAGGLE_TRAIN_HEADER.split(',');
    expect(train).toHaveLength(785);
    expect(train.slice(0, 3)).toEqual(['label', 'pixel0', 'pixel1']);
    expect(train.at(-1)).toBe('pixel783');
    expect(KAGGLE_TEST_HEADER).toBe(train.slice(1).join(','));
    expect(KAGGLE_ANSWER_HEADER).toBe('ImageId,Label');
  });
});

describe('mnistPixelsToBytes', () => {
  it('is Math.round(v * 255): 0 → 0, 1 → 255, 0.5 → 128', () => {
    expect(Array.from(mnistPixelsToBytes([0, 1, 0.5, 0.2, 0.624]))).toEqual([0, 255, 128, 51, 159]);
  });

  it('gives back every byte b from the package form, b / 255 rounded to 3 decimals, also through float32', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, b) => b);
    const stored = Array.from(bytes, (b) => Number((b / 255).toFixed(3)));
    expect(mnistPixelsToBytes(stored)).toEqual(bytes);
    expect(mnistPixelsToBytes(Float32Array.from(stored))).toEqual(bytes);
  });

  it('fills a given buffer', () => {
    const out = new Uint8Array(4);
    expect(mnistPixelsToBytes([1, 0], out)).toBe(out);
    expect(Array.from(out)).toEqual([255, 0, 0, 0]);
  });

  it('rejects values outside 0..1 with their index, and a short buffer', () => {
    expect(() => mnistPixelsToBytes([0, 200])).toThrow(/pixel 1 is 200, outside 0\.\.1; divide 0\.\.255 values by 255/);
    expect(() => mnistPixelsToBytes([0, Number.NaN])).toThrow(/pixel 1 is NaN/);
    expect(() => mnistPixelsToBytes([0, 0], new Uint8Array(1))).toThrow(/out holds 1 bytes but there are 2 pixels/);
  });
});
