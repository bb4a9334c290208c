import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from './atomic-file.js';

// How the next write should fail: node:fs is wrapped so that a test can make write(2) write
// only part of what it was given (as it may when the disk fills up), fail with an error, or
// make fsync or rename fail.
const fault = vi.hoisted(() => ({
  /** Bytes each writeSync call may write at most (a short write), or undefined for no limit. */
  maxBytesPerWrite: undefined as number | undefined,
  /** Fail the writeSync call with this number (1-based) and every one after it. */
  failWriteFrom: undefined as number | undefined,
  failFsync: false,
  failRename: false,
  writes: 0,
}));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const errno = (code: string, syscall: string) => Object.assign(new Error(`${code}: simulated failure, ${syscall}`), { code, syscall });
  return {
    ...real,
    writeSync(fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]): number {
      fault.writes++;
      if (fault.failWriteFrom !== undefined && fault.writes >= fault.failWriteFrom) throw errno('ENOSPC', 'write');
      // writeSync(fd, string[, position[, encoding]]) or writeSync(fd, buffer[, offset[, length[, position]]]).
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const offset = typeof data === 'string' ? 0 : ((rest[0] as number | undefined) ?? 0);
      const length = typeof data === 'string' ? bytes.length : ((rest[1] as number | undefined) ?? bytes.length - offset);
      const n = Math.min(length, fault.maxBytesPerWrite ?? length);
      return real.writeSync(fd, bytes, offset, n);
    },
    fsyncSync(fd: number): void {
      if (fault.failFsync) throw errno('EIO', 'fsync');
      real.fsyncSync(fd);
    },
    renameSync(from: fs.PathLike, to: fs.PathLike): void {
      if (fault.failRename) throw errno('EXDEV', 'rename');
      real.renameSync(from, to);
    },
  };
});

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dlfs-atomic-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tmp = { path: (name: string): string => join(root, name) };
const GOOD = 'the good old file\n';
// Multi-byte characters: a write counted in characters instead of bytes would cut this short.
const NEW = `${'∂L/∂W ≈ 0.5 größe 😀\n'.repeat(2000)}end\n`;

let dir = '';
let target = '';
let run = 0;

beforeEach(() => {
  Object.assign(fault, { maxBytesPerWrite: undefined, failWriteFrom: undefined, failFsync: false, failRename: false, writes: 0 });
  dir = tmp.path(`case-${run++}`);
  mkdirSync(dir);
  target = `${dir}/model.json`;
  writeFileSync(target, GOOD);
});

afterEach(() => {
  fault.maxBytesPerWrite = undefined;
});

describe('writeFileAtomic', () => {
  it('replaces the file with the whole new text and leaves no temporary file', () => {
    writeFileAtomic(target, NEW);
    expect(readFileSync(target, 'utf8')).toBe(NEW);
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('writes bytes as they are, in parts when write(2) takes only some', () => {
    fault.maxBytesPerWrite = 1000;
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 37) & 255);
    writeFileAtomic(`${dir}/model.onnx`, bytes);
    expect(new Uint8Array(readFileSync(`${dir}/model.onnx`))).toEqual(bytes);
    expect(fault.writes).toBeGreaterThanOrEqual(5);
  });

  it('creates a file that did not exist', () => {
    writeFileAtomic(`${dir}/new.json`, 'x');
    expect(readFileSync(`${dir}/new.json`, 'utf8')).toBe('x');
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'new.json']);
  });

  it('writes the whole text when write(2) writes only part of it per call', () => {
    fault.maxBytesPerWrite = 1000;
    writeFileAtomic(target, NEW);
    expect(readFileSync(target, 'utf8')).toBe(NEW);
    expect(fault.writes).toBeGreaterThan(10);
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('keeps the old file when the disk fills up after a partial write', () => {
    // The first write puts down 1,000 bytes, the second fails with ENOSPC.
    fault.maxBytesPerWrite = 1000;
    fault.failWriteFrom = 2;
    expect(() => writeFileAtomic(target, NEW)).toThrow(/ENOSPC/);
    expect(readFileSync(target, 'utf8')).toBe(GOOD);
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('keeps the old file when the first write fails', () => {
    fault.failWriteFrom = 1;
    expect(() => writeFileAtomic(target, NEW)).toThrow(/ENOSPC/);
    expect(readFileSync(target, 'utf8')).toBe(GOOD);
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('keeps the old file when fsync fails', () => {
    fault.failFsync = true;
    expect(() => writeFileAtomic(target, NEW)).toThrow(/EIO/);
    expect(readFileSync(target, 'utf8')).toBe(GOOD);
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('keeps the old file when the rename fails', () => {
    fault.failRename = true;
    expect(() => writeFileAtomic(target, NEW)).toThrow(/EXDEV/);
    expect(readFileSync(target, 'utf8')).toBe(GOOD);
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('fails without a trace when the target is a directory', () => {
    mkdirSync(`${dir}/out`);
    writeFileSync(`${dir}/out/inside.txt`, 'kept');
    expect(() => writeFileAtomic(`${dir}/out`, NEW)).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readFileSync(`${dir}/out/inside.txt`, 'utf8')).toBe('kept');
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'out']);
    expect(readFileSync(target, 'utf8')).toBe(GOOD);
  });

  it('fails when the directory does not exist, creating nothing', () => {
    expect(() => writeFileAtomic(`${dir}/missing/model.json`, NEW)).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual(['model.json']);
  });
});
