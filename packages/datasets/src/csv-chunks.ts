const COMMA = 44;
const NEWLINE = 10;
const ZERO = 48;

/** The most bytes one Kaggle row can take: a label and 784 pixels of up to 3 digits, commas, newline. */
export const MAX_KAGGLE_ROW_BYTES = 4 + 785 * 4;

/**
 * Encodes CSV text into a fixed buffer and hands it to `sink` each time it fills, so a file
 * of any size is written with `chunkBytes` of memory. Reserve room with `ensure` before
 * appending; `end` hands over what is left.
 */
export class CsvChunks {
  private readonly buf: Buffer;
  private len = 0;
  /** Bytes handed to the sink so far. */
  written = 0;

  constructor(
    private readonly sink: (chunk: Uint8Array) => Promise<void>,
    chunkBytes = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  /** Makes room for `bytes` more, handing the buffer to the sink first when it would overflow. */
  async ensure(bytes: number): Promise<void> {
    if (bytes > this.buf.length) throw new RangeError(`CsvChunks: ${bytes} bytes do not fit a ${this.buf.length}-byte chunk`);
    if (this.len + bytes > this.buf.length) await this.flush();
  }

  /** ASCII text, such as a header; room must have been ensured. */
  text(s: string): void {
    this.len += this.buf.write(s, this.len, 'latin1');
  }

  /** A whole number 0..999 in decimal, without a string. */
  small(n: number): void {
    const buf = this.buf;
    if (n >= 100) buf[this.len++] = ZERO + ((n / 100) | 0);
    if (n >= 10) buf[this.len++] = ZERO + (((n / 10) | 0) % 10);
    buf[this.len++] = ZERO + (n % 10);
  }

  /** Bytes as comma-separated decimals, each preceded by a comma when `leadingComma`. */
  bytes(values: Uint8Array, leadingComma: boolean): void {
    for (let i = 0; i < values.length; i++) {
      if (leadingComma || i > 0) this.buf[this.len++] = COMMA;
      this.small(values[i]!);
    }
  }

  newline(): void {
    this.buf[this.len++] = NEWLINE;
  }

  async end(): Promise<void> {
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.len === 0) return;
    // The sink has finished with the chunk when its promise resolves, so the buffer is reused.
    await this.sink(this.buf.subarray(0, this.len));
    this.written += this.len;
    this.len = 0;
  }
}
