import { describe, expect, it } from 'vitest';
import { CONV_PARAM_KEYS, CONV_SHAPES, CONV_SPEC, decodeConvParams, encodeConvParams, makeConvParams, projection } from './conv-data.js';

describe("SimpleConvNet's initial weights", () => {
  it("have the book's shapes: W ~ 0.01·N(0, 1), b = 0, drawn from the seed", () => {
    const p = makeConvParams(0);
    for (const k of CONV_PARAM_KEYS) expect(p[k].length).toBe(CONV_SHAPES[k].reduce((a, b) => a * b, 1));
    expect(p.W2.length).toBe(30 * 12 * 12 * 100);
    const std = Math.sqrt(p.W2.reduce((s, v) => s + v * v, 0) / p.W2.length);
    expect(std).toBeGreaterThan(0.0099);
    expect(std).toBeLessThan(0.0101);
    expect(p.b1.every((v) => v === 0) && p.b2.every((v) => v === 0) && p.b3.every((v) => v === 0)).toBe(true);
    expect(makeConvParams(0).W1).toEqual(p.W1);
    expect(makeConvParams(1).W1).not.toEqual(p.W1);
    expect(CONV_SPEC.layers.map((l) => l.type)).toEqual(['conv2d', 'relu', 'max-pool', 'affine', 'relu', 'affine']);
  });

  it('survive the file round trip, and a wrong file is refused', () => {
    const p = makeConvParams(2);
    const buf = encodeConvParams(p);
    const back = decodeConvParams(buf);
    for (const k of CONV_PARAM_KEYS) expect(back[k]).toEqual(p[k]);
    expect(() => decodeConvParams(Buffer.from('DLFSBEN1 not this one'))).toThrow(/not a SimpleConvNet weights file/);
    expect(() => decodeConvParams(buf.subarray(0, buf.length - 8))).toThrow(/bytes, expected/);
    expect(() => encodeConvParams({ ...p, W3: new Float64Array(3) })).toThrow(/W3 has 3 numbers, expected 1000/);
  });
});

describe('projection', () => {
  it('is Σ v[i]·sin(i + 1): it changes when values trade places or signs, where Σ|v| does not', () => {
    expect(projection([1, 2])).toBeCloseTo(Math.sin(1) + 2 * Math.sin(2), 15);
    expect(projection([2, 1])).not.toBeCloseTo(projection([1, 2]), 3);
    expect(projection([-1, -2])).toBe(-projection([1, 2]));
  });
});
