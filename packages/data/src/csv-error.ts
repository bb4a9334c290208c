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
 * A CSV file that cannot be loaded. The message starts with where the problem is
 * (`train.csv, line 7, column 3 "pixel1":`) and ends with what would fix it. `line` is
 * 1-based and counts the header; it is undefined for problems with the file as a whole
 * (not found, empty).
 */
export class CsvError extends Error {
  readonly code: CsvErrorCode;
  readonly file: string;
  readonly line: number | undefined;
  readonly column: CsvColumn | undefined;

  constructor(
    code: CsvErrorCode,
    where: { file: string; line?: number | undefined; column?: CsvColumn | undefined },
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${formatPlace(where.file, where.line, where.column)}: ${detail}`, options);
    this.name = 'CsvError';
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
  }
}

function formatPlace(file: string, line: number | undefined, column: CsvColumn | undefined): string {
  let place = file;
  if (line !== undefined) place += `, line ${line}`;
  if (column !== undefined) place += `, column ${column.index} ${JSON.stringify(column.name)}`;
  return place;
}

/** A field's text for a message: quoted, and cut short when it is long. */
export function showValue(value: string, max = 40): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
