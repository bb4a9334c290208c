import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Tensor } from '@dlfs/tensor';
import { CsvError as CsvParseError, parse } from 'csv-parse';
import { type CsvColumn, CsvError, showValue } from './csv-error.js';
import { type CsvHeader, readHeader } from './csv-header.js';
import { type Classes, LabelEncoder } from './label-encoder.js';
import { parseDecimal } from './parse-decimal.js';
import { RowBuffer } from './row-buffer.js';
import { TextCheck } from './text-check.js';

export interface LoadCsvOptions {
  /**
   * The header name of the label column (default "label"); it may be any column. `null`: the
   * file has no labels and every column is a feature (Kaggle's test.csv).
   */
  label?: string | null;
  /**
   * Whether a missing label column is an error (default true). With false a file without it
   * loads unlabelled, so one call reads both Kaggle's train.csv and test.csv.
   */
  requireLabel?: boolean;
  /**
   * The label mapping to use instead of inferring one, e.g. a trained model's, so that class
   * indices match training. A label value not in it is an error naming the line.
   */
  classes?: readonly (string | number)[];
  /** Called as the file streams in (about once per MiB) and once at the end. */
  onProgress?: (progress: LoadProgress) => void;
}

export interface LoadProgress {
  /** Data rows parsed so far. */
  rows: number;
  bytesRead: number;
  totalBytes: number;
}

/** A loaded CSV: one row of `x` per data row of the file, features in header order. */
export interface CsvDataset {
  /** float32, [rows, features]. */
  x: Tensor;
  /** Class index of each row: `classes[labels[i]]` is the label written in the file. */
  labels?: Int32Array;
  /** Class index → label value; numbers when every label is a whole number. */
  classes?: Classes;
  /** The label column's header name. */
  labelColumn?: string;
  featureNames: string[];
  rows: number;
  file: string;
}

const READ_CHUNK = 1 << 20;
const FLOAT32_MAX = 3.4028234663852886e38;
const SHOWN_CLASSES = 12;

/**
 * Loads a CSV file with a header row into a float32 tensor, streaming it through csv-parse
 * (the file is never held as one string; values go straight into float32 chunks).
 *
 * The first non-blank line must be a header naming every column. Accepted: a UTF-8 byte
 * order mark, CRLF or LF line ends, quoted fields, blank lines (skipped), whitespace around
 * values. Every feature value must be a decimal number. Labels may be numbers or text: whole
 * numbers become classes sorted numerically, anything else classes sorted as strings (see
 * `LabelEncoder`), unless `classes` gives the mapping.
 *
 * Every problem a file can have rejects with a `CsvError` naming the file, the line and,
 * where one is to blame, the column, and saying what would fix it.
 */
export async function loadCsv(file: string, options: LoadCsvOptions = {}): Promise<CsvDataset> {
  const opts = checkOptions(options);
  const totalBytes = await fileSize(file);
  if (totalBytes === 0) {
    throw new CsvError('EMPTY_FILE', { file }, 'the file is empty (0 bytes); a CSV needs a header row and at least one data row');
  }
  const reader = new CsvRowReader(file, opts);
  const text = new TextCheck(file);
  let bytesRead = 0;
  const onProgress = opts.onProgress;

  async function* checkedChunks(): AsyncGenerator<Buffer> {
    // 1 MiB reads instead of the default 64 KiB: fewer trips through the stream machinery.
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK })) {
      text.check(chunk as Buffer);
      bytesRead += (chunk as Buffer).length;
      yield chunk as Buffer;
      onProgress?.({ rows: reader.rows, bytesRead, totalBytes });
    }
    text.end();
  }
  // Every record is consumed by on_record, which returns null so that csv-parse passes nothing on.
  const parser = parse({
    bom: true,
    // Spaces around values and around quoted fields (` "2" `) are dropped.
    trim: true,
    skip_empty_lines: true,
    // Row lengths are checked in onRecord, whose error can name the header's count.
    relax_column_count: true,
    on_record: (record: string[], info) => reader.onRecord(record, info.lines),
  });
  try {
    await pipeline(checkedChunks, parser, async (records: AsyncIterable<unknown>) => {
      for await (const _ of records);
    });
  } catch (err) {
    throw reader.explain(err);
  }
  const dataset = reader.finish();
  onProgress?.({ rows: dataset.rows, bytesRead, totalBytes });
  return dataset;
}

interface CheckedOptions {
  label: string | null;
  requireLabel: boolean;
  classes: readonly (string | number)[] | undefined;
  onProgress: ((progress: LoadProgress) => void) | undefined;
}

