import { Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { builtinLayers } from './builtin-layers.js';
import type { LayerDef, LayerSpec, OnnxAttribute, OnnxLayerContext } from './layer.js';

// What each built-in's onnx(layer, ctx) adds to a graph, recorded by a stand-in for the builder
// of @dlfs/onnx (which runs the exported models in ONNX Runtime against these layers' forward).

interface Recorded {
  nodes: { opType: string; inputs: readonly string[]; attributes: Readonly<Record<string, OnnxAttribute>> }[];
  constants: Record<string, { data: number[]; shape: readonly number[]; dtype: string }>;
  output: string;
}

function mapped(spec: LayerSpec, inputShape: readonly number[]): Recorded {
  const registry = builtinLayers();
  const def = registry.get(spec.type) as LayerDef;
  const layer = registry.create(spec, { rng: new Rng(1), inputShape, dtype: 'float32' });
  const { type: _type, ...config } = spec;
  const recorded: Recorded = { nodes: [], constants: {}, output: '' };
  const ctx: OnnxLayerContext = {
    input: 'x',
    inputShape,
    outputShape: layer.outputShape,
    config,
    opset: 13,
    node(opType, inputs, attributes = {}) {
      recorded.nodes.push({ opType, inputs, attributes });
      return `${opType}:${recorded.nodes.length}`;
    },
    constant(name, data, shape, dtype = 'float32') {
      recorded.constants[name] = { data: Array.from(data), shape, dtype };
      return name;
    },
  };
  expect(typeof def.onnx, spec.type).toBe('function');
  recorded.output = def.onnx!(layer, ctx);
  // Params and state go in as they are, in their own shapes.
  for (const [key, t] of Object.entries({ ...layer.params, ...layer.state })) {
    expect(recorded.constants[key]?.shape, `${spec.type}.${key}`).toEqual(t.shape);
    expect(recorded.constants[key]?.data, `${spec.type}.${key}`).toEqual(Array.from(t.data));
  }
  return recorded;
}

const ops = (r: Recorded) => r.nodes.map((n) => n.opType);

describe("each built-in layer's ONNX mapping", () => {
  it('every built-in has one', () => {
    for (const def of builtinLayers().defs() as LayerDef[]) expect(typeof def.onnx, def.type).toBe('function');
  });

  it('affine: Gemm(x, W, b); an N-D sample is flattened first', () => {
    const flat = mapped({ type: 'affine', units: 3 }, [4]);
    expect(ops(flat)).toEqual(['Gemm']);
    expect(flat.nodes[0]!.inputs).toEqual(['x', 'W', 'b']);
    const image = mapped({ type: 'affine', units: 3 }, [2, 2, 2]);
    expect(ops(image)).toEqual(['Flatten', 'Gemm']);
    expect(image.nodes[0]!.attributes).toEqual({ axis: 1 });
    expect(image.nodes[1]!.inputs[0]).toBe('Flatten:1');
    expect(image.output).toBe('Gemm:2');
  });

  it('relu and sigmoid: Relu and Sigmoid', () => {
    expect(ops(mapped({ type: 'relu' }, [4]))).toEqual(['Relu']);
    expect(ops(mapped({ type: 'sigmoid' }, [4]))).toEqual(['Sigmoid']);
  });

  it("conv2d: Conv with the filters' size, the stride and the padding on every side", () => {
    const r = mapped({ type: 'conv2d', filters: 2, size: 3, stride: 2, pad: 1 }, [1, 5, 5]);
    expect(ops(r)).toEqual(['Conv']);
    expect(r.nodes[0]!.inputs).toEqual(['x', 'W', 'b']);
    expect(r.nodes[0]!.attributes).toEqual({ kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  });

  it('max-pool: MaxPool with the window and the stride (the size when not given)', () => {
    expect(mapped({ type: 'max-pool', size: 2 }, [1, 4, 4]).nodes[0]).toEqual({
      opType: 'MaxPool',
      inputs: ['x'],
      attributes: { kernel_shape: [2, 2], strides: [2, 2] },
    });
    expect(mapped({ type: 'max-pool', size: 3, stride: 1 }, [1, 4, 4]).nodes[0]!.attributes).toEqual({ kernel_shape: [3, 3], strides: [1, 1] });
  });

  it("batch-norm: BatchNormalization with the running statistics and the book's ε = 1e-6 as a FLOAT", () => {
    const r = mapped({ type: 'batch-norm' }, [3, 2, 2]);
    expect(r.nodes).toEqual([
      { opType: 'BatchNormalization', inputs: ['x', 'gamma', 'beta', 'runningMean', 'runningVar'], attributes: { epsilon: { float: 1e-6 } } },
    ]);
  });

  it('dropout: Mul by 1 − ratio, the evaluation pass of the non-inverted dropout', () => {
    const r = mapped({ type: 'dropout', ratio: 0.25 }, [4]);
    expect(r.nodes).toEqual([{ opType: 'Mul', inputs: ['x', 'keep'], attributes: {} }]);
    expect(r.constants.keep).toEqual({ data: [0.75], shape: [], dtype: 'float32' });
  });
});
