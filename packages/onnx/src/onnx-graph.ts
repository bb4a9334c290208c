import type { OnnxAttribute } from '@dlfs/core';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

const { onnx } = onnxProto;

/** Element types of the tensors dlfs writes (TensorProto.DataType). */
export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

/** One dimension of a graph input or output: a size, or a name for a size known only at run time ("N"). */
export type Dim = number | string;

/**
 * The graph being written: nodes in the order they run, constants (initializers), and a counter
 * that makes every name unique. Names are plain and stable (`layers.0.W`, `layers.0/Gemm`), so
 * the same model always gives the same graph and the same bytes.
 */
export class OnnxGraph {
  readonly nodes: Onnx.INodeProto[] = [];
  readonly initializers: Onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();

  /** Reserves a name (a graph input's); a name given twice gets a numbered suffix. */
  name(wanted: string): string {
    let name = wanted;
    for (let k = 2; this.names.has(name); k++) name = `${wanted}_${k}`;
    this.names.add(name);
    return name;
  }

  /** Adds a node and returns its output's name: `${prefix}/${opType}` (numbered when taken), or `output` when given. */
  node(prefix: string, opType: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}, output?: string): string {
    if (typeof opType !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(opType)) {
      throw new TypeError(`node: opType must be the name of an ONNX operator such as "Gemm", got ${JSON.stringify(opType)}`);
    }
    for (const input of inputs) {
      if (!this.names.has(input))
        throw new RangeError(`node ${opType}: input ${JSON.stringify(input)} is not a tensor of the graph (a name node, constant or the layer's input gave)`);
    }
    const name = this.name(output ?? `${prefix}/${opType}`);
    this.nodes.push({
      name,
      opType,
      input: [...inputs],
      output: [name],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(opType, key, value)),
    });
    return name;
  }

  /** Adds a constant: float32 (rounded from float64) or int64, row-major, little-endian raw data. */
  constant(name: string, data: ArrayLike<number>, shape: readonly number[], dtype: 'float32' | 'int64' = 'float32'): string {
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new TypeError(`constant ${JSON.stringify(name)}: shape must be a list of whole numbers >= 0, got ${JSON.stringify(shape)}`);
    }
    const size = shape.reduce((a, d) => a * d, 1);
    if (data.length !== size) {
      throw new RangeError(`constant ${JSON.stringify(name)}: shape [${shape.join(', ')}] holds ${size} values but data has ${data.length}`);
    }
    const unique = this.name(name);
    const bytes = new Uint8Array(size * (dtype === 'int64' ? 8 : 4));
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < size; i++) {
      if (dtype === 'int64') view.setBigInt64(i * 8, BigInt(data[i]!), true);
      else view.setFloat32(i * 4, data[i]!, true);
    }
    this.initializers.push({ name: unique, dims: [...shape], dataType: dtype === 'int64' ? INT64 : FLOAT, rawData: bytes });
    return unique;
  }
}

/** A tensor's type for a graph input or output. */
export function valueInfo(name: string, elemType: number, dims: readonly Dim[]): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

const AttributeType = onnx.AttributeProto.AttributeType;

/** An attribute by the rules of OnnxAttribute: whole numbers are INT(S), other numbers FLOAT(S), `{ float }` forces FLOAT. */
function attribute(opType: string, name: string, value: OnnxAttribute): Onnx.IAttributeProto {
  const bad = (): never => {
    throw new TypeError(
      `node ${opType}: attribute ${name} must be a finite number, a list of them, a string, { float } or { floats }, got ${JSON.stringify(value)}`,
    );
  };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) bad();
    return Number.isInteger(value) ? { name, type: AttributeType.INT, i: value } : { name, type: AttributeType.FLOAT, f: value };
  }
  if (Array.isArray(value)) {
    const list = value as readonly number[];
    if (!list.every((v) => typeof v === 'number' && Number.isFinite(v))) bad();
    return list.every((v) => Number.isInteger(v))
      ? { name, type: AttributeType.INTS, ints: [...list] }
      : { name, type: AttributeType.FLOATS, floats: [...list] };
  }
  if (typeof value === 'object' && value !== null && 'float' in value && typeof value.float === 'number' && Number.isFinite(value.float)) {
    return { name, type: AttributeType.FLOAT, f: value.float };
  }
  if (typeof value === 'object' && value !== null && 'floats' in value && Array.isArray(value.floats)) {
    return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  }
  return bad();
}
