import { zeros } from '@dlfs/tensor';

const MAX_CHUNK_VALUES = 1 << 20; // 4 MiB of float32 per chunk

/**
 * Rows of `width` float32 values collected while a file streams in, when the number of rows
 * is not known yet. Rows go into chunks (the first small, each next one twice as big, up to
 * 4 MiB), so nothing is copied while reading; `take` copies them once into one array. Peak
 * memory is about twice the final array, never a JS number per value.
 */
export class RowBuffer {
  /** The chunk the current row is written to, from index `startRow()` returned. */
  chunk: Float32Array;
  rows = 0;
  private readonly full: Float32Array[] = [];
  private used = 0;
  private readonly maxChunkRows: number;

  constructor(readonly width: number) {
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`RowBuffer: width must be a whole number >= 1, got ${width}`);
    this.maxChunkRows = Math.max(1, Math.floor(MAX_CHUNK_VALUES / width));
    this.chunk = this.firstChunk();
  }

  /** Makes room for one more row and returns the index in `chunk` where its values go. */
  startRow(): number {
    if (this.used === this.chunk.length) {
      this.full.push(this.chunk);
      const rows = Math.min(2 * (this.chunk.length / this.width), this.maxChunkRows);
      this.chunk = new Float32Array(rows * this.width);
      this.used = 0;
    }
    const at = this.used;
    this.used += this.width;
    this.rows++;
    return at;
  }

  /**
   * Takes back the row the last `startRow` made room for (a parser that wrote part of a row
   * and then found it must be read another way). Its values are overwritten by the next row.
   */
  cancelRow(): void {
    if (this.rows === 0 || this.used < this.width) throw new RangeError('RowBuffer: cancelRow without a row started in the current chunk');
    this.used -= this.width;
    this.rows--;
  }

  /** All rows in order, rows × width values; the buffer starts empty again afterwards. */
  take(): Float32Array {
    let out: Float32Array;
    if (this.full.length === 0) {
      out = zeros([this.used], 'float32').data as Float32Array;
      out.set(this.chunk.subarray(0, this.used));
    } else {
      // The data set lives where the kernels read it in place (WASM memory, under the wasm backend).
      out = zeros([this.rows * this.width], 'float32').data as Float32Array;
      let at = 0;
      for (const c of this.full) {
        out.set(c, at);
        at += c.length;
      }
      out.set(this.chunk.subarray(0, this.used), at);
    }
    this.full.length = 0;
    this.chunk = this.firstChunk();
    this.used = 0;
    this.rows = 0;
    return out;
  }

  private firstChunk(): Float32Array {
    return new Float32Array(Math.min(16, this.maxChunkRows) * this.width);
  }
}
