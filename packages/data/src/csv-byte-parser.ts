import { CsvError as CsvParseError, type CsvErrorCode as CsvParseErrorCode } from 'csv-parse';
import { FLOAT32_MAX, type RowLayout } from './csv-row-reader.js';

// Why this parser exists, hand-written, beside csv-parse: loading Kaggle's train.csv (42,000
// rows × 785 fields, 77 MB) through csv-parse takes about 6 s, more than numpy.loadtxt, and
// about 5 s of it is csv-parse itself: it visits every byte through several method calls,
// copies every field into a buffer and decodes it to a string (33 million strings), and
// hands each row to us as an array of them. No CSV library for Node turns fields into float32
// without those strings. This parser reads a row of plain numbers (the common case: `0`,
// `255`, `-1.5`, `2e-3`) straight from the file's bytes into the float32 row buffer, and
// hands every other row to a byte-for-byte port of csv-parse's own loop (`slowRecord`),
// restricted to the options loadCsv gives csv-parse: bom, trim, skip_empty_lines,
// relax_column_count; delimiter `,`, quote and escape `"`, record delimiter auto-detected.
// Both kinds of row end in the same `RecordSink`, on the same line numbers, so results and
// errors are the same as with csv-parse; csv-parse stays the reference that the tests
// compare this parser against (load-csv-differential.test.ts), and loadCsv can still use it
// (`parser: 'csv-parse'`).

const TAB = 9;
const NL = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const UPPER_E = 69;
const LOWER_E = 101;

/**
 * csv-parse leaves the last 3 bytes of every chunk for the next one (`__needMoreData`: a
 * trimmable character is up to 3 bytes). Doing the same makes each record end in the same
 * chunk as with csv-parse, so progress reports and the order of errors match too.
 */
const HOLD_BACK = 3;

/** 10^i, exact in a double for i ≤ 22. */
const POW10 = (() => {
  const p = [1];
  for (let i = 1; i <= 22; i++) p.push(p[i - 1]! * 10);
  return p;
})();

/** Digits a plain number may have for `m / 10^scale` to be exact before its one rounding. */
const EXACT_DIGITS = 15;

/** One-character strings, so that one-character labels ("0".."9") cost no allocation. */
const ASCII = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

/** Where the parser hands its records: csv-parse's `on_record`, and the fast rows. */
export interface RecordSink {
  /** A record as csv-parse gives it, with csv-parse's `info.lines`. */
  onRecord(record: string[], line: number): unknown;
  /** Set once rows may be written straight into `layout.values` (after the header). */
  readonly layout?: RowLayout | undefined;
  /**
   * Completes a row whose values the parser wrote into `layout.values`; false when the row
   * must go through `onRecord` instead (the parser then takes the row back).
   */
  fastRow?(label: string | undefined, line: number): boolean;
}

/**
 * A streaming CSV parser over bytes with csv-parse's grammar for loadCsv's options. Give it
 * the file chunk by chunk with `parse(bytes, false)`; it returns how many bytes at the end it
 * left for the next call (at most 3), which go in front of the next chunk. Finish with
 * `parse(rest, true)`. Syntax errors are thrown as csv-parse's CsvError with the code,
 * `lines` and `column` csv-parse would give; the sink's errors pass through.
 */
export class CsvByteParser {
  /** csv-parse's `info.lines`: 1 + the line ends seen (a CRLF record delimiter counts once). */
  private lines = 1;
  private wasRowDelimiter = false;
  private quoting = false;
  private wasQuoting = false;
  private escaping = false;
  private field = Buffer.allocUnsafe(64);
  private fieldLength = 0;
  private record: string[] = [];
  /** The record delimiter, found at the first line end: its first byte and its length (0: not found yet). */
  private rdFirst = 0;
  private rdLength = 0;
  private bomSkipped = false;
  /** Rows read by `fastRow`, and records by `slowRecord` (the header included): for tests. */
  fastRows = 0;
  slowRecords = 0;

  constructor(private readonly sink: RecordSink) {}

