/** MNIST's digits: 28 × 28 pixels, the digit scaled into a 20 × 20 box and centred by its centre of mass. */
export const DIGIT_SIDE = 28;
export const DIGIT_BOX = 20;
/** Ink below this (of 255) counts as paper when finding the digit's bounding box. */
const INK_THRESHOLD = 10;

/**
 * A drawing as MNIST prepared its digits (LeCun et al.): crop to the ink's bounding box, scale
 * it so its longer side is 20 pixels (keeping the aspect ratio, averaging the covered area of
 * every output pixel), then place it in a 28 × 28 frame so that its centre of mass is at the
 * centre. `ink` holds width × height values 0..255 (255 = full ink); the result is 784 values
 * 0..255 in the same convention, or undefined when nothing is drawn.
 */
export function toMnistDigit(ink: ArrayLike<number>, width: number, height: number): Float32Array | undefined {
  if (ink.length !== width * height) throw new RangeError(`toMnistDigit: ${width} × ${height} needs ${width * height} values, got ${ink.length}`);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! <= INK_THRESHOLD) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return undefined;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = DIGIT_BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));

  // Box filter, separable: first every row of the crop to tw columns, then every column to th rows.
  const rows = new Float64Array(bh * tw);
  const line = new Float64Array(Math.max(bw, bh));
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) line[x] = ink[(y0 + y) * width + x0 + x]!;
    resampleInto(line, bw, rows, y * tw, 1, tw);
  }
  const small = new Float64Array(th * tw);
  for (let x = 0; x < tw; x++) {
    for (let y = 0; y < bh; y++) line[y] = rows[y * tw + x]!;
    resampleInto(line, bh, small, x, tw, th);
  }

  // Centre of mass, with pixel i's centre at i + 0.5.
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x]!;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const cx = mass > 0 ? mx / mass : tw / 2;
  const cy = mass > 0 ? my / mass : th / 2;
  const clamp = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi);
  const ox = clamp(Math.round(DIGIT_SIDE / 2 - cx), DIGIT_SIDE - tw);
  const oy = clamp(Math.round(DIGIT_SIDE / 2 - cy), DIGIT_SIDE - th);

  const out = new Float32Array(DIGIT_SIDE * DIGIT_SIDE);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) out[(oy + y) * DIGIT_SIDE + ox + x] = Math.min(255, small[y * tw + x]!);
  }
  return out;
}

/**
 * Resamples src[0..n) to m values written at out[offset + k·stride]: output k is the mean of
 * src over [k·n/m, (k+1)·n/m), each source cell weighted by how much of it the interval covers.
 */
function resampleInto(src: Float64Array, n: number, out: Float64Array, offset: number, stride: number, m: number): void {
  const step = n / m;
  for (let k = 0; k < m; k++) {
    const a = k * step;
    const b = a + step;
    let sum = 0;
    for (let i = Math.floor(a); i < Math.min(n, Math.ceil(b)); i++) {
      const overlap = Math.min(b, i + 1) - Math.max(a, i);
      if (overlap > 0) sum += src[i]! * overlap;
    }
    out[offset + k * stride] = sum / step;
  }
}
