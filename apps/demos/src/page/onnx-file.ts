import type { ModelContents } from '@dlfs/model';
import { toOnnx } from '@dlfs/onnx';

/**
 * The model as the bytes of a model.onnx file (@dlfs/onnx's toOnnx: the scaler, the network and
 * the softmax in one graph). The page imports this module on the first Export to ONNX, so the
 * ONNX writer and its protobuf encoder are a chunk of their own, outside the page's first download.
 */
export function onnxFile(contents: ModelContents): Blob {
  return new Blob([toOnnx(contents).slice()], { type: 'application/octet-stream' });
}
