import { DIGIT_SIDE, toMnistDigit } from '../training/digit-preprocess.js';

/** The pad's drawing surface in canvas pixels (its CSS size may differ). */
const PAD = 280;
/** Pen width in pad pixels: after scaling a full-height digit to 20 pixels, about MNIST's 2-pixel strokes. */
const PEN = 20;

/**
 * A square canvas to draw a digit on with a mouse, a pen or a finger. Ink is the canvas's alpha,
 * so it reads back as 0..255 intensities; after each stroke (and while drawing) `onDigit` gets
 * the digit as MNIST prepared them (28 × 28, 0..255), or undefined when the pad is empty.
 */
export class DigitPad {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: { x: number; y: number } | undefined;
  private frame = 0;
  /** A digit placed on the pad as it is (a misclassified one), used as is until the next stroke. */
  private exact: Float32Array | undefined;

  constructor(private readonly onDigit: (pixels: Float32Array | undefined) => void) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = PAD;
    this.canvas.height = PAD;
    this.canvas.className = 'pad';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Drawing pad: draw a digit from 0 to 9');
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (ctx === null) throw new Error('this browser has no 2D canvas');
    this.ctx = ctx;
    this.canvas.addEventListener('pointerdown', (e) => this.down(e));
    this.canvas.addEventListener('pointermove', (e) => this.move(e));
    this.canvas.addEventListener('pointerup', () => this.up());
    this.canvas.addEventListener('pointercancel', () => this.up());
  }

  clear(): void {
    this.ctx.clearRect(0, 0, PAD, PAD);
    this.exact = undefined;
    this.onDigit(undefined);
  }

  /** Shows a 28 × 28 digit (bytes 0..255) on the pad, large, and classifies exactly those pixels. */
  showDigit(pixels: ArrayLike<number>): void {
    const small = new ImageData(DIGIT_SIDE, DIGIT_SIDE);
    for (let i = 0; i < DIGIT_SIDE * DIGIT_SIDE; i++) {
      small.data[4 * i] = 17;
      small.data[4 * i + 1] = 24;
      small.data[4 * i + 2] = 39;
      small.data[4 * i + 3] = pixels[i]!;
    }
    const tile = document.createElement('canvas');
    tile.width = DIGIT_SIDE;
    tile.height = DIGIT_SIDE;
    tile.getContext('2d')?.putImageData(small, 0, 0);
    this.ctx.clearRect(0, 0, PAD, PAD);
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.drawImage(tile, 0, 0, PAD, PAD);
    this.exact = Float32Array.from({ length: DIGIT_SIDE * DIGIT_SIDE }, (_, i) => pixels[i]!);
    this.onDigit(this.exact);
  }

  /** The digit on the pad now, MNIST-style. */
  digit(): Float32Array | undefined {
    if (this.exact !== undefined) return this.exact;
    const rgba = this.ctx.getImageData(0, 0, PAD, PAD).data;
    const ink = new Uint8ClampedArray(PAD * PAD);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3]!;
    return toMnistDigit(ink, PAD, PAD);
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - box.left) / box.width) * PAD, y: ((e.clientY - box.top) / box.height) * PAD };
  }

  private down(e: PointerEvent): void {
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    if (this.exact !== undefined) {
      // A shown digit is replaced by the person's own drawing.
      this.ctx.clearRect(0, 0, PAD, PAD);
      this.exact = undefined;
    }
    this.drawing = true;
    this.last = this.point(e);
    this.stroke(this.last, this.last);
  }

  private move(e: PointerEvent): void {
    if (!this.drawing || this.last === undefined) return;
    const p = this.point(e);
    this.stroke(this.last, p);
    this.last = p;
    this.changed();
  }

  private up(): void {
    if (!this.drawing) return;
    this.drawing = false;
    this.last = undefined;
    // The finished stroke is classified at once, not on the next frame.
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.onDigit(this.digit());
  }

  private stroke(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const ctx = this.ctx;
    ctx.strokeStyle = 'rgb(17 24 39)';
    ctx.lineWidth = PEN;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  }

  /** At most one classification per frame while the pen moves. */
  private changed(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.onDigit(this.digit());
    });
  }
}
