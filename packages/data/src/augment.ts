import type { Rng, Tensor } from '@dlfs/tensor';

/** How much each training image may move: whole pixels of shift each way, and degrees of rotation each way. */
export interface AugmentOptions {
  shift: number;
  rotate: number;
}

/**
 * Random shifts and small rotations of image batches (data augmentation), drawn from a seeded
 * Rng: for each image, a shift dx, dy in whole pixels from −shift..shift and an angle from
 * −rotate..rotate degrees about the image's centre; the image is resampled bilinearly, with 0
 * where the moved image leaves the frame. Meant for training batches only: evaluation and
 * prediction see the images as they are. Works in place on a batch [N, C·H·W] or [N, C, H, W];
 * allocates nothing after construction.
 */
export class ImageAugmenter {
  readonly options: Readonly<AugmentOptions>;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** One image, copied before it is resampled into its own place. */
  private readonly source: Float64Array;

  constructor(options: AugmentOptions, imageShape: readonly number[]) {
    const { shift, rotate } = options;
    if (!(Number.isSafeInteger(shift) && shift >= 0)) throw new RangeError(`ImageAugmenter: shift must be a whole number of pixels >= 0, got ${String(shift)}`);
    if (!(Number.isFinite(rotate) && rotate >= 0 && rotate <= 180))
      throw new RangeError(`ImageAugmenter: rotate must be degrees in [0, 180], got ${String(rotate)}`);
    if (imageShape.length !== 3 || !imageShape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
      throw new RangeError(
        `ImageAugmenter: images need a shape [channels, height, width] (a spec's inputShape such as [1, 28, 28]), got [${imageShape.join(', ')}]`,
      );
    }
    this.options = Object.freeze({ shift, rotate });
    [this.channels, this.height, this.width] = imageShape as [number, number, number];
    this.source = new Float64Array(this.channels * this.height * this.width);
  }

  /** Moves every image of `batch` (in place) by its own random shift and rotation from `rng`. */
  apply(batch: Tensor, rng: Rng): void {
    const { channels: C, height: H, width: W, source } = this;
    const size = C * H * W;
    const rows = batch.shape[0] ?? 0;
    if (batch.size !== rows * size) {
      throw new RangeError(`ImageAugmenter.apply: a batch of ${rows} images of [${C}, ${H}, ${W}] has ${rows * size} values, got ${batch.size}`);
    }
    const { shift, rotate } = this.options;
    const X = batch.data;
    const cy = (H - 1) / 2;
    const cx = (W - 1) / 2;
    for (let n = 0; n < rows; n++) {
      // The draws for one image, in a fixed order: dx, dy, then the angle.
      const dx = shift === 0 ? 0 : rng.int(2 * shift + 1) - shift;
      const dy = shift === 0 ? 0 : rng.int(2 * shift + 1) - shift;
      const angle = rotate === 0 ? 0 : ((2 * rng.uniform() - 1) * rotate * Math.PI) / 180;
      if (dx === 0 && dy === 0 && angle === 0) continue;
      const base = n * size;
      for (let i = 0; i < size; i++) source[i] = X[base + i]!;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          // The output pixel (x, y) comes from the input point that the shift and rotation move
          // onto it: undo the shift, then rotate back by the angle about the centre.
          const ux = x - dx - cx;
          const uy = y - dy - cy;
          const sx = cos * ux + sin * uy + cx;
          const sy = -sin * ux + cos * uy + cy;
          const x0 = Math.floor(sx);
          const y0 = Math.floor(sy);
          const fx = sx - x0;
          const fy = sy - y0;
          for (let c = 0; c < C; c++) {
            const plane = c * H * W;
            // Bilinear between the four neighbours, 0 outside the frame.
            const at = (yy: number, xx: number): number => (yy >= 0 && yy < H && xx >= 0 && xx < W ? source[plane + yy * W + xx]! : 0);
            const v = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
            X[base + plane + y * W + x] = v;
          }
        }
      }
    }
  }
}

/**
 * Reads "shift=2,rotate=10" (either part may be left out: shift=0, rotate=0). An unknown key or a
 * bad number is a RangeError naming it.
 */
export function parseAugment(text: string): AugmentOptions {
  const out: AugmentOptions = { shift: 0, rotate: 0 };
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^(shift|rotate)\s*=\s*(.+)$/.exec(part);
    if (m === null) throw new RangeError(`"${part}" is not shift=N or rotate=DEGREES; write for example shift=2,rotate=10`);
    const value = Number(m[2]);
    if (m[1] === 'shift') {
      if (!(Number.isSafeInteger(value) && value >= 0 && value <= 64))
        throw new RangeError(`shift must be a whole number of pixels from 0 to 64, got "${m[2]}"`);
      out.shift = value;
    } else {
      if (!(Number.isFinite(value) && value >= 0 && value <= 180)) throw new RangeError(`rotate must be degrees from 0 to 180, got "${m[2]}"`);
      out.rotate = value;
    }
  }
  return out;
}
