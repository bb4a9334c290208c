/** Where a layer that stops an export sits: its type, its place in the spec and the module its def came from (a --plugin), when known. */
export interface UnexportableLayer {
  readonly type: string;
  readonly position: number;
  readonly source: string | undefined;
}

/**
 * A model that cannot be written as ONNX: a layer whose def has no `onnx` mapping (or whose
 * mapping failed), or a loss that does not classify. Thrown before any byte is produced; the
 * message names the layer type and its plugin module, or the loss, and what would fix it.
 */
export class OnnxExportError extends Error {
  /** The layers at fault, in spec order (empty when the loss is). */
  readonly layers: readonly UnexportableLayer[];
  constructor(message: string, layers: readonly UnexportableLayer[] = [], opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'OnnxExportError';
    this.layers = Object.freeze([...layers]);
  }
}

/** `layer "conv3d" (layers[2], from ./my-layers.mjs)`: how an error names a layer. */
export function describeLayer(layer: UnexportableLayer): string {
  return `layer ${JSON.stringify(layer.type)} (layers[${layer.position}]${layer.source === undefined ? '' : `, from ${layer.source}`})`;
}
