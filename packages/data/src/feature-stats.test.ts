import { tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { featureStats } from './feature-stats.js';

describe('featureStats', () => {
  it('gives the minimum, maximum and mean of all values', () => {
    expect(
      featureStats(
        tensor(
          [
            [0, 255],
            [51, 2],
          ],
          'float32',
        ),
      ),
    ).toEqual({ min: 0, max: 255, mean: 77 });
    expect(featureStats(tensor([[-0.5, 0.25]]))).toEqual({ min: -0.5, max: 0.25, mean: -0.125 });
  });

  it('refuses an empty tensor', () => {
    expect(() => featureStats(zeros([0, 784]))).toThrow(/has no values/);
  });
});
