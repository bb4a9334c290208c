import { type CsvColumn, formatPlace } from './csv-error.js';
import type { LabelSpellings } from './label-encoder.js';

/**
 * Something in a file that loaded but is probably not what its author meant. The message
 * starts with the file and column, like a CsvError's; the other fields carry the same facts
 * for a program that phrases its own.
 */
export type CsvWarning =
  | {
      /** The same number written as labels in more than one way (`1`, `1.0`, `01`, `1e0`). */
      readonly code: 'LABEL_SPELLINGS';
      readonly message: string;
      /** The label column. */
      readonly column: CsvColumn;
      readonly spellings: readonly LabelSpellings[];
    }
  | {
      /** Nearly as many classes as rows: the label column looks like an id or a measurement. */
      readonly code: 'MANY_CLASSES';
      readonly message: string;
      /** The label column. */
      readonly column: CsvColumn;
      /** Distinct labels (classes) in the file. */
      readonly classes: number;
      readonly rows: number;
    };

export type CsvWarningCode = CsvWarning['code'];

/**
 * MANY_CLASSES is given when the inferred classes are more than MANY_CLASSES_MIN and more than
 * MANY_CLASSES_PER_ROW of the rows, i.e. on average fewer than two rows per class: most classes
 * then have a single example, which a classifier cannot learn and a validation split cannot
 * test. The minimum keeps small files quiet (the 10 digits in a 12-row test file) while any real
 * classification file (10 digits, 100 classes over thousands of rows) stays far below.
 */
export const MANY_CLASSES_MIN = 20;
export const MANY_CLASSES_PER_ROW = 0.5;

const SHOWN_GROUPS = 5;
const SHOWN_SPELLINGS = 6;

/** A LABEL_SPELLINGS warning for `groups` (not empty), found in the label column `column`. */
export function labelSpellingsWarning(file: string, column: CsvColumn, groups: readonly LabelSpellings[]): CsvWarning {
  const merged = groups[0]!.merged;
  const shown = groups
    .slice(0, SHOWN_GROUPS)
    .map((g) => {
      const texts = listAnd(
        g.spellings.slice(0, SHOWN_SPELLINGS).map((s) => `${JSON.stringify(s.text)} (line ${s.line})`),
        g.spellings.length - SHOWN_SPELLINGS,
      );
      return merged ? `${texts} as class ${g.value}` : texts;
    })
    .join('; ');
  const more = groups.length > SHOWN_GROUPS ? `; and ${groups.length - SHOWN_GROUPS} more numbers` : '';
  const message = merged
    ? `labels that are the same number written differently were taken as one class: ${shown}${more}. ` +
      'Write each class one way; if they are meant to be different classes, give them labels that are not the same number'
    : `labels that are the same number written differently are different classes, since not every label is a whole number ` +
      `(the classes are then the label texts): ${shown}${more}. Write each class one way`;
  return { code: 'LABEL_SPELLINGS', message: `${formatPlace(file, undefined, column)}: ${message}`, column, spellings: groups };
}

/** A MANY_CLASSES warning when `classes` inferred classes over `rows` rows pass the thresholds above; undefined otherwise. */
export function manyClassesWarning(file: string, column: CsvColumn, classes: number, rows: number): CsvWarning | undefined {
  if (classes <= MANY_CLASSES_MIN || classes <= rows * MANY_CLASSES_PER_ROW) return undefined;
  const message =
    `the label column has ${classes} different values in ${rows} rows, fewer than two rows per class; it looks like an id or a ` +
    'continuous value (a measurement, a price) rather than a class. Check that the label option names the column of classes';
  return { code: 'MANY_CLASSES', message: `${formatPlace(file, undefined, column)}: ${message}`, column, classes, rows };
}

/** `a`, `a and b`, `a, b and c`; `hidden` more items make it `a, b and 3 more`. */
function listAnd(items: readonly string[], hidden: number): string {
  const all = hidden > 0 ? [...items, `${hidden} more`] : [...items];
  return all.length <= 1 ? (all[0] ?? '') : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
}
