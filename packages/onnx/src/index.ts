export { ONNX_INPUT, ONNX_IR_VERSION, ONNX_LABEL, ONNX_OPSET, ONNX_PROBABILITIES, toOnnx, type ToOnnxOptions } from './to-onnx.js';
export { OnnxExportError, type UnexportableLayer } from './onnx-export-error.js';
export { DLFS_ONNX_VERSION } from './version.js';
