import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// One way to write files that are never seen half-written: the bytes go to a hidden temporary
// file beside the target, are flushed to disk, and the temporary file is renamed over the target
// (rename is atomic within a directory). An interrupted write leaves the old file untouched and at
// most a `.name.<pid>-<n>.tmp` file behind, never a partial target.

let tempCounter = 0;

/** The hidden temporary file beside `path` that a write goes to first. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${tempCounter++}.tmp`);
}

/**
 * Writes `content` (text, as UTF-8, or bytes) to `path` so that a reader sees either the old
 * file or the whole new one.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    // 'wx': never truncate a file that is not ours.
    fd = openSync(tmp, 'wx', 0o644);
    // write(2) may put down fewer bytes than asked (a filling disk does, before it fails): write until all are down.
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A file being written through its temporary file; see writeFilesAtomically. */
export class AtomicFile {
  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<AtomicFile> {
    const tempPath = tempPathFor(path);
    let handle: FileHandle;
    try {
      handle = await open(tempPath, 'wx');
    } catch (err) {
      throw new Error(`cannot write ${path}: creating ${tempPath} failed (${(err as Error).message}); check that ${dirname(path)} exists and is writable`, {
        cause: err,
      });
    }
    return new AtomicFile(path, tempPath, handle);
  }

  async write(chunk: Uint8Array): Promise<void> {
    let done = 0;
    while (done < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, done, chunk.length - done);
      done += bytesWritten;
    }
  }

  /** Flushes to disk and closes; the temporary file is still under its own name. */
  async close(): Promise<void> {
    await this.handle.sync();
    await this.handle.close();
  }

  /** Puts the closed temporary file in place of `path`. */
  async rename(): Promise<void> {
    await rename(this.tempPath, this.path);
  }

  /** Closes and deletes the temporary file; `path` is left as it was. Never throws. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }
}

/**
 * Runs `produce` on a temporary file per path and, only when it resolves, puts them all in
 * place: all are written and flushed before the first rename. When `produce` throws, every
 * temporary file is removed, the targets are untouched and the error is rethrown.
 */
export async function writeFilesAtomically<T>(paths: readonly string[], produce: (files: AtomicFile[]) => Promise<T>): Promise<T> {
  const files: AtomicFile[] = [];
  try {
    for (const path of paths) files.push(await AtomicFile.open(path));
    const result = await produce(files);
    for (const file of files) await file.close();
    for (const file of files) await file.rename();
    return result;
  } catch (err) {
    await Promise.all(files.map((file) => file.abort()));
    throw err;
  }
}
