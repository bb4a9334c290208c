import { CsvError } from './csv-error.js';
import { isHugeDecimal, parseDecimal } from './parse-decimal.js';

/** A checked header row: the column names, where the label is (-1: no label column) and the feature columns' names. */
export interface CsvHeader {
  readonly names: readonly string[];
  readonly labelIndex: number;
  readonly featureNames: string[];
}

const SHOWN_COLUMNS = 6;

/**
 * Checks the header row (`line` is where it is) and finds the label column. The header must
 * name every column, each name once; a row of numbers is taken for data and refused, since
 * the loader has no way to tell which column is the label without names.
 */
export function readHeader(names: readonly string[], where: { file: string; line: number }, label: string | null, requireLabel: boolean): CsvHeader {
  const only = names.length === 1 ? names[0]! : '';
  const separator = [';', '\t', '|'].find((sep) => only.includes(sep));
  if (separator !== undefined) {
    throw new CsvError(
      'MALFORMED',
      where,
      `the header is one column, ${JSON.stringify(only.length > 60 ? `${only.slice(0, 60)}…` : only)}: the file seems to separate values with ` +
        `${JSON.stringify(separator)}, ` +
        'but a CSV separates them with commas; save or export the file as comma-separated values',
    );
  }
  if (names.every((name) => !Number.isNaN(parseDecimal(name)) || isHugeDecimal(name))) {
    throw new CsvError(
      'NO_HEADER',
      where,
      `the first row (${preview(names)}) is numbers, not column names; the file needs a header row naming each column ` +
        `(for Kaggle's digits: label,pixel0,…,pixel783). Add one as the first line`,
    );
  }
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === '') {
      const hint = i === 0 ? ' (a pandas index column? save the file with to_csv(..., index=False))' : '';
      throw new CsvError(
        'EMPTY_COLUMN_NAME',
        { ...where, column: { name, index: i + 1 } },
        `column ${i + 1} has no name${hint}; give every column a name in the header`,
      );
    }
    const before = seen.get(name);
    if (before !== undefined) {
      throw new CsvError(
        'DUPLICATE_COLUMN',
        { ...where, column: { name, index: i + 1 } },
        `the header names ${JSON.stringify(name)} twice, as column ${before + 1} and column ${i + 1}; column names must be unique, rename one of them`,
      );
    }
    seen.set(name, i);
  });

  const labelIndex = label === null ? -1 : names.indexOf(label);
  if (label !== null && labelIndex === -1 && requireLabel) {
    const other = names.find((name) => name.toLowerCase() === label.toLowerCase());
    const hint = other !== undefined ? ` Did you mean ${JSON.stringify(other)}?` : '';
    throw new CsvError(
      'MISSING_LABEL_COLUMN',
      where,
      `there is no label column ${JSON.stringify(label)}; the header starts ${preview(names)}.${hint} ` +
        'Name the label column with the label option (label: "<column>"), or pass label: null for a file without labels',
      { label, columns: names },
    );
  }
  const featureNames = names.filter((_, i) => i !== labelIndex);
  if (featureNames.length === 0) {
    throw new CsvError('NO_FEATURES', where, `the only column is the label ${JSON.stringify(label)}; a dataset needs at least one feature column besides it`, {
      label: label ?? undefined,
      columns: names,
    });
  }
  return { names, labelIndex, featureNames };
}

/** The first few names, quoted, and how many there are in all. */
function preview(names: readonly string[]): string {
  const shown = names
    .slice(0, SHOWN_COLUMNS)
    .map((name) => JSON.stringify(name))
    .join(', ');
  return names.length > SHOWN_COLUMNS ? `${shown}, … (${names.length} columns)` : `${shown} (${names.length} column${names.length === 1 ? '' : 's'})`;
}
