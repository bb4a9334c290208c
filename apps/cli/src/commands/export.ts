import { loadModelFile } from '@dlfs/model/node';
import { ONNX_INPUT, ONNX_LABEL, ONNX_PROBABILITIES, toOnnx } from '@dlfs/onnx';
import { checkOutputFile, writeOutputFile } from '../output-paths.js';
import { loadRegistry } from '../plugins.js';
import { cliVersion } from '../version.js';

export interface ExportFlags {
  model: string;
  out: string;
  json: boolean;
  plugin: string[];
}

/** What `dlfs export --help` says of the ONNX model it writes. */
export const EXPORT_HELP = `
The ONNX model (opset 13) runs without dlfs, in ONNX Runtime (onnxruntime-web in a page,
onnxruntime-node, Python, C#, mobile) and other ONNX tools:
  input   "${ONNX_INPUT}"       float32 [N, F]: N raw rows of the CSV's feature columns, the same
                            columns dlfs predict reads, in the training CSV's order (F = 784
                            pixels 0..255 for MNIST); the model's scaler and the reshape to its
                            inputShape are inside the graph
  output  "${ONNX_PROBABILITIES}"  float32 [N, classes]: the softmax of the last layer
  output  "${ONNX_LABEL}"          int64 [N]: the index of the most probable class
The metadata (metadata_props) holds "classes" (JSON: index -> the label as the CSV had it, such as
"setosa" or 7) and "featureNames" (JSON: the input's columns in order). A layer type with no ONNX
mapping (a plugin's, without an onnx function) is refused before anything is written.`;

/** Writes the model as ONNX, atomically: an existing file is replaced whole or left as it was. */
export async function exportCommand(flags: ExportFlags): Promise<number> {
  checkOutputFile('--out', flags.out);
  const registry = await loadRegistry(flags.plugin);
  const model = loadModelFile(flags.model, { registry });
  const bytes = toOnnx(model, { producerVersion: cliVersion() });
  writeOutputFile('--out', flags.out, bytes);
  const features = model.preprocessing.featureNames.length;
  const classes = model.classes.length;
  if (flags.json) {
    const json = {
      out: flags.out,
      bytes: bytes.length,
      input: { name: ONNX_INPUT, type: 'float32', shape: ['N', features] },
      outputs: [
        { name: ONNX_PROBABILITIES, type: 'float32', shape: ['N', classes] },
        { name: ONNX_LABEL, type: 'int64', shape: ['N'] },
      ],
      classes: model.classes,
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const shown = model.classes.length <= 12 ? model.classes.map((c) => JSON.stringify(c)).join(', ') : `${classes} classes`;
    process.stdout.write(
      `ONNX model written to ${flags.out} (${bytes.length.toLocaleString('en-US')} bytes)\n` +
        `input   ${ONNX_INPUT} float32 [N, ${features}] (raw feature columns; the scaler is in the graph)\n` +
        `outputs ${ONNX_PROBABILITIES} float32 [N, ${classes}], ${ONNX_LABEL} int64 [N] (index into the classes: ${shown})\n`,
    );
  }
  return 0;
}
