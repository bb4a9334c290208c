import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { IdentityScaler } from './identity-scaler.js';

describe('IdentityScaler', () => {
  it('copies x unchanged into a new tensor or into out', () => {
    const x = tensor([
      [1, 255],
      [-3, 0.5],
    ]);
    const s = new IdentityScaler().fit(x);
    const y = s.transform(x);
    expect(y).not.toBe(x);
    expect(y.toArray()).toEqual([
      [1, 255],
      [-3, 0.5],
    ]);
    const out = tensor(
      [
        [0, 0],
        [0, 0],
      ],
      'float32',
    );
    expect(s.transform(x, out)).toBe(out);
    expect(out.toArray()).toEqual([
      [1, 255],
      [-3, 0.5],
    ]);
    expect(s.transform(x, x)).toBe(x);
    expect(s.toJSON()).toEqual({ type: 'none' });
  });
});
