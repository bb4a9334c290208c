import { isAscii } from 'node:buffer';
import { CsvError } from './csv-error.js';

const NOT_CSV_FIX = 'it does not look like a CSV file (binary, compressed, or not saved as UTF-8 text); open it in a text editor and save it as UTF-8 CSV';

/**
 * Checks, chunk by chunk as the file streams in, that the bytes are text: no NUL bytes and
 * valid UTF-8 (a character split between two chunks is carried over). It counts lines so
 * that a problem names the line it is on.
 */
export class TextCheck {
  private line = 1;
  private bytes = 0;
  private first = true;
  // Continuation bytes (10xxxxxx) the current multi-byte character still needs, and the range
  // the next one must lie in (narrower after E0, ED, F0, F4: no overlong forms, no surrogates).
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  // The character's first byte: its value, and its offset in the file.
  private leadByte = 0;
  private leadAt = 0;

  constructor(private readonly file: string) {}

  check(chunk: Buffer): void {
    if (this.first) {
      this.first = false;
      // FF FE / FE FF: a UTF-16 byte order mark, as Excel's "Unicode text" writes.
      if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
        throw new CsvError('NOT_CSV', { file: this.file, line: 1 }, 'the file is UTF-16 text; save it as UTF-8 CSV');
      }
    }
    const nul = chunk.indexOf(0);
    if (nul !== -1) {
      throw new CsvError(
        'NOT_CSV',
        { file: this.file, line: this.lineAt(chunk, nul) },
        `found a NUL byte (at byte offset ${this.bytes + nul}); ${NOT_CSV_FIX}`,
      );
    }
    if (this.need !== 0 || !isAscii(chunk)) {
      const bad = this.firstInvalidUtf8(chunk);
      if (bad !== -1) {
        const byte = this.leadByte.toString(16).padStart(2, '0');
        throw new CsvError(
          'NOT_CSV',
          { file: this.file, line: this.lineAt(chunk, Math.max(0, this.leadAt - this.bytes)) },
          `invalid UTF-8 starting with byte 0x${byte} (at byte offset ${this.leadAt}); ${NOT_CSV_FIX}`,
        );
      }
    }
    this.line = this.lineAt(chunk, chunk.length);
    this.bytes += chunk.length;
  }

  /** Call at the end of the file: the last character must not be cut off. */
  end(): void {
    if (this.need !== 0) {
      throw new CsvError('NOT_CSV', { file: this.file, line: this.line }, `the file ends in the middle of a UTF-8 character; ${NOT_CSV_FIX}`);
    }
  }

  /** The line number of byte `pos` of `chunk` (lines counted by "\n"). */
  private lineAt(chunk: Buffer, pos: number): number {
    let line = this.line;
    for (let i = chunk.indexOf(10); i !== -1 && i < pos; i = chunk.indexOf(10, i + 1)) line++;
    return line;
  }

  /**
   * The offset in `chunk` of the first byte that breaks UTF-8 (RFC 3629; Unicode table 3-7),
   * or -1; `leadByte` and `leadAt` then name the character it breaks.
   */
  private firstInvalidUtf8(chunk: Uint8Array): number {
    let { need, lo, hi } = this;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (need > 0) {
        if (b < lo || b > hi) return i;
        need--;
        lo = 0x80;
        hi = 0xbf;
        continue;
      }
      if (b < 0x80) continue;
      this.leadByte = b;
      this.leadAt = this.bytes + i;
      if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
      } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        if (b === 0xe0) lo = 0xa0;
        else if (b === 0xed) hi = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        if (b === 0xf0) lo = 0x90;
        else if (b === 0xf4) hi = 0x8f;
      } else {
        return i;
      }
    }
    this.need = need;
    this.lo = lo;
    this.hi = hi;
    return -1;
  }
}
