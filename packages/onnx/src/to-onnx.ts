import { type Layer, type LayerDef, type OnnxLayerContext, validateConfig } from '@dlfs/core';
import { type ScalerJson, scalerFromJSON } from '@dlfs/data';
import type { ModelContents } from '@dlfs/model';
import onnxProto from 'onnx-proto';
import { describeLayer, OnnxExportError, type UnexportableLayer } from './onnx-export-error.js';
import { FLOAT, INT64, OnnxGraph, valueInfo } from './onnx-graph.js';
import { DLFS_ONNX_VERSION } from './version.js';

const { onnx } = onnxProto;

/** The opset of the graph (ai.onnx 13: Softmax over one axis, ArgMax, Gemm, Conv, BatchNormalization without training_mode). */
export const ONNX_OPSET = 13;
/** IR version 7, the one that came with opset 13 (ONNX 1.8): every runtime that reads opset 13 reads it. */
export const ONNX_IR_VERSION = 7;
/** Names of the graph's input and outputs. */
export const ONNX_INPUT = 'features';
export const ONNX_PROBABILITIES = 'probabilities';
export const ONNX_LABEL = 'label';
/** The batch dimension's name in the graph's input and outputs: any number of rows. */
const BATCH = 'N';

export interface ToOnnxOptions {
  /** The model's producer_version and `dlfsVersion` metadata: the version of @dlfs/onnx when not given (the CLI gives its own). */
  producerVersion?: string;
}

/**
 * The model as an ONNX model (opset 13), its bytes: the graph takes the raw features
 * `features` [N, F] (float32, the CSV columns in `preprocessing.featureNames` order), applies the
 * fitted scaler, views each row in the spec's inputShape (NCHW), runs every layer's evaluation
 * pass (each def's `onnx` mapping), and gives `probabilities` (softmax, float32 [N, classes]) and
 * `label` (the class index, int64 [N]). The metadata holds `classes` (JSON: index → the label as
 * the training CSV had it), `featureNames` (JSON), `label` (the label column), `scaler` and
 * `dlfsVersion`. The same model always gives the same bytes.
 *
 * Throws an OnnxExportError, before producing anything, for a layer whose def has no `onnx`
 * mapping (naming its type and plugin module) or a loss that does not classify.
 */
