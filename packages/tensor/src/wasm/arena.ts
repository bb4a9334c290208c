/** Every block starts on a 64-byte boundary (a cache line; whole v128 loads never straddle one). */
export const ARENA_ALIGN = 64;

/**
 * A first-fit allocator over the byte range [start, end) of a WASM memory; `extend` moves the end
 * up when the memory grows. A Float32Array view of a block stays valid as long as the block is
 * not freed. Free blocks are kept sorted by address and merged with their neighbours on free.
 */
export class Arena {
  readonly start: number;
  private endByte: number;
  /** Free blocks, sorted by start. */
  private readonly freeStarts: number[] = [];
  private readonly freeSizes: number[] = [];
  /** Size of every live block, by start. */
  private readonly live = new Map<number, number>();
  private usedBytes = 0;

  constructor(start: number, end: number) {
    if (start % ARENA_ALIGN !== 0 || end % ARENA_ALIGN !== 0 || end < start) {
      throw new RangeError(`Arena: [${start}, ${end}) must be ${ARENA_ALIGN}-byte aligned and not reversed`);
    }
    this.start = start;
    this.endByte = end;
    if (end > start) {
      this.freeStarts.push(start);
      this.freeSizes.push(end - start);
    }
  }

  get end(): number {
    return this.endByte;
  }

  get used(): number {
    return this.usedBytes;
  }

  get blocks(): number {
    return this.live.size;
  }

  /** Bytes in the largest free block. */
  get largestFree(): number {
    let best = 0;
    for (const s of this.freeSizes) if (s > best) best = s;
    return best;
  }

  /** Bytes of the free block that ends at `end` (0 when the last byte is in use). */
  get trailingFree(): number {
    const last = this.freeStarts.length - 1;
    return last >= 0 && this.freeStarts[last]! + this.freeSizes[last]! === this.endByte ? this.freeSizes[last]! : 0;
  }

  /** Adds [end, newEnd) to the free bytes, merged with a free block that ends at the old end. */
  extend(newEnd: number): void {
    if (newEnd % ARENA_ALIGN !== 0 || newEnd < this.endByte) {
      throw new RangeError(`Arena: cannot extend [${this.start}, ${this.endByte}) to end at ${newEnd}`);
    }
    const tail = this.trailingFree;
    if (tail > 0) this.freeSizes[this.freeSizes.length - 1] = tail + newEnd - this.endByte;
    else if (newEnd > this.endByte) {
      this.freeStarts.push(this.endByte);
      this.freeSizes.push(newEnd - this.endByte);
    }
    this.endByte = newEnd;
  }

  /** The start of a new block of at least `bytes` (rounded up to 64), or -1 when none is free. */
  alloc(bytes: number): number {
    const size = Math.max(ARENA_ALIGN, Math.ceil(bytes / ARENA_ALIGN) * ARENA_ALIGN);
    for (let i = 0; i < this.freeStarts.length; i++) {
      const free = this.freeSizes[i]!;
      if (free < size) continue;
      const at = this.freeStarts[i]!;
      if (free === size) {
        this.freeStarts.splice(i, 1);
        this.freeSizes.splice(i, 1);
      } else {
        this.freeStarts[i] = at + size;
        this.freeSizes[i] = free - size;
      }
      this.live.set(at, size);
      this.usedBytes += size;
      return at;
    }
    return -1;
  }

  /** Returns a block to the free list; a start that is not a live block is ignored. */
  free(at: number): void {
    const size = this.live.get(at);
    if (size === undefined) return;
    this.live.delete(at);
    this.usedBytes -= size;
    // Binary search for the first free block after `at`.
    let lo = 0;
    let hi = this.freeStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.freeStarts[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    const prev = lo - 1;
    const mergesPrev = prev >= 0 && this.freeStarts[prev]! + this.freeSizes[prev]! === at;
    const mergesNext = lo < this.freeStarts.length && at + size === this.freeStarts[lo]!;
    if (mergesPrev && mergesNext) {
      this.freeSizes[prev] = this.freeSizes[prev]! + size + this.freeSizes[lo]!;
      this.freeStarts.splice(lo, 1);
      this.freeSizes.splice(lo, 1);
    } else if (mergesPrev) {
      this.freeSizes[prev] = this.freeSizes[prev]! + size;
    } else if (mergesNext) {
      this.freeStarts[lo] = at;
      this.freeSizes[lo] = this.freeSizes[lo]! + size;
    } else {
      this.freeStarts.splice(lo, 0, at);
      this.freeSizes.splice(lo, 0, size);
    }
  }
}
