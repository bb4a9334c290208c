import './ch7.css';
import { h } from '../page/dom.js';

/** Ink of the page's digits: rgb(17 24 39). */
const INK = [17, 24, 39] as const;

/** A grid of `count` small canvases of side × side pixels; CSS sizes them, pixelated. */
export class TileGrid {
  readonly element: HTMLElement;
  private readonly tiles: HTMLCanvasElement[];

  constructor(
    count: number,
    private readonly side: number,
    label: string,
    attrs: Record<string, string> = {},
  ) {
    this.tiles = Array.from({ length: count }, (_, i) => {
      const c = h('canvas', { class: 'tile', width: side, height: side, 'data-tile': i });
      return c;
    });
    this.element = h('div', { class: `tile-grid tile-grid-${side}`, role: 'img', 'aria-label': label, ...attrs }, ...this.tiles);
  }

  /**
   * Paints tile k from values[k·side² ...] as grey levels: `lo` white, `hi` black (the book's
   * gray_r), each tile on its own range (`perTile`) or all on one.
   */
  paint(values: ArrayLike<number>, perTile: boolean): void {
    const n = this.side * this.side;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    if (!perTile) for (let i = 0; i < values.length; i++) [lo, hi] = [Math.min(lo, values[i]!), Math.max(hi, values[i]!)];
    this.tiles.forEach((canvas, k) => {
      if (perTile) {
        lo = Number.POSITIVE_INFINITY;
        hi = Number.NEGATIVE_INFINITY;
        for (let i = k * n; i < (k + 1) * n; i++) [lo, hi] = [Math.min(lo, values[i]!), Math.max(hi, values[i]!)];
      }
      const range = hi > lo ? hi - lo : 1;
      const ctx = canvas.getContext('2d');
      if (ctx === null) return;
      const image = ctx.createImageData(this.side, this.side);
      for (let i = 0; i < n; i++) {
        const t = (values[k * n + i]! - lo) / range;
        image.data[4 * i] = INK[0];
        image.data[4 * i + 1] = INK[1];
        image.data[4 * i + 2] = INK[2];
        image.data[4 * i + 3] = Math.round(255 * Math.min(1, Math.max(0, t)));
      }
      ctx.putImageData(image, 0, 0);
    });
  }
}

/** The largest |value|. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

/**
 * Paints a signed map (the saliency of 28 × 28 pixels) on a canvas of its size: red where the
 * value is positive, blue where negative, white at 0, each colour at full strength at the
 * largest |value|. A √ scale lifts the small values, so the shape of the map shows.
 */
export function paintSigned(canvas: HTMLCanvasElement, values: ArrayLike<number>): number {
  const ctx = canvas.getContext('2d');
  const m = maxAbs(values);
  if (ctx === null) return m;
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < canvas.width * canvas.height; i++) {
    const v = m > 0 ? values[i]! / m : 0;
    const t = Math.sqrt(Math.abs(v));
    // red (185, 28, 28) for +, blue (29, 78, 216) for −, blended with white by t
    const [r, g, b] = v >= 0 ? [185, 28, 28] : [29, 78, 216];
    image.data[4 * i] = Math.round(255 + (r - 255) * t);
    image.data[4 * i + 1] = Math.round(255 + (g - 255) * t);
    image.data[4 * i + 2] = Math.round(255 + (b - 255) * t);
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return m;
}

/** Clears a canvas to white. */
export function blank(canvas: HTMLCanvasElement): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
}
