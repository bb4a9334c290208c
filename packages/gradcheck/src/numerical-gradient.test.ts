import { tensor, Tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { numericalGradient } from './numerical-gradient.js';

// 4.4's function_2: f(x0, x1) = x0² + x1².
const function2 = (x: Tensor): number => x.data[0]! ** 2 + x.data[1]! ** 2;

describe('numericalGradient', () => {
  it('reproduces the book (4.4): ∇f at (3, 4), (0, 2), (3, 0) is (6, 8), (0, 4), (6, 0)', () => {
    const cases: [number[], number[]][] = [
      [
        [3, 4],
        [6, 8],
      ],
      [
        [0, 2],
        [0, 4],
      ],
      [
        [3, 0],
        [6, 0],
      ],
    ];
    for (const [at, want] of cases) {
      const g = numericalGradient(function2, tensor(at));
      expect(g.data[0]).toBeCloseTo(want[0]!, 8);
      expect(g.data[1]).toBeCloseTo(want[1]!, 8);
    }
  });

  it('matches the analytic gradient of a cubic on a matrix and restores x exactly', () => {
    const x = tensor([
      [0.5, -1.25, 2],
      [3, 0.1, -0.7],
    ]);
    const before = Array.from(x.data);
    // f = Σ x³ / 3, so ∂f/∂x = x²; the central difference is exact for quadratics and off by h²/3 for cubics.
    const g = numericalGradient((t) => Array.from(t.data).reduce((s, v) => s + v ** 3 / 3, 0), x);
    g.data.forEach((v, i) => expect(v).toBeCloseTo(before[i]! ** 2, 7));
    expect(Array.from(x.data)).toEqual(before);
    expect(g.shape).toEqual([2, 3]);
  });

  it('uses the step it is given', () => {
    // For f = |x| at 0 the central difference is 0 whatever h; at x = 0.05 with h = 0.1 it straddles the kink: (0.15 − 0.05)/0.2 = 0.5.
    const f = (t: Tensor): number => Math.abs(t.data[0]!);
    expect(numericalGradient(f, tensor([0.05]), { h: 0.1 }).data[0]).toBeCloseTo(0.5, 12);
    expect(numericalGradient(f, tensor([0.05])).data[0]).toBeCloseTo(1, 12);
  });

  it('refuses float32, where a step of 1e-4 loses most digits', () => {
    expect(() => numericalGradient(function2, new Tensor(new Float32Array([3, 4])))).toThrow(/float32.*float64/);
  });
});