  /**
   * Parses `buf` (the bytes left last time, then the next chunk). Returns the number of bytes
   * at its end not parsed yet: 0 when `end`.
   */
  parse(buf: Buffer, end: boolean): number {
    let pos = 0;
    if (!this.bomSkipped) {
      // Like csv-parse: wait for 3 bytes to tell whether the file starts with a UTF-8 byte
      // order mark. (A UTF-16 one never gets here: TextCheck refuses the file first.)
      if (buf.length < 3) {
        if (!end) return buf.length;
      } else {
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
        this.bomSkipped = true;
      }
    }
    const limit = end ? buf.length - 1 : buf.length - 1 - HOLD_BACK;
    while (pos <= limit) {
      const layout = this.sink.layout;
      if (layout !== undefined && this.rdLength !== 0 && this.record.length === 0 && this.fieldLength === 0 && !this.quoting && !this.wasQuoting) {
        const next = this.fastRow(buf, pos, limit, layout);
        if (next !== -1) {
          pos = next;
          continue;
        }
      }
      pos = this.slowRecord(buf, pos, limit);
    }
    if (end) this.endOfInput();
    if (this.wasRowDelimiter) {
      this.lines++;
      this.wasRowDelimiter = false;
    }
    return end ? 0 : buf.length - pos;
  }

  /**
   * A row of plain fields from `start` (the start of a record): each feature a decimal number
   * (`-12`, `0.5`, `.5`, `3.`, `1e-3`), the label a run of printable ASCII other than `"` and
   * `,`, spaces and tabs around either, and then the record delimiter at or before `limit`.
   * csv-parse would trim such a field to exactly that number or label and take the row as it
   * is, so the row goes straight into `layout.values`. Returns the position after the row, or
   * -1, having written nothing, for anything else (quotes, other characters, a wrong field
   * count, a value outside float32, a row not complete in `buf`): `slowRecord` then reads the
   * row from the same place.
   */
  private fastRow(buf: Buffer, start: number, limit: number, layout: RowLayout): number {
    const { width, labelIndex, values } = layout;
    const rdFirst = this.rdFirst;
    // Every loop below stops at a CR or LF, so none reads past this one.
    const eol = buf.indexOf(rdFirst, start);
    if (eol === -1 || eol > limit || (this.rdLength === 2 && buf[eol + 1] !== NL)) return -1;
    const at = values.startRow();
    const out = values.chunk;
    let k = at;
    let i = start;
    let labelStart = 0;
    let labelEnd = 0;
    for (let col = 0; ; ) {
      let c = buf[i]!;
      while (c === SPACE || c === TAB) c = buf[++i]!;
      if (col === labelIndex) {
        labelStart = i;
        while (c > SPACE && c < 127 && c !== QUOTE && c !== COMMA) c = buf[++i]!;
        labelEnd = i;
        if (labelEnd === labelStart) break;
      } else {
        const s = i;
        let negative = false;
        if (c === MINUS) {
          negative = true;
          c = buf[++i]!;
        } else if (c === PLUS) {
          c = buf[++i]!;
        }
        let m = 0;
        let digits = 0;
        let scale = 0;
        while (c >= ZERO && c <= NINE) {
          m = m * 10 + (c - ZERO);
          digits++;
          c = buf[++i]!;
        }
        if (c === DOT) {
          c = buf[++i]!;
          while (c >= ZERO && c <= NINE) {
            m = m * 10 + (c - ZERO);
            digits++;
            scale++;
            c = buf[++i]!;
          }
        }
        if (digits === 0) break;
        let v: number;
        if (c === LOWER_E || c === UPPER_E) {
          c = buf[++i]!;
          if (c === PLUS || c === MINUS) c = buf[++i]!;
          const e = i;
          while (c >= ZERO && c <= NINE) c = buf[++i]!;
          if (i === e) break;
          v = Number(buf.toString('latin1', s, i));
        } else if (digits <= EXACT_DIGITS) {
          // m and 10^scale are exact doubles, so the division rounds once, to the double
          // nearest the decimal: the same double Number(text) gives.
          v = scale === 0 ? m : m / POW10[scale]!;
          if (negative) v = -v;
        } else {
          v = Number(buf.toString('latin1', s, i));
        }
        if (!(v <= FLOAT32_MAX && v >= -FLOAT32_MAX)) break;
        out[k++] = v;
      }
      while (c === SPACE || c === TAB) c = buf[++i]!;
      col++;
      if (c === COMMA) {
        if (col === width) break;
        i++;
        continue;
      }
      if (col !== width || i !== eol) break;
      const line = this.wasRowDelimiter ? this.lines + 1 : this.lines;
      let label: string | undefined;
      if (labelIndex >= 0) label = labelEnd - labelStart === 1 ? ASCII[buf[labelStart]!] : buf.toString('latin1', labelStart, labelEnd);
      if (!this.sink.fastRow!(label, line)) break;
      this.lines = line;
      this.wasRowDelimiter = true;
      this.fastRows++;
      return i + this.rdLength;
    }
    values.cancelRow();
    return -1;
  }

