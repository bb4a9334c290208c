import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFilesAtomically } from './atomic-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dlfs-atomic-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const text = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('writeFilesAtomically', () => {
  it('writes every file in place once the producer resolves', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    writeFileSync(a, 'old');
    const result = await writeFilesAtomically([a, b], async ([fa, fb]) => {
      await fa!.write(text('new a'));
      await fb!.write(text('new b'));
      return 7;
    });
    expect(result).toBe(7);
    expect(readFileSync(a, 'utf8')).toBe('new a');
    expect(readFileSync(b, 'utf8')).toBe('new b');
    expect(readdirSync(dir).sort()).toEqual(['a.csv', 'b.csv']);
  });

  it('writes to hidden temporary files in the same directory, never to the targets, while producing', async () => {
    const a = join(dir, 'a.csv');
    writeFileSync(a, 'old');
    await writeFilesAtomically([a], async ([fa]) => {
      await fa!.write(text('half'));
      expect(readFileSync(a, 'utf8')).toBe('old');
      expect(readdirSync(dir)).toContain(fa!.tempPath.slice(dir.length + 1));
      expect(readFileSync(fa!.tempPath, 'utf8')).toBe('half');
    });
    expect(readFileSync(a, 'utf8')).toBe('half');
  });

  it('leaves the targets as they were and removes the temporary files when the producer throws midway', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    writeFileSync(a, 'old');
    const failing = writeFilesAtomically([a, b], async ([fa, fb]) => {
      await fa!.write(text('x'.repeat(100_000)));
      await fb!.write(text('y'));
      throw new Error('disk on fire');
    });
    await expect(failing).rejects.toThrow('disk on fire');
    expect(readFileSync(a, 'utf8')).toBe('old');
    expect(existsSync(b)).toBe(false);
    expect(readdirSync(dir)).toEqual(['a.csv']);
  });

  it('fails before writing anything when the directory does not exist', async () => {
    await expect(writeFilesAtomically([join(dir, 'missing', 'a.csv')], async () => undefined)).rejects.toThrow(
      /cannot write .*a\.csv: creating .*\.a\.csv\.\d+-\d+\.tmp failed \(ENOENT.*check that .*missing exists and is writable/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});