function checkOptions(options: LoadCsvOptions): CheckedOptions {
  const label = options.label === undefined ? 'label' : options.label;
  if (label !== null && (typeof label !== 'string' || label === '')) {
    throw new TypeError(`loadCsv: label must be a column name or null, got ${JSON.stringify(label)}`);
  }
  const requireLabel = options.requireLabel ?? true;
  if (typeof requireLabel !== 'boolean') throw new TypeError(`loadCsv: requireLabel must be true or false, got ${JSON.stringify(requireLabel)}`);
  if (label === null && options.requireLabel === true) {
    throw new TypeError('loadCsv: requireLabel is true but label is null; name the label column, or drop requireLabel');
  }
  const classes = options.classes;
  if (classes !== undefined) {
    if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string' || (typeof c === 'number' && Number.isFinite(c)))) {
      throw new TypeError('loadCsv: classes must be a non-empty array of label values (numbers or strings), as the dataset of training returned them');
    }
    const keys = classes.map(String);
    const dup = keys.find((k, i) => keys.indexOf(k) !== i);
    if (dup !== undefined) throw new TypeError(`loadCsv: classes lists ${JSON.stringify(dup)} twice; each label value may appear once`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError('loadCsv: onProgress must be a function');
  }
  return { label, requireLabel, classes, onProgress: options.onProgress };
}

async function fileSize(file: string): Promise<number> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new CsvError('NOT_A_FILE', { file }, `${resolve(file)} is ${s.isDirectory() ? 'a directory' : 'not a regular file'}; give the path of a .csv file`);
    return s.size;
  } catch (err) {
    throw fileError(file, err);
  }
}

function fileError(file: string, err: unknown): unknown {
  if (err instanceof CsvError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') {
    return new CsvError('FILE_NOT_FOUND', { file }, `no such file (looked for ${resolve(file)}); check the path and the current directory`, { cause: err });
  }
  if (code === 'EISDIR') return new CsvError('NOT_A_FILE', { file }, `${resolve(file)} is a directory; give the path of a .csv file`, { cause: err });
  if (typeof code === 'string') {
    const reason = err instanceof Error ? err.message : String(err);
    return new CsvError('UNREADABLE', { file }, `cannot read the file (${reason}); check that it exists and that you may read it`, { cause: err });
  }
  return err;
}

/** The state of one load: the header, the rows so far, the labels so far. */
class CsvRowReader {
  private header: CsvHeader | undefined;
  private headerLine = 0;
  private lastLine = 0;
  private width = 0;
  private values: RowBuffer | undefined;
  private labels = new Int32Array(1024);
  private readonly encoder: LabelEncoder;

  constructor(
    private readonly file: string,
    private readonly opts: CheckedOptions,
  ) {
    this.encoder = new LabelEncoder(opts.classes);
  }

  get rows(): number {
    return this.values?.rows ?? 0;
  }

  onRecord(record: string[], line: number): null {
    this.lastLine = line;
    // A line of spaces: trimmed to one empty field, and skipped like an empty line.
    if (record.length === 1 && record[0] === '' && this.width !== 1) return null;
    if (this.header === undefined) {
      this.header = readHeader(record, { file: this.file, line }, this.opts.label, this.opts.requireLabel);
      this.headerLine = line;
      this.width = record.length;
      this.values = new RowBuffer(this.header.featureNames.length);
      return null;
    }
    if (record.length !== this.width) {
      throw new CsvError(
        'FIELD_COUNT',
        { file: this.file, line },
        `the row has ${record.length} field${record.length === 1 ? '' : 's'} but the header has ${this.width} columns; ` +
          'every row needs one value per column (look for a missing or extra comma, or an unquoted comma inside a value)',
      );
    }
    const values = this.values!;
    const at = values.startRow();
    const out = values.chunk;
    const labelIndex = this.header.labelIndex;
    let k = at;
    for (let c = 0; c < record.length; c++) {
      if (c === labelIndex) continue;
      const v = parseDecimal(record[c]!);
      if (!(v <= FLOAT32_MAX && v >= -FLOAT32_MAX)) throw this.valueError(record[c]!, line, c);
      out[k++] = v;
    }
    if (labelIndex >= 0) this.addLabel(record[labelIndex]!, line, labelIndex);
    return null;
  }

