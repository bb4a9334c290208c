// Convolution geometries and oracles shared by the im2col and conv tests: the definitions the
// kernels are checked against, in float64, straight from the index formulas.
import fc from 'fast-check';
import { convOutputSize } from '../im2col.js';
import type { Tensor } from '../tensor.js';

/** One convolution's geometry: input [n, c, h, w], f filters of fh × fw, stride, pad. */
export interface Conv {
  n: number;
  c: number;
  h: number;
  w: number;
  fh: number;
  fw: number;
  stride: number;
  pad: number;
  f: number;
}

/**
 * Geometries that fit: batch and channels up to 3, odd and even sizes up to 9, filters up to 4
 * (fh and fw drawn apart), stride 1 to 3, padding 0 to 2 (so windows lie wholly in the padding
 * too), and 1 to `maxFilters` filters.
 */
export function convArb(maxFilters: number): fc.Arbitrary<Conv> {
  return fc
    .record({
      n: fc.integer({ min: 1, max: 3 }),
      c: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 9 }),
      w: fc.integer({ min: 1, max: 9 }),
      fh: fc.integer({ min: 1, max: 4 }),
      fw: fc.integer({ min: 1, max: 4 }),
      stride: fc.integer({ min: 1, max: 3 }),
      pad: fc.integer({ min: 0, max: 2 }),
      f: fc.integer({ min: 1, max: maxFilters }),
    })
    .filter((g) => g.h + 2 * g.pad >= g.fh && g.w + 2 * g.pad >= g.fw);
}

/** The output's height and width. */
export const outSize = (g: Conv): { oh: number; ow: number } => ({
  oh: convOutputSize(g.h, g.fh, g.stride, g.pad),
  ow: convOutputSize(g.w, g.fw, g.stride, g.pad),
});

/** x[n, ch, iy, ix] read straight from the definition, 0 in the padding. */
export function pixel(x: Tensor, g: Conv, n: number, ch: number, iy: number, ix: number): number {
  return iy < 0 || iy >= g.h || ix < 0 || ix >= g.w ? 0 : x.data[((n * g.c + ch) * g.h + iy) * g.w + ix]!;
}

/**
 * The oracle of a convolution: y[n, f, oy, ox] = b[f] + Σ_{c, ky, kx} W[f, c, ky, kx] ·
 * x[n, c, oy·s + ky − p, ox·s + kx − p] in float64 (no b: 0), with Σ|terms| per output for the tolerance.
 */
export function directConv(x: Tensor, W: Tensor, g: Conv, b?: Tensor): { y: Float64Array; scale: Float64Array } {
  const { oh, ow } = outSize(g);
  const y = new Float64Array(g.n * g.f * oh * ow);
  const scale = new Float64Array(y.length);
  for (let n = 0; n < g.n; n++)
    for (let f = 0; f < g.f; f++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let s = b === undefined ? 0 : b.data[f]!;
          let abs = Math.abs(s);
          for (let ch = 0; ch < g.c; ch++)
            for (let ky = 0; ky < g.fh; ky++)
              for (let kx = 0; kx < g.fw; kx++) {
                const term = W.data[((f * g.c + ch) * g.fh + ky) * g.fw + kx]! * pixel(x, g, n, ch, oy * g.stride + ky - g.pad, ox * g.stride + kx - g.pad);
                s += term;
                abs += Math.abs(term);
              }
          const i = ((n * g.f + f) * oh + oy) * ow + ox;
          y[i] = s;
          scale[i] = abs;
        }
  return { y, scale };
}
