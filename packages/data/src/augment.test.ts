import { Rng, Tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { ImageAugmenter, parseAugment } from './augment.js';

/** A batch of `n` images [1, H, W] with distinct values, as float32 rows. */
function images(n: number, h: number, w: number): Tensor {
  return new Tensor(
    Float32Array.from({ length: n * h * w }, (_, i) => (i % (h * w)) + 1 + 100 * Math.floor(i / (h * w))),
    [n, h * w],
  );
}

describe('ImageAugmenter', () => {
  it('shifts each image by whole pixels drawn from the rng, filling with 0 (rotate 0)', () => {
    const [n, h, w] = [4, 5, 6];
    const before = images(n, h, w);
    const batch = new Tensor(before.data.slice(), before.shape);
    new ImageAugmenter({ shift: 2, rotate: 0 }, [1, h, w]).apply(batch, new Rng(7));
    // The oracle: the same draws from a twin rng, the shift done by indexing.
    const twin = new Rng(7);
    for (let k = 0; k < n; k++) {
      const dx = twin.int(5) - 2;
      const dy = twin.int(5) - 2;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const sy = y - dy;
          const sx = x - dx;
          const want = sy >= 0 && sy < h && sx >= 0 && sx < w ? before.data[k * h * w + sy * w + sx]! : 0;
          expect(batch.data[k * h * w + y * w + x], `image ${k} (${x}, ${y}) shift (${dx}, ${dy})`).toBeCloseTo(want, 5);
        }
      }
    }
  });

  it('rotates about the centre: 90° carries the top row to the right column', () => {
    // A 3×3 image with its top row lit; rotate is drawn in [−90, 90], so find a seed that draws near +90.
    const aug = new ImageAugmenter({ shift: 0, rotate: 90 }, [1, 3, 3]);
    let found = false;
    for (let seed = 0; seed < 20_000 && !found; seed++) {
      const probe = new Rng(seed);
      const angle = (2 * probe.uniform() - 1) * 90;
      if (angle < 89.5) continue;
      const img = new Tensor(Float32Array.from([1, 1, 1, 0, 0, 0, 0, 0, 0]), [1, 9]);
      aug.apply(img, new Rng(seed));
      // y grows downwards: a positive angle turns the top row onto the right column.
      expect(Array.from(img.data, (v) => Math.round(v))).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1]);
      found = true;
    }
    expect(found).toBe(true);
  });

  it('leaves images alone with shift 0 and rotate 0, and is the same for the same seed', () => {
    const a = images(3, 4, 4);
    const copy = a.data.slice();
    new ImageAugmenter({ shift: 0, rotate: 0 }, [1, 4, 4]).apply(a, new Rng(1));
    expect(a.data).toEqual(copy);
    const b1 = images(3, 4, 4);
    const b2 = images(3, 4, 4);
    const aug = new ImageAugmenter({ shift: 1, rotate: 15 }, [1, 4, 4]);
    aug.apply(b1, new Rng(9));
    aug.apply(b2, new Rng(9));
    expect(b1.data).toEqual(b2.data);
  });

  it('refuses a shape that is not an image and a batch of the wrong size', () => {
    expect(() => new ImageAugmenter({ shift: 1, rotate: 0 }, [784])).toThrow(/shape \[channels, height, width\]/);
    expect(() => new ImageAugmenter({ shift: 1, rotate: 0 }, [1, 2, 2]).apply(images(2, 3, 3), new Rng(1))).toThrow(/has 8 values, got 18/);
    expect(() => new ImageAugmenter({ shift: -1, rotate: 0 }, [1, 2, 2])).toThrow(/shift must be a whole number/);
  });
});

describe('parseAugment', () => {
  it('reads shift and rotate, each optional', () => {
    expect(parseAugment('shift=2,rotate=10')).toEqual({ shift: 2, rotate: 10 });
    expect(parseAugment('rotate=7.5')).toEqual({ shift: 0, rotate: 7.5 });
    expect(parseAugment(' shift = 1 ')).toEqual({ shift: 1, rotate: 0 });
  });

  it('names what it cannot read', () => {
    expect(() => parseAugment('scale=2')).toThrow('"scale=2" is not shift=N or rotate=DEGREES; write for example shift=2,rotate=10');
    expect(() => parseAugment('shift=1.5')).toThrow(/shift must be a whole number of pixels from 0 to 64, got "1.5"/);
    expect(() => parseAugment('rotate=400')).toThrow(/rotate must be degrees from 0 to 180/);
  });
});