  /**
   * csv-parse's byte loop (lib/api/index.js, `parse`) for loadCsv's options, from `pos` to
   * the end of one record (returning the position after its delimiter) or to `limit`. Kept
   * statement for statement, quirks included: a line end inside quotes counts as a line (a
   * CRLF there as two); a CRLF file's bare LF is data; trimming skips the Unicode spaces
   * csv-parse knows, byte-wise after a closing quote.
   */
  private slowRecord(buf: Buffer, pos: number, limit: number): number {
    for (; pos <= limit; pos++) {
      if (this.wasRowDelimiter) {
        this.lines++;
        this.wasRowDelimiter = false;
      }
      if (!this.quoting && this.rdLength === 0) this.discoverRecordDelimiter(buf, pos);
      const chr = buf[pos]!;
      if (chr === CR || chr === NL) this.wasRowDelimiter = true;
      if (this.escaping) {
        this.escaping = false;
      } else {
        // Inside quotes, `""` is one quote: the first is the escape, the second is kept.
        if (this.quoting && chr === QUOTE && pos + 1 < buf.length && buf[pos + 1] === QUOTE) {
          this.escaping = true;
          continue;
        }
        if (chr === QUOTE) {
          if (this.quoting) {
            const next = buf[pos + 1];
            const nextTrimmable = trimmable(buf, pos + 1) !== 0;
            const nextDelimiter = next === COMMA;
            const nextRecordDelimiter = (this.rdLength === 0 ? this.discoverRecordDelimiter(buf, pos + 1) : this.recordDelimiterAt(buf, pos + 1)) !== 0;
            if (!next || nextDelimiter || nextRecordDelimiter || nextTrimmable) {
              this.quoting = false;
              this.wasQuoting = true;
              continue;
            }
            throw syntaxError(
              'CSV_INVALID_CLOSING_QUOTE',
              `Invalid Closing Quote: got "${String.fromCharCode(next!)}" at line ${this.lines} instead of delimiter, record delimiter, trimable character ` +
                `(if activated) or comment`,
              this.lines,
              this.record.length,
            );
          }
          if (this.fieldLength !== 0) {
            const field = this.field.subarray(0, this.fieldLength);
            const bom = field.equals(UTF8_BOM) ? ' (utf8 bom)' : '';
            throw syntaxError(
              'INVALID_OPENING_QUOTE',
              `Invalid Opening Quote: a quote is found on field ${this.record.length} at line ${this.lines}, value is ` +
                `${JSON.stringify(field.toString('utf8'))}${bom}`,
              this.lines,
              this.record.length,
            );
          }
          this.quoting = true;
          continue;
        }
        if (!this.quoting) {
          const rdLength = this.recordDelimiterAt(buf, pos);
          if (rdLength !== 0) {
            // skip_empty_lines: nothing since the last record delimiter.
            if (this.wasQuoting || this.record.length !== 0 || this.fieldLength !== 0) {
              this.endField();
              this.endRecord();
            }
            return pos + rdLength;
          }
          if (chr === COMMA) {
            this.endField();
            continue;
          }
        }
      }
      // trim: leading trimmable characters are skipped, trailing ones cut in endField; after a
      // closing quote only trimmable bytes may follow.
      const trim = trimmable(buf, pos);
      const leftKept = this.quoting || this.fieldLength !== 0 || trim === 0;
      if (leftKept && !this.wasQuoting) {
        this.append(chr);
      } else if (trim === 0) {
        throw syntaxError(
          'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE',
          `Invalid Closing Quote: found non trimable byte after quote at line ${this.lines}`,
          this.lines,
          this.record.length,
        );
      } else if (!leftKept) {
        pos += trim - 1;
      }
    }
    return pos;
  }

