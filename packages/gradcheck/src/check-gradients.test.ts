import { tensor, type Tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientCheckTarget } from './check-gradients.js';

// f(w, c) = Σᵢ (wᵢ − cᵢ)² / 2 + w₀·w₁: ∂f/∂w = (w − c) + (w₁, w₀, 0, …), ∂f/∂c = −(w − c).
function quadratic(wrong?: { param: 'w' | 'c'; at: number; by: number }): GradientCheckTarget {
  const w = tensor([0.3, -1.2, 2.5, 0.01]);
  const c = tensor([1, 0.5, -0.25, 0.01]);
  return {
    params: { w, c },
    loss: () => {
      let s = w.data[0]! * w.data[1]!;
      for (let i = 0; i < w.size; i++) s += (w.data[i]! - c.data[i]!) ** 2 / 2;
      return s;
    },
    gradients: () => {
      const gw = zeros([4]);
      const gc = zeros([4]);
      for (let i = 0; i < 4; i++) {
        gw.data[i] = w.data[i]! - c.data[i]!;
        gc.data[i] = -(w.data[i]! - c.data[i]!);
      }
      gw.data[0]! += w.data[1]!;
      gw.data[1]! += w.data[0]!;
      if (wrong) (wrong.param === 'w' ? gw : gc).data[wrong.at]! += wrong.by;
      return { w: gw, c: gc };
    },
  };
}

describe('checkGradients', () => {
  it('passes a correct gradient, with entries that are zero in both counted as equal', () => {
    const report = checkGradients(quadratic());
    expect(report.ok, report.summary).toBe(true);
    expect(report.params.map((p) => p.name)).toEqual(['w', 'c']);
    for (const p of report.params) {
      expect(p.meanAbsDiff).toBeLessThan(1e-9);
      expect(p.maxRelErrorSmooth).toBeLessThan(1e-8);
    }
  });

  it('fails a wrong gradient and names the worst entry', () => {
    const report = checkGradients(quadratic({ param: 'c', at: 2, by: 1e-3 }));
    expect(report.ok).toBe(false);
    const c = report.params.find((p) => p.name === 'c')!;
    expect(c.ok).toBe(false);
    expect(c.worst?.index).toEqual([2]);
    expect(c.worst!.relError).toBeGreaterThan(1e-4);
    expect(report.params.find((p) => p.name === 'w')!.ok).toBe(true);
    expect(report.summary).toMatch(/FAIL c \[4\]/);
  });

  it('catches an error of 1e-4 relative, which the mean absolute difference would hide', () => {
    const report = checkGradients(quadratic({ param: 'w', at: 2, by: 2.75 * 1e-4 }));
    expect(report.ok).toBe(false);
  });

  describe('kinks', () => {
    // f(w) = Σⱼ relu(Σᵢ Aⱼᵢ wᵢ) with the first unit's pre-activation 2e-5 from zero: a step of
    // h = 1e-4 on w₀ or w₁ crosses it, so their central differences are off by about half the slope.
    function reluNet(): GradientCheckTarget & { pre: () => number[] } {
      const w = tensor([1e-5, 1e-5, 0.7]);
      const A = [
        [1, 1, 0],
        [0.5, -0.2, 1],
      ];
      const pre = (): number[] => A.map((row) => row.reduce((s, a, i) => s + a * w.data[i]!, 0));
      let mask: boolean[] = [];
      return {
        params: { w },
        pre,
        loss: () => {
          const a = pre();
          mask = a.map((v) => v > 0);
          return a.reduce((s, v) => s + Math.max(v, 0), 0);
        },
        gradients: () => {
          const a = pre();
          const g = zeros([3]);
          A.forEach((row, j) => {
            if (a[j]! > 0) row.forEach((v, i) => (g.data[i]! += v));
          });
          return { w: g };
        },
        kinkSignature: () => mask,
      };
    }

    it('detects and reports the entries whose step crosses a ReLU kink, and leaves them out of ok', () => {
      const target = reluNet();
      expect(target.pre()[0]).toBeCloseTo(2e-5, 12);
      const report = checkGradients(target);
      const w = report.params[0]!;
      expect(w.kinks).toBe(2);
      expect(w.kinkEntries.map((e) => e.index)).toEqual([[0], [1]]);
      expect(w.maxRelError).toBeGreaterThan(0.1);
      expect(w.maxRelErrorSmooth).toBeLessThan(1e-8);
      expect(report.ok, report.summary).toBe(true);
      expect(report.summary).toMatch(/2 kink crossings left out/);
    });

    it('without a kink signature the same crossings fail the check', () => {
      const { kinkSignature: _, ...target } = reluNet();
      const report = checkGradients(target);
      expect(report.ok).toBe(false);
      expect(report.params[0]!.kinks).toBe(0);
    });
  });

  it('refuses float32 parameters, missing gradients and shape mismatches with the name', () => {
    const p = { w: tensor([1, 2], 'float32') };
    expect(() => checkGradients({ params: p, loss: () => 0, gradients: () => ({ w: zeros([2]) }) })).toThrow(/"w".*float32/);
    const q = { w: tensor([1, 2]) };
    expect(() => checkGradients({ params: q, loss: () => 0, gradients: () => ({}) })).toThrow(/no "w"/);
    expect(() => checkGradients({ params: q, loss: () => 0, gradients: () => ({ w: zeros([3]) }) })).toThrow(/\[3\].*\[2\]/);
  });

  it('treats a NaN gradient as a failure', () => {
    const w = tensor([1, 2]);
    const nan: Tensor = tensor([NaN, 4]);
    const report = checkGradients({ params: { w }, loss: () => w.data[0]! ** 2 + w.data[1]! ** 2, gradients: () => ({ w: nan }) });
    expect(report.ok).toBe(false);
  });
});

describe('truncation error', () => {
  // f(w) = w³/6: f' = w²/2 and f''' = 1, so the central difference is off by exactly h²/6 ≈ 1.7e-9.
  // At w = 1e-3 the gradient is 5e-7, below the floor: relative error 1.7e-9 / 1e-5 = 1.7e-4.
  const cubic = (): GradientCheckTarget => {
    const w = tensor([1e-3]);
    return { params: { w }, loss: () => w.data[0]! ** 3 / 6, gradients: () => ({ w: tensor([w.data[0]! ** 2 / 2]) }) };
  };

  it('is removed by Richardson extrapolation before a correct gradient is called wrong', () => {
    const report = checkGradients(cubic());
    const w = report.params[0]!;
    expect(w.refined).toBe(1);
    expect(w.maxRelErrorSmooth).toBeLessThan(1e-9);
    expect(report.ok, report.summary).toBe(true);
    // The book's mean |diff| still reports the plain central difference.
    expect(w.meanAbsDiff).toBeCloseTo(1e-8 / 6, 12);
    expect(report.summary).toMatch(/1 entry checked by Richardson extrapolation/);
  });

  it('does not rescue a wrong gradient', () => {
    const t = cubic();
    const wrong = { ...t, gradients: () => ({ w: tensor([1e-3 ** 2 / 2 + 1e-9]) }) };
    const report = checkGradients(wrong);
    expect(report.params[0]!.refined).toBe(0);
    expect(report.ok).toBe(false);
  });
});
