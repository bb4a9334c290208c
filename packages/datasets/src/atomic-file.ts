import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let tempCounter = 0;

/**
 * A file written through a temporary file in the same directory and renamed over `path` on
 * commit, so `path` only ever holds its old content or the complete new one. A run killed
 * midway can leave the hidden `.name.<pid>-<n>.tmp` file behind, never a partial `path`.
 */
export class AtomicFile {
  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<AtomicFile> {
    const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}-${tempCounter++}.tmp`);
    let handle: FileHandle;
    try {
      // 'wx': never truncate a file that is not ours.
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
