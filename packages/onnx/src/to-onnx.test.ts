import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@dlfs/core';
import { builtinLayers, type Layer, type LayerDef } from '@dlfs/layers';
import type { NetworkSpec } from '@dlfs/model';
import { type Tensor, zeros } from '@dlfs/tensor';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { dlfsPredict, maxDifference, RUNTIMES, rawRows, runOnnx, savedModel } from './test-support/index.js';
import { OnnxExportError } from './onnx-export-error.js';
import { ONNX_IR_VERSION, ONNX_OPSET, toOnnx } from './to-onnx.js';
import { DLFS_ONNX_VERSION } from './version.js';

const { onnx } = onnxProto;

const DIGITS = Array.from({ length: 10 }, (_, k) => k);
const simpleConvnet: NetworkSpec = {
  inputShape: [1, 28, 28],
  layers: [
    { type: 'conv2d', filters: 30, size: 5, stride: 1, pad: 0, weightInitStd: 0.01 },
    { type: 'relu' },
    { type: 'max-pool', size: 2, stride: 2 },
    { type: 'batch-norm' },
    { type: 'affine', units: 100, weightInitStd: 0.01 },
    { type: 'relu' },
    { type: 'dropout', ratio: 0.5 },
    { type: 'affine', units: 10, weightInitStd: 0.01 },
  ],
  loss: 'softmax-with-loss',
};
const convnet = () => savedModel(simpleConvnet, { features: 784, classes: DIGITS, scaler: { type: '255' }, seed: 1 });

/** The operators of the default domain (ai.onnx) up to opset 13 that an export may use. */
const STANDARD_OPS = new Set(['Add', 'ArgMax', 'BatchNormalization', 'Conv', 'Div', 'Flatten', 'Gemm', 'MaxPool', 'Mul', 'Relu', 'Reshape', 'Sigmoid']);
STANDARD_OPS.add('Softmax').add('Sub').add('Tanh');