  private addLabel(value: string, line: number, c: number): void {
    if (value === '') {
      throw new CsvError('EMPTY_VALUE', { file: this.file, line, column: this.column(c) }, 'the label is empty; give every row a label, or remove the row');
    }
    const index = this.encoder.encode(value);
    if (index === -1) {
      const classes = this.opts.classes!;
      const known = classes.slice(0, SHOWN_CLASSES).map((k) => JSON.stringify(k)).join(', ') + (classes.length > SHOWN_CLASSES ? ', …' : '');
      throw new CsvError(
        'UNKNOWN_LABEL',
        { file: this.file, line, column: this.column(c) },
        `the label ${showValue(value)} is not one of the ${classes.length} classes the model knows (${known}); ` +
          'evaluate with data labelled like the training data, or retrain with this class',
      );
    }
    const row = this.rows - 1;
    if (row === this.labels.length) {
      const grown = new Int32Array(2 * this.labels.length);
      grown.set(this.labels);
      this.labels = grown;
    }
    this.labels[row] = index;
  }

  private valueError(value: string, line: number, c: number): CsvError {
    const where = { file: this.file, line, column: this.column(c) };
    if (value.trim() === '') {
      return new CsvError('EMPTY_VALUE', where, 'the value is empty; missing values are not supported, fill in a number or remove the row');
    }
    const v = Number(value);
    if (Number.isFinite(v) && Math.abs(v) > FLOAT32_MAX) {
      return new CsvError('NOT_A_NUMBER', where, `${showValue(value)} is too large for float32 (at most ±3.4e38); rescale this column`);
    }
    const comma = /^\s*[+-]?\d+,\d+\s*$/.test(value) ? ' (write decimals with a dot: 0.5, not 0,5)' : '';
    const fix =
      this.header?.labelIndex === -1
        ? `if this column holds the labels, name it with the label option (--label ${JSON.stringify(where.column.name)})`
        : 'remove text columns such as ids or names from the file';
    return new CsvError('NOT_A_NUMBER', where, `${showValue(value)} is not a number${comma}; every feature column must hold decimal numbers: ${fix}`);
  }

  private column(c: number): CsvColumn {
    return { name: this.header?.names[c] ?? `column ${c + 1}`, index: c + 1 };
  }

  /** Turns an error from reading or parsing into a CsvError that says where and what to do. */
  explain(err: unknown): unknown {
    if (err instanceof CsvError) return err;
    if (err instanceof CsvParseError) {
      const info = err as CsvParseError & { lines?: number; column?: number | string };
      const c = typeof info.column === 'number' ? info.column : undefined;
      const column = c !== undefined && this.header !== undefined ? this.column(c) : undefined;
      switch (err.code) {
        case 'CSV_QUOTE_NOT_CLOSED':
          return new CsvError(
            'UNCLOSED_QUOTE',
            { file: this.file, line: this.lastLine + 1, column },
            `a quoted field opens in the row starting here and is never closed (the file ends inside the quotes at line ${info.lines ?? '?'}); ` +
              'add the closing quote, or write a quote inside a quoted value as two quotes ("")',
            { cause: err },
          );
        case 'CSV_INVALID_CLOSING_QUOTE':
        case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
          return new CsvError(
            'BAD_QUOTE',
            { file: this.file, line: info.lines, column },
            'text follows the closing quote of a quoted field; put the whole value inside the quotes, and write a quote inside it as two quotes ("")',
            { cause: err },
          );
        case 'INVALID_OPENING_QUOTE':
          return new CsvError(
            'BAD_QUOTE',
            { file: this.file, line: info.lines, column },
            'a quote appears inside an unquoted value; quote the whole value ("a ""b"" c") or remove the quote',
            { cause: err },
          );
        default:
          return new CsvError('MALFORMED', { file: this.file, line: info.lines, column }, `${err.message}; fix the file at this line`, { cause: err });
      }
    }
    return fileError(this.file, err);
  }

  finish(): CsvDataset {
    const header = this.header;
    if (header === undefined) {
      throw new CsvError('EMPTY_FILE', { file: this.file }, 'the file has only blank lines; a CSV needs a header row and at least one data row');
    }
    const values = this.values!;
    const rows = values.rows;
    if (rows === 0) {
      throw new CsvError(
        'NO_DATA_ROWS',
        { file: this.file, line: this.headerLine },
        `the file has a header (${header.names.length} columns) but no data rows; add rows below the header`,
      );
    }
    const x = new Tensor(values.take(), [rows, header.featureNames.length]);
    const dataset: CsvDataset = { x, featureNames: header.featureNames, rows, file: this.file };
    if (header.labelIndex >= 0) {
      const labels = this.labels.length === rows ? this.labels : this.labels.slice(0, rows);
      dataset.classes = this.encoder.finish(labels);
      dataset.labels = labels;
      dataset.labelColumn = header.names[header.labelIndex];
    }
    return dataset;
  }
}
