import type { Layer, LayerDef } from '@dlfs/layers';
import { reuse, type Tensor } from '@dlfs/tensor';

/** Tanh takes no config. */
export type TanhConfig = Record<string, never>;

/**
 * tanh as a layer, for the histograms of 6.2.2: @dlfs/layers has Sigmoid and ReLU but no tanh,
 * so this page registers its own LayerDef (the plugin contract of @dlfs/layers) in a registry of
 * its own. y = tanh(x); ∂y/∂x = 1 − y², so forward keeps y, as Sigmoid does.
 */
export const tanh: LayerDef<TanhConfig> = {
  type: 'tanh',
  description: 'Hyperbolic tangent: y = tanh(x) element-wise; keeps the input shape.',
  configFields: {},
  capabilities: {},
  validate(config: unknown): TanhConfig {
    if (config !== undefined && (typeof config !== 'object' || config === null || Object.keys(config).length > 0)) throw new Error('tanh: takes no config');
    return {};
  },
  create(_config, { inputShape }): Layer {
    let out: Tensor | undefined;
    let dx: Tensor | undefined;
    return {
      params: {},
      grads: {},
      outputShape: [...inputShape],
      forward(x) {
        out = reuse(out, x.shape, x.dtype);
        for (let i = 0; i < x.size; i++) out.data[i] = Math.tanh(x.data[i]!);
        return out;
      },
      backward(dout) {
        if (out === undefined) throw new Error('tanh: backward was called before forward');
        dx = reuse(dx, dout.shape, dout.dtype);
        for (let i = 0; i < dout.size; i++) {
          const y = out.data[i]!;
          dx.data[i] = dout.data[i]! * (1 - y * y);
        }
        return dx;
      },
    };
  },
  shapes: (_config, inputShape) => ({ outputShape: [...inputShape], params: {} }),
};
