export { Tensor, allocate, dtypeOf, type DType, type NestedArray, type TypedArray } from './tensor.js';
export { ShapeError, broadcastShapes, formatShape, sameShape, shapeSize, type Shape } from './shape.js';
export { Rng } from './rng.js';
export { full, ones, rand, randn, tensor, zeros, zerosLike, type RandomOptions } from './creation.js';
export { add, div, exp, log, map, maximum, mul, neg, sqrt, sub } from './elementwise.js';
export { argmax, max, mean, min, sum, type ReduceOptions } from './reduce.js';
export { matmul, transpose, type MatmulOptions } from './matmul.js';
export { addInPlace, axpy, copyInto, divInPlace, fill, mulInPlace, scaleInPlace, subInPlace } from './inplace.js';
