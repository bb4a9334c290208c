import { Tensor } from '@dlfs/tensor';
import { CsvError as CsvParseError } from 'csv-parse';
import { type CsvColumn, CsvError, showValue } from './csv-error.js';
import { type CsvHeader, readHeader } from './csv-header.js';
import { type CsvWarning, labelSpellingsWarning, manyClassesWarning } from './csv-warning.js';
import { fileError } from './file-error.js';
import { type Classes, LabelEncoder } from './label-encoder.js';
import { isHugeDecimal, parseDecimal } from './parse-decimal.js';
import { RowBuffer } from './row-buffer.js';

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
  /** What loaded but looks like a mistake (labels spelled two ways, a label column of ids); empty when nothing. */
  warnings: readonly CsvWarning[];
}

export interface RowReaderOptions {
  label: string | null;
  requireLabel: boolean;
  classes: readonly (string | number)[] | undefined;
}

/** Where the fast parser writes a row's values once the header is known. */
export interface RowLayout {
  /** Fields per row, the label's included. */
  readonly width: number;
  /** The label's field index, or -1. */
  readonly labelIndex: number;
  readonly values: RowBuffer;
}

export const FLOAT32_MAX = 3.4028234663852886e38;
const SHOWN_CLASSES = 12;

/**
 * The state of one load, whichever parser splits the file into records: the header, the rows
 * so far, the labels so far. Both parsers hand it records as csv-parse would, with the line
 * csv-parse would give, so every error it throws is the same for both.
 */
export class CsvRowReader {
  private header: CsvHeader | undefined;
  private headerLine = 0;
  private lastLine = 0;
  private width = 0;
  private values: RowBuffer | undefined;
  private labels = new Int32Array(1024);
  private readonly encoder: LabelEncoder;
  private rowLayout: RowLayout | undefined;

  constructor(
    private readonly file: string,
    private readonly opts: RowReaderOptions,
  ) {
    this.encoder = new LabelEncoder(opts.classes);
  }

  /** Where a fast parser may write rows: set once the header is read. */
  get layout(): RowLayout | undefined {
    return this.rowLayout;
  }

  get rows(): number {
    return this.values?.rows ?? 0;
  }

  /** One record (csv-parse's `on_record`): the header, or a data row checked and stored. */
  onRecord(record: string[], line: number): null {
    this.lastLine = line;
    // A line of spaces: trimmed to one empty field, and skipped like an empty line.
    if (record.length === 1 && record[0] === '' && this.width !== 1) return null;
    if (this.header === undefined) {
      this.header = readHeader(record, { file: this.file, line }, this.opts.label, this.opts.requireLabel);
      this.headerLine = line;
      this.width = record.length;
      this.values = new RowBuffer(this.header.featureNames.length);
      this.rowLayout = { width: this.width, labelIndex: this.header.labelIndex, values: this.values };
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

  /**
   * Completes a row the fast parser wrote straight into `layout.values` (after its
   * `startRow`), every value checked as `onRecord` checks it. False, with nothing stored,
   * when the label is not among the given classes: the parser then cancels the row and
   * hands it to `onRecord`, which throws the error.
   */
  fastRow(label: string | undefined, line: number): boolean {
    if (label !== undefined) {
      const index = this.encoder.encode(label, line);
      if (index === -1) return false;
      this.storeLabel(index);
    }
    this.lastLine = line;
    return true;
  }

  private addLabel(value: string, line: number, c: number): void {
    if (value === '') {
      throw new CsvError('EMPTY_VALUE', { file: this.file, line, column: this.column(c) }, 'the label is empty; give every row a label, or remove the row', {
        value,
      });
    }
    const index = this.encoder.encode(value, line);
    if (index === -1) {
      const classes = this.opts.classes!;
      const known =
        classes
          .slice(0, SHOWN_CLASSES)
          .map((k) => JSON.stringify(k))
          .join(', ') + (classes.length > SHOWN_CLASSES ? ', …' : '');
      throw new CsvError(
        'UNKNOWN_LABEL',
        { file: this.file, line, column: this.column(c) },
        `the label ${showValue(value)} is not one of the ${classes.length} classes the model knows (${known}); ` +
          'evaluate with data labelled like the training data, or retrain with this class',
        { value, classes },
      );
    }
    this.storeLabel(index);
  }

  private storeLabel(index: number): void {
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
      return new CsvError('EMPTY_VALUE', where, 'the value is empty; missing values are not supported, fill in a number or remove the row', { value });
    }
    // Beyond float32 (1e39) or beyond float64 too (1e400, which parseDecimal gives as NaN): a number all the same.
    if (Math.abs(parseDecimal(value)) > FLOAT32_MAX || isHugeDecimal(value)) {
      return new CsvError('NOT_A_NUMBER', where, `${showValue(value)} is a number too large for float32 (at most ±3.4e38); rescale this column`, {
        value,
        tooLarge: true,
      });
    }
    const comma = /^\s*[+-]?\d+,\d+\s*$/.test(value) ? ' (write decimals with a dot: 0.5, not 0,5)' : '';
    const fix =
      this.header?.labelIndex === -1
        ? `if this column holds the labels, name it with the label option (label: ${JSON.stringify(where.column.name)})`
        : 'remove text columns such as ids or names from the file';
    return new CsvError('NOT_A_NUMBER', where, `${showValue(value)} is not a number${comma}; every feature column must hold decimal numbers: ${fix}`, {
      value,
      tooLarge: false,
    });
  }

  private column(c: number): CsvColumn {
    return { name: this.header?.names[c] ?? `column ${c + 1}`, index: c + 1 };
  }

  /**
   * Turns an error from reading or parsing into a CsvError that says where and what to do.
   * Syntax errors arrive as csv-parse's CsvError from either parser (the byte parser raises
   * the same codes with the same `lines` and `column`).
   */
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
    const warnings: CsvWarning[] = [];
    const dataset: CsvDataset = { x, featureNames: header.featureNames, rows, file: this.file, warnings };
    if (header.labelIndex >= 0) {
      const labels = this.labels.length === rows ? this.labels : this.labels.slice(0, rows);
      const classes = this.encoder.finish(labels);
      dataset.classes = classes;
      dataset.labels = labels;
      dataset.labelColumn = header.names[header.labelIndex];
      const column = this.column(header.labelIndex);
      const spellings = this.encoder.spellings();
      if (spellings.length > 0) warnings.push(labelSpellingsWarning(this.file, column, spellings));
      // Given classes are a model's: their count says nothing about this file.
      const many = this.opts.classes === undefined ? manyClassesWarning(this.file, column, classes.length, rows) : undefined;
      if (many !== undefined) warnings.push(many);
    }
    return dataset;
  }
}
