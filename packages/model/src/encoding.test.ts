import { describe, expect, it } from 'vitest';
import { crc32, decodeBytes, encodeFloats } from './encoding.js';

describe('crc32', () => {
  // Expected values computed once with python3: format(zlib.crc32(s.encode('utf-8')) & 0xffffffff, '08x')
  it.each([
    ['', '00000000'],
    ['a', 'e8b7be43'],
    ['123456789', 'cbf43926'],
    ['The quick brown fox jumps over the lazy dog', '414fa339'],
    ['{"format":"dlfs-model","version":1}', '65284871'],
    ['größe ∂L/∂W 😀', '5be4f3a1'],
  ])('of %j is %s, as zlib.crc32 of its UTF-8 bytes', (text, expected) => {
    expect(crc32(text)).toBe(expected);
  });

  it('is always 8 lowercase hex digits', () => {
    for (let i = 0; i < 200; i++) expect(crc32(`text ${i}`)).toMatch(/^[0-9a-f]{8}$/);
  });
});

/** The little-endian IEEE 754 bytes of `values`, written with DataView (independent of the typed array's byte order). */
function littleEndian(values: readonly number[], bytesPerElement: 4 | 8): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * bytesPerElement));
  values.forEach((v, i) => (bytesPerElement === 4 ? view.setFloat32(i * 4, v, true) : view.setFloat64(i * 8, v, true)));
  return new Uint8Array(view.buffer);
}

const specials64 = [
  0,
  -0,
  1,
  -1.5,
  Math.PI,
  Infinity,
  -Infinity,
  NaN,
  Number.MIN_VALUE, // smallest subnormal, 2^-1074
  2.225073858507201e-308, // largest subnormal
  -Number.MIN_VALUE,
  2.2250738585072014e-308, // smallest normal
  Number.MAX_VALUE,
  1e-310,
];

const specials32 = [
  0,
  -0,
  1,
  -1.5,
  Math.fround(Math.PI),
  Infinity,
  -Infinity,
  NaN,
  1.401298464324817e-45, // smallest float32 subnormal, 2^-149
  1.1754942106924411e-38, // largest float32 subnormal
  -1.401298464324817e-45,
  1.1754943508222875e-38, // smallest float32 normal
  3.4028234663852886e38, // largest float32
  Math.fround(1e-40),
];

describe('encodeFloats and decodeBytes', () => {
  it('round-trip float64 exactly, including -0, ±Infinity, NaN and subnormals', () => {
    const data = Float64Array.from(specials64);
    const bytes = decodeBytes(encodeFloats(data))!;
    const back = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
    expect(back).toHaveLength(specials64.length);
    specials64.forEach((v, i) => expect(Object.is(back[i], v), `element ${i}: ${back[i]} vs ${v}`).toBe(true));
    expect(bytes).toEqual(new Uint8Array(data.buffer));
  });

  it('round-trip float32 exactly, including -0, ±Infinity, NaN and subnormals', () => {
    const data = Float32Array.from(specials32);
    // Every listed value is a float32 already: storing it changes nothing.
    specials32.forEach((v, i) => expect(Object.is(data[i], v), `element ${i}`).toBe(true));
    const bytes = decodeBytes(encodeFloats(data))!;
    const back = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    specials32.forEach((v, i) => expect(Object.is(back[i], v), `element ${i}: ${back[i]} vs ${v}`).toBe(true));
    expect(bytes).toEqual(new Uint8Array(data.buffer));
  });

  it('write the little-endian IEEE 754 bytes as standard base64', () => {
    expect(encodeFloats(Float32Array.from(specials32))).toBe(Buffer.from(littleEndian(specials32, 4)).toString('base64'));
    expect(encodeFloats(Float64Array.from(specials64))).toBe(Buffer.from(littleEndian(specials64, 8)).toString('base64'));
    // 1.0 as float32 is 00 00 80 3f; as float64 00 00 00 00 00 00 f0 3f.
    expect(encodeFloats(Float32Array.from([1]))).toBe('AACAPw==');
    expect(encodeFloats(Float64Array.from([1]))).toBe('AAAAAAAA8D8=');
  });

  it('encode only the elements of a view, not its whole buffer', () => {
    const all = Float32Array.from([1, 2, 3, 4, 5]);
    const view = all.subarray(1, 3);
    expect(encodeFloats(view)).toBe(encodeFloats(Float32Array.from([2, 3])));
  });

  it('handle arrays larger than one encoding chunk', () => {
    const data = Float64Array.from({ length: 100_003 }, (_, i) => Math.sin(i) * 10 ** ((i % 40) - 20));
    const text = encodeFloats(data);
    expect(text).toBe(Buffer.from(data.buffer).toString('base64'));
    const bytes = decodeBytes(text)!;
    expect(new Float64Array(bytes.buffer)).toEqual(data);
  });

  it('encode no elements as the empty string', () => {
    expect(encodeFloats(new Float32Array(0))).toBe('');
    expect(decodeBytes('')).toEqual(new Uint8Array(0));
  });

  it('decodeBytes gives undefined for text that is not base64', () => {
    expect(decodeBytes('not base64!')).toBeUndefined();
    expect(decodeBytes('AAAAA')).toBeUndefined();
    expect(decodeBytes('AACAPw==')).toEqual(new Uint8Array([0, 0, 0x80, 0x3f]));
  });
});
