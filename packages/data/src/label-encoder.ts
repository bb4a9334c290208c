import { parseDecimal } from './parse-decimal.js';

/** The label mapping: `classes[i]` is the label value that class index i stands for. */
export type Classes = number[] | string[];

/**
 * Turns label values as written in a CSV into class indices.
 *
 * Without given classes it infers them: when every label is a whole number the classes are
 * those numbers sorted numerically (labels 0..9 become indices 0..9, "10" sorts after "9"),
 * otherwise the distinct strings sorted by UTF-16 code units (JavaScript's default sort).
 * `encode` then hands out provisional indices, and `finish` renumbers them.
 *
 * With given classes (a model's, so that indices match training) `encode` returns the index
 * in that list, or -1 for a value not in it. Numbers are matched by value ("7", "7.0" and
 * " 7" are class 7); anything else by its exact text.
 */
export class LabelEncoder {
  private readonly given: ReadonlyMap<string | number, number> | undefined;
  private readonly givenNumeric: boolean;
  private readonly givenClasses: Classes | undefined;
  private readonly seen = new Map<string, number>();
  private readonly values: string[] = [];

  constructor(classes?: readonly (string | number)[]) {
    if (classes === undefined) {
      this.givenNumeric = false;
      return;
    }
    this.givenNumeric = classes.every((c) => typeof c === 'number');
    const map = new Map<string | number, number>();
    classes.forEach((c, i) => map.set(this.givenNumeric ? c : String(c), i));
    this.given = map;
    this.givenClasses = this.givenNumeric ? (classes as number[]).slice() : classes.map(String);
  }

  /** The class index of a label value (provisional when inferring; -1 when not among given classes). */
  encode(value: string): number {
    if (this.given !== undefined) {
      return this.given.get(this.givenNumeric ? parseDecimal(value) : value) ?? -1;
    }
    let id = this.seen.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.seen.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  /** The classes; provisional indices in `labels` (the first `count`) are renumbered in place to match them. */
  finish(labels: Int32Array, count = labels.length): Classes {
    if (this.givenClasses !== undefined) return this.givenClasses;
    const numbers = this.values.map(parseDecimal);
    const remap = new Int32Array(this.values.length);
    let classes: Classes;
    if (numbers.every(Number.isInteger)) {
      const sorted = [...new Set(numbers)].sort((a, b) => a - b);
      const index = new Map(sorted.map((v, i) => [v, i]));
      numbers.forEach((v, id) => (remap[id] = index.get(v)!));
      classes = sorted;
    } else {
      const sorted = this.values.slice().sort();
      const index = new Map(sorted.map((v, i) => [v, i]));
      this.values.forEach((v, id) => (remap[id] = index.get(v)!));
      classes = sorted;
    }
    for (let i = 0; i < count; i++) labels[i] = remap[labels[i]!]!;
    return classes;
  }
}