export function toOnnx(model: ModelContents, opts: ToOnnxOptions = {}): Uint8Array {
  const { network, classes, preprocessing } = model;
  const defs = network.layerDefs;
  const unmapped: UnexportableLayer[] = defs.flatMap((def, i) =>
    typeof def.onnx === 'function' ? [] : [{ type: def.type, position: i, source: network.layerSources[i] }],
  );
  if (unmapped.length > 0) {
    const plugin = unmapped.some((l) => l.source !== undefined);
    throw new OnnxExportError(
      `cannot export to ONNX: ${unmapped.map(describeLayer).join(', ')} ${unmapped.length === 1 ? 'has' : 'have'} no ONNX mapping; ` +
        `give ${plugin ? "the plugin's" : 'its'} LayerDef an onnx(layer, ctx) function that adds the layer's evaluation pass as ONNX operators ` +
        '(see "Exporting to ONNX" in CONTRIBUTING.md)',
      unmapped,
    );
  }
  if (network.lossDef.capabilities?.classifier !== true) {
    throw new OnnxExportError(
      `cannot export to ONNX: the loss ${JSON.stringify(network.lossDef.type)} does not classify; @dlfs/onnx exports classifiers ` +
        '(a loss with the classifier capability, such as "softmax-with-loss"), whose outputs are class probabilities and a label',
    );
  }
  const scaler = scalerFromJSON(preprocessing.scaler).toJSON();
  const features = preprocessing.featureNames.length;
  const outputs = network.outputShape.reduce((a, d) => a * d, 1);

  const graph = new OnnxGraph();
  const input = graph.name(ONNX_INPUT);
  let h = scale(graph, input, scaler);
  // The row of features viewed as one sample of the spec's inputShape ([1, 28, 28]: NCHW batches), as Network.predict does.
  if (network.inputShape.length > 1) {
    h = graph.node('input', 'Reshape', [h, graph.constant('input.shape', [-1, ...network.inputShape], [network.inputShape.length + 1], 'int64')]);
  }
  let shape: readonly number[] = network.inputShape;
  network.layers.forEach((layer, i) => {
    h = mapLayer(graph, defs[i]!, i, network.spec.layers[i]!, network.layerSources[i], layer, h, shape, layer.outputShape);
    shape = layer.outputShape;
  });
  // The scores as [N, classes] (predictClasses' reshape), softmax for the probabilities, and the
  // label from the scores (as predictClasses, so that ties fall the same way: the first largest).
  const scores = shape.length === 1 ? h : graph.node('output', 'Flatten', [h], { axis: 1 });
  graph.node('output', 'Softmax', [scores], { axis: -1 }, ONNX_PROBABILITIES);
  graph.node('output', 'ArgMax', [scores], { axis: 1, keepdims: 0 }, ONNX_LABEL);

  const version = opts.producerVersion ?? DLFS_ONNX_VERSION;
  const metadata: Record<string, string> = {
    classes: JSON.stringify(classes),
    featureNames: JSON.stringify(preprocessing.featureNames),
    label: JSON.stringify(preprocessing.label),
    scaler: scaler.type,
    dlfsVersion: version,
  };
  const message = onnx.ModelProto.fromObject({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'dlfs',
    producerVersion: version,
    docString: 'A dlfs model: raw features in (scaled inside), class probabilities and the label index out; metadata "classes" maps an index to its label.',
    graph: {
      name: 'dlfs',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo(input, FLOAT, [BATCH, features])],
      output: [valueInfo(ONNX_PROBABILITIES, FLOAT, [BATCH, outputs]), valueInfo(ONNX_LABEL, INT64, [BATCH])],
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(message).finish();
}

/** The fitted scaler as nodes: what Scaler.transform does to a raw row. */
function scale(graph: OnnxGraph, x: string, scaler: ScalerJson): string {
  switch (scaler.type) {
    case 'none':
      return x;
    case '255':
      // x / 255, a division as Divide255Scaler does
      return graph.node('scaler', 'Div', [x, graph.constant('scaler.255', [255], [])]);
    case 'minmax': {
      // (x − min) / (max − min) per feature, and 0 for a constant feature (max = min), as MinMaxScaler
      const f = scaler.min.length;
      const range = scaler.max.map((hi, j) => hi - scaler.min[j]!);
      const shifted = graph.node('scaler', 'Sub', [x, graph.constant('scaler.min', scaler.min, [f])]);
      const scaled = graph.node('scaler', 'Div', [
        shifted,
        graph.constant(
          'scaler.range',
          range.map((d) => (d === 0 ? 1 : d)),
          [f],
        ),
      ]);
      if (range.every((d) => d !== 0)) return scaled;
      return graph.node('scaler', 'Mul', [
        scaled,
        graph.constant(
          'scaler.constant',
          range.map((d) => (d === 0 ? 0 : 1)),
          [f],
        ),
      ]);
    }
  }
}

/** One layer through its def's mapping: nodes and constants named after its position, its output tensor's name. */
function mapLayer(
  graph: OnnxGraph,
  def: LayerDef,
  i: number,
  spec: { readonly type: string },
  source: string | undefined,
  layer: Layer,
  input: string,
  inputShape: readonly number[],
  outputShape: readonly number[],
): string {
  const prefix = `layers.${i}`;
  const where = { type: def.type, position: i, source };
  const { type: _type, ...config } = spec;
  const ctx: OnnxLayerContext = {
    input,
    inputShape: Object.freeze([...inputShape]),
    outputShape: Object.freeze([...outputShape]),
    config: validateConfig(def, config) as Record<string, unknown>,
    opset: ONNX_OPSET,
    node: (opType, inputs, attributes) => graph.node(prefix, opType, inputs, attributes),
    constant: (name, data, shape, dtype) => graph.constant(`${prefix}.${name}`, data, shape, dtype),
  };
  let output: unknown;
  try {
    output = def.onnx!(layer, ctx);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new OnnxExportError(`cannot export to ONNX: the mapping of ${describeLayer(where)} failed: ${reason}`, [where], { cause: err });
  }
  if (typeof output !== 'string' || (output !== input && !graph.nodes.some((n) => n.output?.includes(output as string)))) {
    throw new OnnxExportError(
      `cannot export to ONNX: the mapping of ${describeLayer(where)} returned ${JSON.stringify(output)}, not the name of a tensor of the graph; ` +
        'onnx(layer, ctx) must return what ctx.node gave for its last node (or ctx.input, for a layer that passes its input on)',
      [where],
    );
  }
  return output;
}