describe('the ONNX model', () => {
  const bytes = toOnnx(convnet());
  // The decoded model as plain JSON: int64 fields as numbers, every repeated field an array.
  const model = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, arrays: true });
  const graph = model.graph;

  it('is IR version 7 with opset 13 of the default domain, produced by dlfs', () => {
    expect(model.irVersion).toBe(ONNX_IR_VERSION);
    expect(model.opsetImport).toEqual([{ domain: '', version: ONNX_OPSET }]);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(13);
    expect(model.producerName).toBe('dlfs');
    expect(model.producerVersion).toBe(DLFS_ONNX_VERSION);
  });

  it('takes the raw features [N, 784] in float32 and gives probabilities [N, 10] (float32) and label [N] (int64)', () => {
    const dims = (v: any) => v.type.tensorType.shape.dim.map((d: any) => d.dimParam ?? d.dimValue);
    const elem = (v: any) => v.type.tensorType.elemType;
    expect(graph.input.map((v: any) => [v.name, elem(v), dims(v)])).toEqual([['features', onnx.TensorProto.DataType.FLOAT, ['N', 784]]]);
    expect(graph.output.map((v: any) => [v.name, elem(v), dims(v)])).toEqual([
      ['probabilities', onnx.TensorProto.DataType.FLOAT, ['N', 10]],
      ['label', onnx.TensorProto.DataType.INT64, ['N']],
    ]);
  });

  it('holds the classes, the feature names, the label column, the scaler and the version in its metadata', () => {
    const metadata = Object.fromEntries(model.metadataProps.map((p: any) => [p.key, p.value]));
    expect(JSON.parse(metadata.classes!)).toEqual(DIGITS);
    expect(JSON.parse(metadata.featureNames!)).toEqual(Array.from({ length: 784 }, (_, j) => `pixel${j}`));
    expect(JSON.parse(metadata.label!)).toBe('label');
    expect(metadata.scaler).toBe('255');
    expect(metadata.dlfsVersion).toBe(DLFS_ONNX_VERSION);
  });

  it('is well formed: standard operators only, every name unique, every input defined before it is read, every initializer used', () => {
    const defined = new Set<string>(graph.input.map((v: any) => v.name));
    for (const init of graph.initializer) {
      expect(defined.has(init.name), `initializer ${init.name} is unique`).toBe(false);
      defined.add(init.name);
      const size = init.dims.reduce((a: number, d: number) => a * d, 1);
      expect(init.rawData.length, `${init.name} holds its shape's values`).toBe(size * (init.dataType === onnx.TensorProto.DataType.INT64 ? 8 : 4));
    }
    const used = new Set<string>();
    for (const node of graph.node) {
      expect(node.domain).toBeUndefined();
      expect(STANDARD_OPS.has(node.opType), `${node.opType} is a standard operator`).toBe(true);
      for (const input of node.input) {
        expect(defined.has(input), `${node.name} reads ${input}, defined before`).toBe(true);
        used.add(input);
      }
      for (const output of node.output) {
        expect(defined.has(output), `${output} is written once`).toBe(false);
        defined.add(output);
      }
    }
    for (const output of graph.output) expect(defined.has(output.name)).toBe(true);
    expect(graph.initializer.filter((i: any) => !used.has(i.name)).map((i: any) => i.name)).toEqual([]);
  });

  it('maps the layers to the operators of the table in the README', () => {
    expect(graph.node.map((n: any) => n.opType)).toEqual([
      'Div',
      'Reshape',
      'Conv',
      'Relu',
      'MaxPool',
      'BatchNormalization',
      'Flatten',
      'Gemm',
      'Relu',
      'Mul',
      'Gemm',
      'Softmax',
      'ArgMax',
    ]);
  });

  it('is the same bytes for the same model, and for the model read again from its file', () => {
    expect(toOnnx(convnet())).toEqual(bytes);
    expect(Buffer.from(toOnnx(convnet())).equals(Buffer.from(bytes))).toBe(true);
  });

  it('records the producer version it is given', () => {
    const other = onnx.ModelProto.decode(toOnnx(convnet(), { producerVersion: '9.9.9' }));
    expect(other.producerVersion).toBe('9.9.9');
    expect(other.metadataProps.find((p) => p.key === 'dlfsVersion')?.value).toBe('9.9.9');
  });
});

/** A plugin layer: y = tanh(x), with or without an ONNX mapping. */
function tanhDef(withOnnx: boolean): LayerDef<Record<string, never>> {
  const def: LayerDef<Record<string, never>> = {
    type: 'tanh',
    config: defineConfig<Record<string, never>>('tanh', {}, { kind: 'layer', example: '{}' }),
    create(_config, { inputShape }): Layer {
      let y: Tensor | undefined;
      return {
        params: {},
        grads: {},
        outputShape: [...inputShape],
        forward(x) {
          y = zeros(x.shape, x.dtype);
          for (let i = 0; i < x.size; i++) y.data[i] = Math.tanh(x.data[i]!);
          return y;
        },
        backward(dout) {
          const dx = zeros(dout.shape, dout.dtype);
          for (let i = 0; i < dout.size; i++) dx.data[i] = dout.data[i]! * (1 - y!.data[i]! ** 2);
          return dx;
        },
      };
    },
  };
  return withOnnx ? { ...def, onnx: (_layer, ctx) => ctx.node('Tanh', [ctx.input]) } : def;
}

const tanhSpec: NetworkSpec = { layers: [{ type: 'affine', units: 6 }, { type: 'tanh' }, { type: 'affine', units: 3 }], loss: 'softmax-with-loss' };

