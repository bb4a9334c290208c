/**
 * The MNIST sample as the page downloads it: 8 magic bytes, the row count and the pixels per row
 * (u32 little-endian each), one label byte per row, then every row's pixels as bytes 0..255.
 * 10,000 digits take 7.85 MB, against 41 MB for the mnist package's JSON.
 */
export const MNIST_ASSET_MAGIC = 'DLFSMNI1';
export const MNIST_ASSET_HEADER_BYTES = 16;
/** The file the build writes into the site and the worker fetches. */
export const MNIST_ASSET_FILE = 'mnist-sample.bin';

export interface MnistAsset {
  readonly rows: number;
  readonly pixelsPerRow: number;
  /** Class of every row, 0..9. */
  readonly labels: Int32Array;
  /** rows × pixelsPerRow bytes, row-major. */
  readonly pixels: Uint8Array;
}

export function encodeMnistAsset(asset: MnistAsset): Uint8Array {
  const { rows, pixelsPerRow, labels, pixels } = asset;
  if (labels.length !== rows) throw new RangeError(`encodeMnistAsset: ${rows} rows but ${labels.length} labels`);
  if (pixels.length !== rows * pixelsPerRow)
    throw new RangeError(`encodeMnistAsset: ${rows} rows × ${pixelsPerRow} pixels need ${rows * pixelsPerRow} bytes, got ${pixels.length}`);
  const out = new Uint8Array(MNIST_ASSET_HEADER_BYTES + rows + pixels.length);
  for (let i = 0; i < MNIST_ASSET_MAGIC.length; i++) out[i] = MNIST_ASSET_MAGIC.charCodeAt(i);
  const view = new DataView(out.buffer);
  view.setUint32(8, rows, true);
  view.setUint32(12, pixelsPerRow, true);
  for (let r = 0; r < rows; r++) {
    const label = labels[r]!;
    if (!(Number.isInteger(label) && label >= 0 && label <= 255)) throw new RangeError(`encodeMnistAsset: label ${r} is ${label}, not a class 0..255`);
    out[MNIST_ASSET_HEADER_BYTES + r] = label;
  }
  out.set(pixels, MNIST_ASSET_HEADER_BYTES + rows);
  return out;
}

/** Reads the asset back; a wrong or truncated file throws an error that says what was found. */
export function decodeMnistAsset(buffer: ArrayBuffer, source = MNIST_ASSET_FILE): MnistAsset {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(...bytes.subarray(0, MNIST_ASSET_MAGIC.length));
  if (bytes.length < MNIST_ASSET_HEADER_BYTES || magic !== MNIST_ASSET_MAGIC) {
    throw new Error(
      `${source} is not the demos' MNIST asset (it starts with ${JSON.stringify(magic)}, not ${MNIST_ASSET_MAGIC}); rebuild the site with "pnpm --filter ` +
        `demos build"`,
    );
  }
  const view = new DataView(buffer);
  const rows = view.getUint32(8, true);
  const pixelsPerRow = view.getUint32(12, true);
  const expected = MNIST_ASSET_HEADER_BYTES + rows + rows * pixelsPerRow;
  if (bytes.length !== expected) {
    throw new Error(
      `${source} holds ${bytes.length} bytes but its header promises ${rows} rows × ${pixelsPerRow} pixels (${expected} bytes): it is truncated; rebuild ` +
        `the site`,
    );
  }
  const labels = Int32Array.from(bytes.subarray(MNIST_ASSET_HEADER_BYTES, MNIST_ASSET_HEADER_BYTES + rows));
  const pixels = bytes.subarray(MNIST_ASSET_HEADER_BYTES + rows);
  return { rows, pixelsPerRow, labels, pixels };
}

/** The MNIST assets of a session, by URL: each fetched and decoded once, then kept for later runs. */
export class MnistAssets {
  private readonly assets = new Map<string, MnistAsset>();

  constructor(private readonly fetchDataset: (url: string) => Promise<ArrayBuffer>) {}

  async get(url: string): Promise<MnistAsset> {
    let asset = this.assets.get(url);
    if (asset === undefined) {
      asset = decodeMnistAsset(await this.fetchDataset(url), url);
      this.assets.set(url, asset);
    }
    return asset;
  }
}
