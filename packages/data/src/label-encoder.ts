import { parseDecimal } from './parse-decimal.js';

/** The label mapping: `classes[i]` is the label value that class index i stands for. */
export type Classes = number[] | string[];

/** One number written as labels in more than one way (`1`, `1.0`, `01`, `1e0`). */
export interface LabelSpellings {
  /** The number the spellings stand for. */
  readonly value: number;
  /**
   * True when they were taken as one class (whole-number labels, or given numeric classes);
   * false when they stayed different classes (labels taken as text, since not all are whole numbers).
   */
  readonly merged: boolean;
  /** The spellings in the order they first appear, each with the line it first appears on. */
  readonly spellings: readonly { readonly text: string; readonly line: number }[];
}

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
 *
 * Either way it keeps each distinct label text once, with the line it first appears on, so
 * that `spellings` can tell which texts are the same number.
 */
export class LabelEncoder {
  private readonly given: ReadonlyMap<string | number, number> | undefined;
  private readonly givenNumeric: boolean;
  private readonly givenClasses: Classes | undefined;
  /** Each distinct label text → its place in `texts`. */
  private readonly seen = new Map<string, number>();
  private readonly texts: string[] = [];
  private readonly firstLines: number[] = [];
  /** Class index of each of `texts`: with given classes at once, when inferring after `finish`. */
  private textClass: number[] = [];
  private numericClasses = false;

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
    this.numericClasses = this.givenNumeric;
  }

  /**
   * The class index of a label value (provisional when inferring; -1 when not among given
   * classes). `line` is where it is, remembered for a text not seen before.
   */
  encode(value: string, line = 0): number {
    const id = this.seen.get(value);
    if (id !== undefined) return this.given === undefined ? id : this.textClass[id]!;
    let index = this.texts.length;
    if (this.given !== undefined) {
      index = this.given.get(this.givenNumeric ? parseDecimal(value) : value) ?? -1;
      if (index === -1) return -1;
      this.textClass.push(index);
    }
    this.seen.set(value, this.texts.length);
    this.texts.push(value);
    this.firstLines.push(line);
    return index;
  }

  /** The classes; provisional indices in `labels` (the first `count`) are renumbered in place to match them. */
  finish(labels: Int32Array, count = labels.length): Classes {
    if (this.givenClasses !== undefined) return this.givenClasses;
    const numbers = this.texts.map(parseDecimal);
    const remap = new Int32Array(this.texts.length);
    let classes: Classes;
    this.numericClasses = numbers.every(Number.isInteger);
    if (this.numericClasses) {
      // A Set keeps -0 as 0, so "-0" and "0" are class 0.
      const sorted = [...new Set(numbers)].sort((a, b) => a - b);
      const index = new Map(sorted.map((v, i) => [v, i]));
      numbers.forEach((v, id) => (remap[id] = index.get(v)!));
      classes = sorted;
    } else {
      const sorted = this.texts.slice().sort();
      const index = new Map(sorted.map((v, i) => [v, i]));
      this.texts.forEach((v, id) => (remap[id] = index.get(v)!));
      classes = sorted;
    }
    this.textClass = Array.from(remap);
    for (let i = 0; i < count; i++) labels[i] = remap[labels[i]!]!;
    return classes;
  }

  /**
   * After `finish`: every number written as labels in more than one way, smallest first.
   * Empty for given text classes, which match labels by their exact text.
   */
  spellings(): LabelSpellings[] {
    if (this.given !== undefined && !this.givenNumeric) return [];
    // Texts grouped by the number they are: the class index when classes are numbers, else the value.
    const groups = new Map<number, number[]>();
    this.texts.forEach((text, id) => {
      const key = this.numericClasses ? this.textClass[id]! : parseDecimal(text);
      if (Number.isNaN(key)) return;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [id]);
      else group.push(id);
    });
    const out: LabelSpellings[] = [];
    for (const ids of groups.values()) {
      if (ids.length < 2) continue;
      out.push({
        // + 0 turns -0 into 0.
        value: parseDecimal(this.texts[ids[0]!]!) + 0,
        merged: this.numericClasses,
        spellings: ids.map((id) => ({ text: this.texts[id]!, line: this.firstLines[id]! })),
      });
    }
    return out.sort((a, b) => a.value - b.value);
  }
}
