import { describe, expect, it } from 'vitest';
import { decodeMnistAsset, encodeMnistAsset, MNIST_ASSET_HEADER_BYTES } from './mnist-asset.js';

const asset = { rows: 3, pixelsPerRow: 4, labels: Int32Array.from([7, 0, 9]), pixels: Uint8Array.from([0, 1, 2, 255, 10, 20, 30, 40, 128, 129, 130, 131]) };

function buffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

describe('the MNIST asset', () => {
  it('is a 16-byte header, a label byte per row and the pixel bytes', () => {
    const bytes = encodeMnistAsset(asset);
    expect(bytes).toHaveLength(MNIST_ASSET_HEADER_BYTES + 3 + 12);
    expect(String.fromCharCode(...bytes.subarray(0, 8))).toBe('DLFSMNI1');
    expect(Array.from(bytes.subarray(16, 19))).toEqual([7, 0, 9]);
  });

  it('decodes what it encodes', () => {
    const back = decodeMnistAsset(buffer(encodeMnistAsset(asset)));
    expect(back.rows).toBe(3);
    expect(back.pixelsPerRow).toBe(4);
    expect(Array.from(back.labels)).toEqual([7, 0, 9]);
    expect(Array.from(back.pixels)).toEqual(Array.from(asset.pixels));
  });

  it('refuses another file, or a truncated one, saying what to do', () => {
    expect(() => decodeMnistAsset(buffer(new TextEncoder().encode('<!doctype html><html>')), 'x.bin')).toThrow(
      /x\.bin is not the demos' MNIST asset .*rebuild the site/,
    );
    const bytes = encodeMnistAsset(asset);
    expect(() => decodeMnistAsset(buffer(bytes.subarray(0, bytes.length - 1)))).toThrow('holds 30 bytes but its header promises 3 rows × 4 pixels (31 bytes)');
  });

  it('checks what it is given', () => {
    expect(() => encodeMnistAsset({ ...asset, labels: Int32Array.from([1, 2]) })).toThrow('3 rows but 2 labels');
    expect(() => encodeMnistAsset({ ...asset, labels: Int32Array.from([1, 2, 300]) })).toThrow('label 2 is 300');
  });
});
