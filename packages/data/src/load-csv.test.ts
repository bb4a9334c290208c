import { describe, expect, it } from 'vitest';
import { CsvError, showValue } from './csv-error.js';
import { type LoadCsvOptions, type LoadProgress, loadCsv } from './load-csv.js';
import { expectCsvError, useTempDir } from './test-support/index.js';

const tmp = useTempDir();

// Every test runs with both parsers: the fast byte parser (the default) and csv-parse, the reference.
describe.each(['fast', 'csv-parse'] as const)('with parser %s', (parser) => {
  const load = (file: string, options: LoadCsvOptions = {}) => loadCsv(file, { ...options, parser });

  describe('loadCsv reads', () => {
    it('a labelled file into float32 features, class indices and the label mapping', async () => {
      const file = tmp.write('basic.csv', 'label,a,b\n1,2,3\n0,4.5,-6\n1,1e2,0.1\n');
      const d = await load(file);
      expect(d.x.dtype).toBe('float32');
      expect(d.x.shape).toEqual([3, 2]);
      expect(Array.from(d.x.data)).toEqual([2, 3, 4.5, -6, 100, Math.fround(0.1)]);
      expect(Array.from(d.labels!)).toEqual([1, 0, 1]);
      expect(d.classes).toEqual([0, 1]);
      expect(d.featureNames).toEqual(['a', 'b']);
      expect(d.labelColumn).toBe('label');
      expect(d.rows).toBe(3);
      expect(d.file).toBe(file);
    });

    it('the label column wherever it is, under any name', async () => {
      const file = tmp.write('middle.csv', 'a,digit,b\n1,7,2\n3,5,4\n');
      const d = await load(file, { label: 'digit' });
      expect(Array.from(d.x.data)).toEqual([1, 2, 3, 4]);
      expect(d.featureNames).toEqual(['a', 'b']);
      expect(d.classes).toEqual([5, 7]);
      expect(Array.from(d.labels!)).toEqual([1, 0]);
    });

    it('a file without labels with label: null, every column a feature (Kaggle test.csv)', async () => {
      const file = tmp.write('test.csv', 'pixel0,pixel1\n0,255\n12,0\n');
      const d = await load(file, { label: null });
      expect(d.x.shape).toEqual([2, 2]);
      expect(Array.from(d.x.data)).toEqual([0, 255, 12, 0]);
      expect(d.labels).toBeUndefined();
      expect(d.classes).toBeUndefined();
      expect(d.labelColumn).toBeUndefined();
      expect(d.featureNames).toEqual(['pixel0', 'pixel1']);
    });

    it('a file without the label column as unlabelled when requireLabel is false', async () => {
      const file = tmp.write('unlabelled.csv', 'pixel0,pixel1\n0,255\n');
      const d = await load(file, { requireLabel: false });
      expect(d.labels).toBeUndefined();
      expect(d.featureNames).toEqual(['pixel0', 'pixel1']);
    });

    it('a BOM, CRLF line ends, quoted fields, spaces around values and trailing blank lines', async () => {
      const file = tmp.write('messy.csv', '\uFEFFlabel,"a", b \r\n 1 , "2",3 \r\n0,4, " 5 "\r\n\r\n   \r\n\r\n');
      const d = await load(file);
      expect(d.featureNames).toEqual(['a', 'b']);
      expect(Array.from(d.x.data)).toEqual([2, 3, 4, 5]);
      expect(Array.from(d.labels!)).toEqual([1, 0]);
    });

    it('blank lines between rows and a last row without a line end', async () => {
      const file = tmp.write('gaps.csv', '\nlabel,a\n\n1,2\n\n0,3');
      const d = await load(file);
      expect(Array.from(d.x.data)).toEqual([2, 3]);
    });

    it('quoted text labels with commas and line breaks', async () => {
      const file = tmp.write('text-labels.csv', 'label,a\n"cat, big",1\n"ant\nqueen",2\nbee,3\n"cat, big",4\n');
      const d = await load(file);
      expect(d.classes).toEqual(['ant\nqueen', 'bee', 'cat, big']);
      expect(Array.from(d.labels!)).toEqual([2, 0, 1, 2]);
    });

    it('whole-number labels sorted numerically, so 10 comes after 9', async () => {
      const file = tmp.write('numeric-labels.csv', 'label,a\n10,1\n2,1\n9,1\n-1,1\n2,1\n');
      const d = await load(file);
      expect(d.classes).toEqual([-1, 2, 9, 10]);
      expect(Array.from(d.labels!)).toEqual([3, 1, 2, 0, 1]);
    });

    it('text labels sorted lexicographically, and non-integer labels as text', async () => {
      const words = await load(tmp.write('words.csv', 'label,a\ncat,1\nant,2\nBee,3\n'));
      expect(words.classes).toEqual(['Bee', 'ant', 'cat']);
      expect(Array.from(words.labels!)).toEqual([2, 1, 0]);
      const halves = await load(tmp.write('halves.csv', 'label,a\n0.5,1\n1,2\n'));
      expect(halves.classes).toEqual(['0.5', '1']);
    });

    it('labels through a given mapping, so indices match a trained model', async () => {
      const file = tmp.write('given.csv', 'label,a\n3,1\n0,2\n3.0,3\n');
      const d = await load(file, { classes: [3, 2, 1, 0] });
      expect(d.classes).toEqual([3, 2, 1, 0]);
      expect(Array.from(d.labels!)).toEqual([0, 3, 0]);
      const words = await load(tmp.write('given-words.csv', 'label,a\ncat,1\ndog,2\n'), { classes: ['dog', 'cat', 'eel'] });
      expect(Array.from(words.labels!)).toEqual([1, 0]);
      expect(words.classes).toEqual(['dog', 'cat', 'eel']);
    });

    it('many rows across read chunks and row-buffer chunks, value for value', async () => {
      // 3,000 rows of 785 columns (about 3.6 MB): several 1 MiB reads and several row chunks.
      const rows = 3000;
      const width = 784;
      let seed = 12345;
      const next = (): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed >>> 8;
      };
      const expected = new Float32Array(rows * width);
      const labels = new Int32Array(rows);
      const lines = [`label,${Array.from({ length: width }, (_, i) => `pixel${i}`).join(',')}`];
      for (let r = 0; r < rows; r++) {
        labels[r] = next() % 10;
        const fields = [String(labels[r])];
        for (let j = 0; j < width; j++) {
          const v = next() % 5 === 0 ? next() % 256 : 0;
          expected[r * width + j] = v;
          fields.push(String(v));
        }
        lines.push(fields.join(','));
      }
      const file = tmp.write('many.csv', `${lines.join('\n')}\n`);
      const progress: LoadProgress[] = [];
      const d = await load(file, { onProgress: (p) => progress.push(p) });
      expect(d.x.shape).toEqual([rows, width]);
      // A plain loop: toEqual on millions of elements takes seconds.
      const mismatch = expected.findIndex((v, i) => d.x.data[i] !== v);
      expect(mismatch, `first differing value at ${mismatch}`).toBe(-1);
      expect(Array.from(d.labels!)).toEqual(Array.from(labels));
      expect(d.classes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(progress.length).toBeGreaterThan(2);
      const last = progress.at(-1)!;
      expect(last).toEqual({ rows, bytesRead: last.totalBytes, totalBytes: last.totalBytes });
      for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytesRead).toBeGreaterThanOrEqual(progress[i - 1]!.bytesRead);
    });

    it('values too small for float32 as zero, keeping their sign, like any float32 rounding', async () => {
      const file = tmp.write('tiny.csv', 'label,a,b\n1,1e-400,-1e-400\n0,1e-46,1e-40\n');
      const d = await load(file);
      expect(Array.from(d.x.data, (v) => (Object.is(v, -0) ? '-0' : v))).toEqual([0, '-0', 0, Math.fround(1e-40)]);
      expect(d.warnings).toEqual([]);
    });

    it('non-ASCII UTF-8 header names and labels', async () => {
      const d = await load(tmp.write('utf8.csv', 'étiquette,größe\nchat,1\nchien,2\n'), { label: 'étiquette' });
      expect(d.featureNames).toEqual(['größe']);
      expect(d.classes).toEqual(['chat', 'chien']);
    });
  });

  describe('loadCsv refuses, with a CsvError naming file, line and column', () => {
    it('a file that does not exist', async () => {
      const file = tmp.path('nope.csv');
      await expectCsvError(load(file), { code: 'FILE_NOT_FOUND', file, line: undefined, says: ['no such file', file, 'check the path'] });
    });

    it('a directory', async () => {
      const file = tmp.path('');
      await expectCsvError(load(file), { code: 'NOT_A_FILE', file, line: undefined, says: ['is a directory'] });
    });

    it('an empty file', async () => {
      const file = tmp.write('empty.csv', '');
      await expectCsvError(load(file), { code: 'EMPTY_FILE', file, line: undefined, says: ['empty (0 bytes)', 'header row'] });
    });

    it('a file of blank lines', async () => {
      const file = tmp.write('blank.csv', '\n\r\n   \n');
      await expectCsvError(load(file), { code: 'EMPTY_FILE', file, line: undefined, says: ['only blank lines'] });
    });

    it('a header without data rows', async () => {
      const file = tmp.write('header-only.csv', 'label,a,b\n\n');
      await expectCsvError(load(file), { code: 'NO_DATA_ROWS', file, line: 1, says: ['3 columns', 'no data rows'] });
    });

    it('a first row of numbers instead of a header', async () => {
      const file = tmp.write('no-header.csv', '1,0,0,255\n0,0,12,0\n');
      await expectCsvError(load(file), { code: 'NO_HEADER', file, line: 1, says: ['"1", "0", "0", "255"', 'header row', 'label,pixel0'] });
    });

    it('a row with too few or too many fields, with the counts', async () => {
      const few = tmp.write('few.csv', 'label,a,b\n1,2,3\n0,4\n');
      await expectCsvError(load(few), { code: 'FIELD_COUNT', file: few, line: 3, says: ['2 fields', 'header has 3 columns'] });
      const many = tmp.write('many-fields.csv', 'label,a,b\r\n1,2,3\r\n\r\n0,4,5,6\r\n');
      await expectCsvError(load(many), { code: 'FIELD_COUNT', file: many, line: 4, says: ['4 fields', 'header has 3 columns'] });
    });

    it('a value that is not a number, showing it', async () => {
      const file = tmp.write('text.csv', 'label,a,b\n1,2,3\n0,4,abc\n');
      await expectCsvError(load(file), {
        code: 'NOT_A_NUMBER',
        file,
        line: 3,
        column: { name: 'b', index: 3 },
        says: ['"abc" is not a number', 'decimal numbers'],
      });
    });

    it('a number beyond float64 (1e400) as a number too large, like one beyond float32 (1e39)', async () => {
      const nines = '9'.repeat(400);
      for (const [field, value] of [
        ['1e39', '1e39'],
        ['-3.5e38', '-3.5e38'],
        ['1e400', '1e400'],
        ['-1e400', '-1e400'],
        ['1e99999', '1e99999'],
        ['"1E+400"', '1E+400'],
        [` ${nines} `, nines],
      ] as const) {
        const file = tmp.write('too-large.csv', `label,a,b\n1,2,3\n0,${field},3\n`);
        const err = await expectCsvError(load(file), {
          code: 'NOT_A_NUMBER',
          file,
          line: 3,
          column: { name: 'a', index: 2 },
          says: [`${showValue(value)} is a number too large for float32 (at most ±3.4e38); rescale this column`],
        });
        expect({ value: err.value, tooLarge: err.tooLarge }, field).toEqual({ value, tooLarge: true });
      }
    });

    it('a huge hexadecimal value as no number, not as a number too large', async () => {
      const file = tmp.write('huge-hex.csv', `label,a\n1,0x${'f'.repeat(40)}\n`);
      const err = await expectCsvError(load(file), { code: 'NOT_A_NUMBER', file, line: 2, column: { name: 'a', index: 2 }, says: ['is not a number'] });
      expect(err.tooLarge).toBe(false);
      expect(err.message).not.toContain('too large');
    });

    it('NaN, Infinity, hexadecimal and a decimal comma', async () => {
      for (const [value, says] of [
        ['NaN', '"NaN" is not a number'],
        ['-Infinity', '"-Infinity" is not a number'],
        ['0x1A', '"0x1A" is not a number'],
        ['"0,5"', 'with a dot'],
        ['1e39', 'too large for float32'],
      ] as const) {
        const file = tmp.write('bad-number.csv', `label,a,b\n1,2,3\n0,${value},3\n`);
        await expectCsvError(load(file), { code: 'NOT_A_NUMBER', file, line: 3, column: { name: 'a', index: 2 }, says: [says] });
      }
    });

    it('a text column when there is no label column, suggesting the label option', async () => {
      const file = tmp.write('text-first.csv', 'digit,a\nseven,2\n');
      await expectCsvError(load(file, { label: null }), {
        code: 'NOT_A_NUMBER',
        file,
        line: 2,
        column: { name: 'digit', index: 1 },
        says: ['"seven"', 'label: "digit"'],
      });
    });

    it('an empty value, quoted or not, and an empty label', async () => {
      const file = tmp.write('hole.csv', 'label,a,b\n1,2,3\n0,,3\n');
      await expectCsvError(load(file), { code: 'EMPTY_VALUE', file, line: 3, column: { name: 'a', index: 2 }, says: ['empty', 'missing values'] });
      const quoted = tmp.write('quoted-hole.csv', 'label,a,b\n1,2," "\n');
      await expectCsvError(load(quoted), { code: 'EMPTY_VALUE', file: quoted, line: 2, column: { name: 'b', index: 3 } });
      const label = tmp.write('no-label.csv', 'a,label\n1,2\n3,\n');
      await expectCsvError(load(label), { code: 'EMPTY_VALUE', file: label, line: 3, column: { name: 'label', index: 2 }, says: ['label is empty'] });
    });

    it('a missing label column, listing the first columns and suggesting the label option', async () => {
      const header = Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',');
      const file = tmp.write('kaggle-test.csv', `${header}\n${'0,'.repeat(783)}0\n`);
      await expectCsvError(load(file), {
        code: 'MISSING_LABEL_COLUMN',
        file,
        line: 1,
        says: ['no label column "label"', '"pixel0", "pixel1", "pixel2", "pixel3", "pixel4", "pixel5", … (784 columns)', 'label: "<column>"', 'label: null'],
      });
      const cased = tmp.write('cased.csv', 'Label,a\n1,2\n');
      await expectCsvError(load(cased), { code: 'MISSING_LABEL_COLUMN', file: cased, line: 1, says: ['Did you mean "Label"?'] });
    });

    it('a label outside the given classes', async () => {
      const file = tmp.write('unknown-label.csv', 'label,a\n1,2\n7,3\n');
      const err = await expectCsvError(load(file, { classes: [0, 1, 2] }), {
        code: 'UNKNOWN_LABEL',
        file,
        line: 3,
        column: { name: 'label', index: 1 },
        says: ['"7"', '3 classes', '0, 1, 2'],
      });
      expect({ value: err.value, classes: err.classes }).toEqual({ value: '7', classes: [0, 1, 2] });
    });

    it('with the facts a front end needs to phrase its own advice', async () => {
      const missing = await expectCsvError(load(tmp.write('facts-missing.csv', 'Label,a,b\n1,2,3\n'), { label: 'label' }), {
        code: 'MISSING_LABEL_COLUMN',
        file: tmp.path('facts-missing.csv'),
        line: 1,
      });
      expect({ label: missing.label, columns: missing.columns, value: missing.value, tooLarge: missing.tooLarge, classes: missing.classes }).toEqual({
        label: 'label',
        columns: ['Label', 'a', 'b'],
        value: undefined,
        tooLarge: undefined,
        classes: undefined,
      });
      const only = await expectCsvError(load(tmp.write('facts-only.csv', 'y\n1\n'), { label: 'y' }), {
        code: 'NO_FEATURES',
        file: tmp.path('facts-only.csv'),
        line: 1,
      });
      expect({ label: only.label, columns: only.columns }).toEqual({ label: 'y', columns: ['y'] });
      const text = await expectCsvError(load(tmp.write('facts-text.csv', 'label,a\n1, "ab c" \n')), {
        code: 'NOT_A_NUMBER',
        file: tmp.path('facts-text.csv'),
        line: 2,
        column: { name: 'a', index: 2 },
      });
      expect({ value: text.value, tooLarge: text.tooLarge, label: text.label, columns: text.columns }).toEqual({
        value: 'ab c',
        tooLarge: false,
        label: undefined,
        columns: undefined,
      });
      const hole = await expectCsvError(load(tmp.write('facts-hole.csv', 'label,a\n1," "\n')), {
        code: 'EMPTY_VALUE',
        file: tmp.path('facts-hole.csv'),
        line: 2,
        column: { name: 'a', index: 2 },
      });
      expect(hole.value).toBe(' ');
    });

    it('speaking of loadCsv options only, never of command-line flags', async () => {
      const cases: [string, string, LoadCsvOptions][] = [
        ['flags-missing.csv', 'pixel0,pixel1\n0,1\n', {}],
        ['flags-cased.csv', 'Label,a\n1,2\n', {}],
        ['flags-text.csv', 'name,a\nseven,2\n', { label: null }],
        ['flags-text-unlabelled.csv', 'name,a\nseven,2\n', { requireLabel: false }],
        ['flags-text-labelled.csv', 'label,name\n1,seven\n', {}],
        ['flags-only.csv', 'label\n1\n', {}],
        ['flags-unknown.csv', 'label,a\n9,2\n', { classes: [0, 1] }],
      ];
      for (const [name, content, options] of cases) {
        const err = await load(tmp.write(name, content), options).catch((e: unknown) => e);
        expect(err, name).toBeInstanceOf(CsvError);
        expect((err as CsvError).message, name).not.toMatch(/--|command line|dlfs /);
      }
    });

    it('an unclosed quote, at the line of the row it opens in', async () => {
      const file = tmp.write('unclosed.csv', 'label,a,b\n1,2,3\n0,"4,5\n1,2,3\n');
      await expectCsvError(load(file), { code: 'UNCLOSED_QUOTE', file, line: 3, column: { name: 'a', index: 2 }, says: ['never closed', 'closing quote'] });
    });

    it('a stray quote inside or after a value', async () => {
      const after = tmp.write('quote-after.csv', 'label,a,b\n1,2,3\n0,"4"x,5\n');
      await expectCsvError(load(after), { code: 'BAD_QUOTE', file: after, line: 3, column: { name: 'a', index: 2 }, says: ['closing quote'] });
      const inside = tmp.write('quote-inside.csv', 'label,a,b\n1,2,3\n0,4"x",5\n');
      await expectCsvError(load(inside), { code: 'BAD_QUOTE', file: inside, line: 3, column: { name: 'a', index: 2 }, says: ['unquoted value'] });
    });

    it('binary files: NUL bytes, invalid UTF-8, UTF-16', async () => {
      const nul = tmp.write('nul.csv', Buffer.from('label,a\n1,2\n0,\u00003\n', 'latin1'));
      await expectCsvError(load(nul), { code: 'NOT_CSV', file: nul, line: 3, says: ['NUL byte', 'does not look like a CSV'] });
      const gzip = tmp.write('gz.csv', Buffer.from([0x1f, 0x8b, 0x08, 0x08, 0x41, 0x42]));
      await expectCsvError(load(gzip), {
        code: 'NOT_CSV',
        file: gzip,
        line: 1,
        says: ['invalid UTF-8 starting with byte 0x8b (at byte offset 1)', 'does not look like a CSV'],
      });
      const latin1 = tmp.write('latin1.csv', Buffer.from('label,a\nb\xe9b\xe9,2\n', 'latin1'));
      await expectCsvError(load(latin1), { code: 'NOT_CSV', file: latin1, line: 2, says: ['byte 0xe9 (at byte offset 9)', 'save it as UTF-8'] });
      const utf16 = tmp.write('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('label,a\n1,2\n', 'utf16le')]));
      await expectCsvError(load(utf16), { code: 'NOT_CSV', file: utf16, line: 1, says: ['UTF-16'] });
    });

    it('duplicate and empty column names', async () => {
      const dup = tmp.write('dup.csv', 'label,a,b,a\n1,2,3,4\n');
      await expectCsvError(load(dup), {
        code: 'DUPLICATE_COLUMN',
        file: dup,
        line: 1,
        column: { name: 'a', index: 4 },
        says: ['column 2 and column 4', 'unique'],
      });
      const index = tmp.write('pandas-index.csv', ',label,a\n0,1,2\n');
      await expectCsvError(load(index), { code: 'EMPTY_COLUMN_NAME', file: index, line: 1, column: { name: '', index: 1 }, says: ['no name', 'index=False'] });
    });

    it('a file separated by semicolons, as European spreadsheets export it', async () => {
      const file = tmp.write('semicolons.csv', 'label;a;b\n1;2;3\n');
      await expectCsvError(load(file), { code: 'MALFORMED', file, line: 1, says: ['"label;a;b"', 'separate values with ";"', 'commas'] });
    });

    it('a label column and nothing else', async () => {
      const file = tmp.write('label-only.csv', 'label\n1\n');
      await expectCsvError(load(file), { code: 'NO_FEATURES', file, line: 1, says: ['at least one feature column'] });
    });

    it('bad options with a TypeError before reading', async () => {
      const file = tmp.write('ok.csv', 'label,a\n1,2\n');
      await expect(load(file, { label: '' })).rejects.toThrow(TypeError);
      await expect(load(file, { label: null, requireLabel: true })).rejects.toThrow(/requireLabel is true but label is null/);
      await expect(load(file, { classes: [] })).rejects.toThrow(/non-empty array/);
      await expect(load(file, { classes: [1, '1'] })).rejects.toThrow(/"1" twice/);
    });

    it('errors are CsvError instances with a name, not bare exceptions', async () => {
      const err = await load(tmp.path('missing.csv')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CsvError);
      expect((err as CsvError).name).toBe('CsvError');
    });
  });

  describe('loadCsv warns, in the result, about what loads but looks like a mistake', () => {
    it('nothing for a plain file', async () => {
      expect((await load(tmp.write('plain.csv', 'label,a\n1,2\n0,3\n'))).warnings).toEqual([]);
      expect((await load(tmp.write('plain-unlabelled.csv', 'a,b\n1,2\n'), { label: null })).warnings).toEqual([]);
    });

    it('whole-number labels written more than one way: one class each, the spellings named with their first lines', async () => {
      const file = tmp.write('spellings.csv', 'a,label\n1,1\n2,1.0\n3,2\n4,01\n5,1\n6,1e0\n7,2.00\n8,3\n');
      const d = await load(file);
      expect(d.classes).toEqual([1, 2, 3]);
      expect(Array.from(d.labels!)).toEqual([0, 0, 1, 0, 0, 0, 1, 2]);
      expect(d.warnings).toEqual([
        {
          code: 'LABEL_SPELLINGS',
          column: { name: 'label', index: 2 },
          spellings: [
            {
              value: 1,
              merged: true,
              spellings: [
                { text: '1', line: 2 },
                { text: '1.0', line: 3 },
                { text: '01', line: 5 },
                { text: '1e0', line: 7 },
              ],
            },
            {
              value: 2,
              merged: true,
              spellings: [
                { text: '2', line: 4 },
                { text: '2.00', line: 8 },
              ],
            },
          ],
          message:
            `${file}, column 2 "label": labels that are the same number written differently were taken as one class: ` +
            '"1" (line 2), "1.0" (line 3), "01" (line 5) and "1e0" (line 7) as class 1; "2" (line 4) and "2.00" (line 8) as class 2. ' +
            'Write each class one way; if they are meant to be different classes, give them labels that are not the same number',
        },
      ]);
    });

    it('the same number written two ways among labels taken as text: different classes, named', async () => {
      const file = tmp.write('spellings-text.csv', 'label,a\n1,1\n0.5,2\n1.0,3\n1,4\n');
      const d = await load(file);
      expect(d.classes).toEqual(['0.5', '1', '1.0']);
      expect(d.warnings.map((w) => w.code)).toEqual(['LABEL_SPELLINGS']);
      expect(d.warnings[0]!.message).toBe(
        `${file}, column 1 "label": labels that are the same number written differently are different classes, since not every label is a whole number ` +
          '(the classes are then the label texts): "1" (line 2) and "1.0" (line 4). Write each class one way',
      );
    });

    it('spellings matched by value to given numeric classes, but not to given text classes', async () => {
      const numeric = await load(tmp.write('spellings-given.csv', 'label,a\n3,1\n0,2\n3.0,3\n'), { classes: [3, 0] });
      expect(Array.from(numeric.labels!)).toEqual([0, 1, 0]);
      expect(numeric.warnings.map((w) => [w.code, w.code === 'LABEL_SPELLINGS' && w.spellings])).toEqual([
        [
          'LABEL_SPELLINGS',
          [
            {
              value: 3,
              merged: true,
              spellings: [
                { text: '3', line: 2 },
                { text: '3.0', line: 4 },
              ],
            },
          ],
        ],
      ]);
      const text = await load(tmp.write('spellings-given-text.csv', 'label,a\n3,1\n3.0,2\n'), { classes: ['3', '3.0'] });
      expect(Array.from(text.labels!)).toEqual([0, 1]);
      expect(text.warnings).toEqual([]);
    });

    it('a label column with more than 20 classes and more than one class for every two rows', async () => {
      const rows = (n: number, label: (i: number) => string) => Array.from({ length: n }, (_, i) => `${label(i)},${i}`).join('\n');
      // 41 rows, 21 classes: over both thresholds.
      const ids = tmp.write('ids.csv', `id,a\n${rows(41, (i) => `user-${i % 21}`)}\n`);
      const d = await load(ids, { label: 'id' });
      expect(d.warnings).toEqual([
        {
          code: 'MANY_CLASSES',
          column: { name: 'id', index: 1 },
          classes: 21,
          rows: 41,
          message:
            `${ids}, column 1 "id": the label column has 21 different values in 41 rows, fewer than two rows per class; it looks like an id or a ` +
            'continuous value (a measurement, a price) rather than a class. Check that the label option names the column of classes',
        },
      ]);
      // A continuous value: every row its own class.
      const prices = await load(tmp.write('prices.csv', `price,a\n${rows(30, (i) => (i * 1.37).toFixed(2))}\n`), { label: 'price' });
      expect(prices.warnings.map((w) => w.code)).toEqual(['MANY_CLASSES']);
      // 42 rows, 21 classes: two rows per class on average, not over.
      expect((await load(tmp.write('ids-42.csv', `id,a\n${rows(42, (i) => `user-${i % 21}`)}\n`), { label: 'id' })).warnings).toEqual([]);
      // 20 rows, 20 classes: too few classes to tell.
      expect((await load(tmp.write('ids-20.csv', `id,a\n${rows(20, (i) => `user-${i}`)}\n`), { label: 'id' })).warnings).toEqual([]);
      // Given classes are the model's: no warning, whatever their number.
      const given = Array.from({ length: 30 }, (_, i) => `user-${i}`);
      expect((await load(ids, { label: 'id', classes: given })).warnings).toEqual([]);
    });

    it('both warnings at once, spellings first', async () => {
      const file = tmp.write('both.csv', `label,a\n${Array.from({ length: 25 }, (_, i) => `${i},${i}`).join('\n')}\n7.0,1\n`);
      const d = await load(file);
      expect(d.classes).toHaveLength(25);
      expect(d.warnings.map((w) => w.code)).toEqual(['LABEL_SPELLINGS', 'MANY_CLASSES']);
    });
  });
});

describe('loadCsv options', () => {
  it('refuses an unknown parser with a TypeError, and reads with the default one', async () => {
    const file = tmp.write('parser.csv', 'label,a\n1,2\n');
    await expect(loadCsv(file, { parser: 'pandas' as never })).rejects.toThrow(/parser must be "auto", "fast" or "csv-parse"/);
    expect(Array.from((await loadCsv(file, { parser: 'auto' })).x.data)).toEqual([2]);
  });
});
