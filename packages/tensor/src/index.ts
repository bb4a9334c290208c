export { Tensor, allocate, dtypeOf, type DType, type NestedArray, type TypedArray } from './tensor.js';
export { ShapeError, broadcastShapes, formatShape, sameShape, shapeSize, type Shape } from './shape.js';
export { Rng } from './rng.js';
export { full, ones, rand, randn, reuse, tensor, toKernel, zeros, zerosLike, type RandomOptions, type ZerosOptions } from './creation.js';
export { add, div, exp, log, map, maximum, mul, neg, sqrt, sub } from './elementwise.js';
export { argmax, max, mean, min, sum, type ReduceOptions } from './reduce.js';
export { matmul, type MatmulOptions } from './matmul.js';
export { transpose } from './transpose.js';
export { copyRows } from './copy-rows.js';
export { col2im, convOutputSize, im2col } from './im2col.js';
export { batchNorm, batchNormBackward, type BatchNormOptions, dropoutMask, multiplyInto, scaleInto } from './norm.js';
export { conv2d, conv2dFilterGrad, conv2dInputGrad, convCols, maxPool2d, maxPool2dBackward, type Conv2dOptions } from './conv.js';
export { sliceRows } from './slice-rows.js';
export { addInPlace, axpy, copyInto, divInPlace, fill, mulInPlace, scaleInPlace, subInPlace } from './inplace.js';
export { addBias } from './add-bias.js';
export { relu, reluBackward } from './relu.js';
export { checkClassIndices, expRow, softmaxRow } from './softmax-row.js';
export { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from './softmax-cross-entropy.js';
export { adagradUpdate, adamUpdate, momentumUpdate, nesterovUpdate, rmspropUpdate } from './optimizer-steps.js';
export {
  backendInfo,
  getBackend,
  isKernelPlaced,
  MAX_THREADS,
  setBackend,
  startThreads,
  stopThreads,
  type Backend,
  type BackendInfo,
  type BackendOptions,
  type ThreadOptions,
} from './backend.js';
export { KernelThreadsError, type SpawnThread, type ThreadHandle, type ThreadInit } from './wasm/threads.js';
export { kernelStats, resetKernelStats, type FallbackReason, type KernelName, type KernelStats, type KernelStatsReport } from './kernel-stats.js';
