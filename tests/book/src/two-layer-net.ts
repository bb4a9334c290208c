import type { GradientCheckTarget } from '@dlfs/gradcheck';
import { type Affine, builtinLayers, type Layer, type LayerSpec, type Relu } from '@dlfs/layers';
import { SoftmaxWithLoss } from '@dlfs/losses';
import { Rng, type Tensor } from '@dlfs/tensor';

/**
 * The book's TwoLayerNet (5.7.2), assembled from registered layers: Affine1 → Relu1 → Affine2,
 * then SoftmaxWithLoss, with W ~ 0.01 · N(0, 1) and b = 0, in float64.
 */
export function twoLayerNet(x: Tensor, t: Int32Array, { hidden = 50, classes = 10, seed = 0 } = {}): GradientCheckTarget {
  const registry = builtinLayers();
  const rng = new Rng(seed);
  const specs: LayerSpec[] = [
    { type: 'affine', units: hidden, weightInitStd: 0.01 },
    { type: 'relu' },
    { type: 'affine', units: classes, weightInitStd: 0.01 },
  ];
  let inputShape: readonly number[] = x.shape.slice(1);
  const layers: Layer[] = specs.map((spec) => {
    const layer = registry.create(spec, { rng, inputShape, dtype: 'float64' });
    inputShape = layer.outputShape;
    return layer;
  });
  const [affine1, relu1, affine2] = layers as [Affine, Relu, Affine];
  const lastLayer = new SoftmaxWithLoss();
  const loss = (): number =>
    lastLayer.forward(
      layers.reduce((h, layer) => layer.forward(h), x),
      t,
    );
  return {
    params: { W1: affine1.params.W, b1: affine1.params.b, W2: affine2.params.W, b2: affine2.params.b },
    loss,
    gradients: () => {
      loss();
      let dout = lastLayer.backward(1);
      for (let i = layers.length - 1; i >= 0; i--) dout = layers[i]!.backward(dout);
      return { W1: affine1.grads.W.clone(), b1: affine1.grads.b.clone(), W2: affine2.grads.W.clone(), b2: affine2.grads.b.clone() };
    },
    kinkSignature: () => relu1.kinkSignature(),
  };
}
