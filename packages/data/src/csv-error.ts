/** What went wrong, for a program that wants to react to one kind of problem and not another. */
export type CsvErrorCode =
  | 'FILE_NOT_FOUND'
  | 'NOT_A_FILE'
  | 'UNREADABLE'
  | 'EMPTY_FILE'
  | 'NO_HEADER'
  | 'EMPTY_COLUMN_NAME'
  | 'DUPLICATE_COLUMN'
  | 'MISSING_LABEL_COLUMN'
  | 'NO_FEATURES'
  | 'NO_DATA_ROWS'
  | 'FIELD_COUNT'
  | 'EMPTY_VALUE'
  | 'NOT_A_NUMBER'
  | 'UNKNOWN_LABEL'
  | 'UNCLOSED_QUOTE'
  | 'BAD_QUOTE'
  | 'MALFORMED'
  | 'NOT_CSV';

/** A column of the CSV: its header name and its 1-based position in the row. */
export interface CsvColumn {
  readonly name: string;
  readonly index: number;
}

/**
 * Facts about a problem beyond its place, for a program that phrases its own advice (a command
 * line names its flags, a web page its fields). Each is set only for the codes listed with it.
 */
export interface CsvErrorFacts {
  /** NOT_A_NUMBER, EMPTY_VALUE, UNKNOWN_LABEL: the field as read (quotes and surrounding spaces removed). */
  readonly value?: string | undefined;
  /** NOT_A_NUMBER: true when the value is a decimal number beyond float32's range (`1e39`, `1e400`), false when it is no number. */
  readonly tooLarge?: boolean | undefined;
  /** MISSING_LABEL_COLUMN, NO_FEATURES: the label column asked for (the `label` option). */
  readonly label?: string | undefined;
  /** MISSING_LABEL_COLUMN, NO_FEATURES: every column name of the header, in order. */
  readonly columns?: readonly string[] | undefined;
  /** UNKNOWN_LABEL: the classes the labels had to be among (the `classes` option). */
  readonly classes?: readonly (string | number)[] | undefined;
}

/**
 * A CSV file that cannot be loaded. The message starts with where the problem is
 * (`train.csv, line 7, column 3 "pixel1":`) and ends with what would fix it, in terms of
 * loadCsv's options. `line` is 1-based and counts the header; it is undefined for problems
 * with the file as a whole (not found, empty). The fields of `CsvErrorFacts` carry what a
 * front end needs to give its own advice instead.
 */
export class CsvError extends Error implements CsvErrorFacts {
  readonly code: CsvErrorCode;
  readonly file: string;
  readonly line: number | undefined;
  readonly column: CsvColumn | undefined;
  readonly value: string | undefined;
  readonly tooLarge: boolean | undefined;
  readonly label: string | undefined;
  readonly columns: readonly string[] | undefined;
  readonly classes: readonly (string | number)[] | undefined;

  constructor(
    code: CsvErrorCode,
    where: { file: string; line?: number | undefined; column?: CsvColumn | undefined },
    detail: string,
    options: CsvErrorFacts & { cause?: unknown } = {},
  ) {
    super(`${formatPlace(where.file, where.line, where.column)}: ${detail}`, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'CsvError';
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.value = options.value;
    this.tooLarge = options.tooLarge;
    this.label = options.label;
    this.columns = options.columns;
    this.classes = options.classes;
  }
}

/** `train.csv, line 7, column 3 "pixel1"`, leaving out what is undefined. */
export function formatPlace(file: string, line: number | undefined, column: CsvColumn | undefined): string {
  let place = file;
  if (line !== undefined) place += `, line ${line}`;
  if (column !== undefined) place += `, column ${column.index} ${JSON.stringify(column.name)}`;
  return place;
}

/** A field's text for a message: quoted, and cut short when it is long. */
export function showValue(value: string, max = 40): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
