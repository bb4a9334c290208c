// A test-only layer with running statistics, as batch-norm has (6.3), for the conformance
// kit's tests: not a built-in.
import type { ForwardContext, Layer, LayerDef } from '@dlfs/core';
import { Tensor } from '@dlfs/tensor';

/**
 * Centring per feature with a learnt shift b. Training: μ = mean of x over the batch,
 * y = x − μ + b, so dx = dout − mean(dout) over the batch and db = Σ dout; the running mean
 * becomes m·running + (1 − m)·μ when ctx.updateState allows. Evaluation: y = x − running + b,
 * dx = dout. With `flaw: 'always-updates'` it updates the running mean on every training pass.
 */
export function runningMean(flaw?: 'always-updates'): LayerDef<{ momentum: number }> {
  return {
    type: 'running-mean',
    capabilities: { stateful: true },
    create({ momentum }, { inputShape }): Layer {
      const features = inputShape.reduce((a, c) => a * c, 1);
      const b = new Tensor(
        Float64Array.from({ length: features }, (_, j) => 0.1 * (j + 1)),
        [features],
      );
      const db = new Tensor(new Float64Array(features), [features]);
      // Not zero, so that evaluation differs from training.
      const running = new Tensor(
        Float64Array.from({ length: features }, (_, j) => 0.05 * j - 0.1),
        [features],
      );
      let train = false;
      return {
        params: { b },
        grads: { b: db },
        state: { runningMean: running },
        outputShape: [...inputShape],
        forward(x, ctx?: ForwardContext) {
          train = ctx?.train ?? false;
          const rows = x.shape[0]!;
          const y = new Tensor(new Float64Array(x.size), x.shape);
          const mu = new Float64Array(features);
          for (let i = 0; i < x.size; i++) mu[i % features] = mu[i % features]! + x.data[i]! / rows;
          const centre = train ? mu : running.data;
          for (let i = 0; i < x.size; i++) y.data[i] = x.data[i]! - centre[i % features]! + b.data[i % features]!;
          if (train && (flaw === 'always-updates' || (ctx?.updateState ?? true))) {
            for (let j = 0; j < features; j++) running.data[j] = momentum * running.data[j]! + (1 - momentum) * mu[j]!;
          }
          return y;
        },
        backward(dout) {
          const rows = dout.shape[0]!;
          const meanDout = new Float64Array(features);
          db.data.fill(0);
          for (let i = 0; i < dout.size; i++) {
            meanDout[i % features] = meanDout[i % features]! + dout.data[i]! / rows;
            db.data[i % features] = db.data[i % features]! + dout.data[i]!;
          }
          const dx = new Tensor(new Float64Array(dout.size), dout.shape);
          for (let i = 0; i < dout.size; i++) dx.data[i] = dout.data[i]! - (train ? meanDout[i % features]! : 0);
          return dx;
        },
      };
    },
  };
}