  /** What csv-parse does after the last byte: an open quote is an error, a last record without a line end counts. */
  private endOfInput(): void {
    if (this.quoting) {
      throw syntaxError(
        'CSV_QUOTE_NOT_CLOSED',
        `Quote Not Closed: the parsing is finished with an opening quote at line ${this.lines}`,
        this.lines,
        this.record.length,
      );
    }
    if (this.wasQuoting || this.record.length !== 0 || this.fieldLength !== 0) {
      this.endField();
      this.endRecord();
    }
  }

  /** Takes the first line end at `p` (CRLF, then LF, then CR) as the record delimiter; returns its length or 0. */
  private discoverRecordDelimiter(buf: Buffer, p: number): number {
    const c = buf[p];
    if (c === CR) {
      this.rdFirst = CR;
      this.rdLength = buf[p + 1] === NL ? 2 : 1;
    } else if (c === NL) {
      this.rdFirst = NL;
      this.rdLength = 1;
    }
    return c === CR || c === NL ? this.rdLength : 0;
  }

  private recordDelimiterAt(buf: Buffer, p: number): number {
    if (this.rdLength === 0 || buf[p] !== this.rdFirst) return 0;
    return this.rdLength === 2 && buf[p + 1] !== NL ? 0 : this.rdLength;
  }

  private append(byte: number): void {
    if (this.fieldLength === this.field.length) {
      const grown = Buffer.allocUnsafe(2 * this.field.length);
      this.field.copy(grown);
      this.field = grown;
    }
    this.field[this.fieldLength++] = byte;
  }

  private endField(): void {
    let field = this.field.toString('utf8', 0, this.fieldLength);
    if (!this.wasQuoting) field = field.trimEnd();
    this.record.push(field);
    this.fieldLength = 0;
    this.wasQuoting = false;
  }

  private endRecord(): void {
    const record = this.record;
    this.record = [];
    this.slowRecords++;
    this.sink.onRecord(record, this.lines);
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The length of the trimmable character at `p`, or 0: csv-parse's list (ECMAScript white
 * space and line terminators, UTF-8 encoded): HT LF VT FF CR, space, U+00A0, U+1680,
 * U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
 */
function trimmable(buf: Buffer, p: number): number {
  const b = buf[p];
  if (b === undefined) return 0;
  if (b === SPACE || (b >= TAB && b <= CR)) return 1;
  if (b < 0xc2) return 0;
  const b1 = buf[p + 1];
  if (b === 0xc2) return b1 === 0xa0 ? 2 : 0;
  const b2 = buf[p + 2];
  if (b2 === undefined) return 0;
  switch (b) {
    case 0xe1:
      return b1 === 0x9a && b2 === 0x80 ? 3 : 0;
    case 0xe2:
      if (b1 === 0x80) return (b2 >= 0x80 && b2 <= 0x8a) || b2 === 0xa8 || b2 === 0xa9 || b2 === 0xaf ? 3 : 0;
      return b1 === 0x81 && b2 === 0x9f ? 3 : 0;
    case 0xe3:
      return b1 === 0x80 && b2 === 0x80 ? 3 : 0;
    case 0xef:
      return b1 === 0xbb && b2 === 0xbf ? 3 : 0;
    default:
      return 0;
  }
}

/** An error as csv-parse raises it: its code and message, and the `lines` and `column` loadCsv reads. */
function syntaxError(code: CsvParseErrorCode, message: string, lines: number, column: number): CsvParseError {
  return new CsvParseError(code, message, undefined, { lines, column });
}
