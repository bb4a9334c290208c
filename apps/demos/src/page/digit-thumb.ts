import { DIGIT_SIDE } from '../training/digit-preprocess.js';

/** A 28 × 28 canvas showing a digit (bytes 0..255, 255 = ink) as dark ink on paper; CSS sets its size. */
export function digitThumb(pixels: ArrayLike<number>, className = 'thumb'): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = DIGIT_SIDE;
  canvas.height = DIGIT_SIDE;
  canvas.className = className;
  paintDigit(canvas, pixels);
  return canvas;
}

/** Paints a digit onto a 28 × 28 canvas; an empty digit leaves it blank. */
export function paintDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number> | undefined): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const image = ctx.createImageData(DIGIT_SIDE, DIGIT_SIDE);
  for (let i = 0; i < DIGIT_SIDE * DIGIT_SIDE; i++) {
    image.data[4 * i] = 17;
    image.data[4 * i + 1] = 24;
    image.data[4 * i + 2] = 39;
    image.data[4 * i + 3] = pixels === undefined ? 0 : Math.round(pixels[i]!);
  }
  ctx.putImageData(image, 0, 0);
}