describe('a plugin layer', () => {
  it('with its own onnx mapping is exported and runs as dlfs runs it', async () => {
    const registry = builtinLayers().register(tanhDef(true), { source: './my-layers.mjs' });
    const model = savedModel(tanhSpec, { features: 5, classes: ['a', 'b', 'c'], scaler: { type: '255' }, seed: 4, registry });
    const raw = rawRows(8, 5, 5);
    const want = dlfsPredict(model, raw, 8);
    for (const runtime of RUNTIMES) {
      const got = await runOnnx(runtime, toOnnx(model), raw, 8);
      expect(maxDifference(got.probabilities, want.probabilities)).toBeLessThanOrEqual(1e-5);
      expect(got.labels).toEqual(Array.from(want.labels));
    }
  });

  it('without one is refused, naming its type, its place and its module, before anything is written', () => {
    const registry = builtinLayers().register(tanhDef(false), { source: './my-layers.mjs' });
    const model = savedModel(tanhSpec, { features: 5, classes: ['a', 'b', 'c'], scaler: { type: '255' }, seed: 4, registry });
    let error: unknown;
    try {
      toOnnx(model);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(OnnxExportError);
    const e = error as OnnxExportError;
    expect(e.message).toContain('layer "tanh" (layers[1], from ./my-layers.mjs) has no ONNX mapping');
    expect(e.message).toContain("give the plugin's LayerDef an onnx(layer, ctx) function");
    expect(e.layers).toEqual([{ type: 'tanh', position: 1, source: './my-layers.mjs' }]);
  });

  it('without one and without a known module is refused, naming its type', () => {
    const registry = builtinLayers().register(tanhDef(false));
    const model = savedModel(tanhSpec, { features: 5, classes: ['a', 'b', 'c'], scaler: { type: '255' }, seed: 4, registry });
    expect(() => toOnnx(model)).toThrow(/^cannot export to ONNX: layer "tanh" \(layers\[1\]\) has no ONNX mapping/);
  });

  it('whose mapping throws or returns no tensor of the graph is refused, naming it', () => {
    for (const [onnxHook, reason] of [
      [
        () => {
          throw new Error('no Tanh here');
        },
        /the mapping of layer "tanh" \(layers\[1\], from \.\/bad\.mjs\) failed: no Tanh here/,
      ],
      [() => 'nowhere', /the mapping of layer "tanh" \(layers\[1\], from \.\/bad\.mjs\) returned "nowhere", not the name of a tensor of the graph/],
      [(_layer: Layer, ctx: { node(op: string, inputs: string[]): string }) => ctx.node('Tanh', ['nowhere']), /input "nowhere" is not a tensor of the graph/],
    ] as const) {
      const registry = builtinLayers().register({ ...tanhDef(false), onnx: onnxHook as LayerDef['onnx'] }, { source: './bad.mjs' });
      const model = savedModel(tanhSpec, { features: 5, classes: ['a', 'b', 'c'], scaler: { type: '255' }, seed: 4, registry });
      expect(() => toOnnx(model)).toThrow(reason);
    }
  });
});

describe('the loss', () => {
  it('of a regression (identity-with-loss) is refused: only classifiers export', () => {
    const model = savedModel(
      { layers: [{ type: 'affine', units: 2 }], loss: 'identity-with-loss' },
      { features: 3, classes: [], scaler: { type: 'none' }, seed: 1 },
    );
    expect(() => toOnnx(model)).toThrow(/the loss "identity-with-loss" does not classify; @dlfs\/onnx exports classifiers/);
  });
});

describe('the package', () => {
  it("states its own version (package.json's)", () => {
    const json = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(DLFS_ONNX_VERSION).toBe(json.version);
    // `pnpm version-packages` keeps them so: its script finds nothing to change.
    const check = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/sync-version.mjs', import.meta.url)), '--check'], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });

  it('imports nothing of Node in its main entry (it runs in the browser too)', () => {
    const dir = new URL('./', import.meta.url);
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources).toContain('index.ts');
    for (const file of sources) expect(readFileSync(new URL(file, dir), 'utf8'), file).not.toMatch(/from '(node:|fs|path|url)/);
  });
});
