import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Arena, ARENA_ALIGN } from './arena.js';

describe('Arena', () => {
  it('hands out aligned, disjoint blocks inside its range and takes them back, merging neighbours', () => {
    const start = 4 * ARENA_ALIGN;
    const end = start + 256 * ARENA_ALIGN;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ alloc: fc.integer({ min: 0, max: 40 * ARENA_ALIGN }) }), fc.record({ free: fc.nat() })), { maxLength: 200 }),
        (ops) => {
          const arena = new Arena(start, end);
          const live = new Map<number, number>();
          for (const op of ops) {
            if ('alloc' in op) {
              const at = arena.alloc(op.alloc);
              const size = Math.max(ARENA_ALIGN, Math.ceil(op.alloc / ARENA_ALIGN) * ARENA_ALIGN);
              if (at < 0) {
                // Refused only when no free block is large enough.
                expect(arena.largestFree).toBeLessThan(size);
                continue;
              }
              expect(at % ARENA_ALIGN).toBe(0);
              expect(at).toBeGreaterThanOrEqual(start);
              expect(at + size).toBeLessThanOrEqual(end);
              for (const [s, n] of live) expect(at + size <= s || s + n <= at).toBe(true);
              live.set(at, size);
            } else if (live.size > 0) {
              const keys = [...live.keys()];
              const at = keys[op.free % keys.length]!;
              arena.free(at);
              live.delete(at);
            }
            expect(arena.used).toBe([...live.values()].reduce((a, b) => a + b, 0));
            expect(arena.blocks).toBe(live.size);
          }
          for (const at of live.keys()) arena.free(at);
          // Everything merged back into one block.
          expect(arena.used).toBe(0);
          expect(arena.largestFree).toBe(end - start);
          expect(arena.alloc(end - start)).toBe(start);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('ignores a free of something that is not a live block, and refuses a misaligned range', () => {
    const arena = new Arena(0, 1024);
    const a = arena.alloc(10);
    arena.free(a + 64);
    arena.free(a);
    arena.free(a);
    expect(arena.used).toBe(0);
    expect(() => new Arena(1, 1024)).toThrow(RangeError);
    expect(new Arena(64, 64).alloc(1)).toBe(-1);
  });
});

describe('Arena.extend', () => {
  it('adds the new bytes at the end, merged with a free block that ends there', () => {
    const arena = new Arena(0, 4 * ARENA_ALIGN);
    const a = arena.alloc(2 * ARENA_ALIGN);
    expect(arena.trailingFree).toBe(2 * ARENA_ALIGN);
    arena.extend(8 * ARENA_ALIGN);
    expect(arena.end).toBe(8 * ARENA_ALIGN);
    expect(arena.trailingFree).toBe(6 * ARENA_ALIGN);
    // One block across the old end: the two free ranges were merged.
    expect(arena.alloc(6 * ARENA_ALIGN)).toBe(2 * ARENA_ALIGN);
    expect(arena.trailingFree).toBe(0);
    arena.extend(10 * ARENA_ALIGN);
    expect(arena.alloc(2 * ARENA_ALIGN)).toBe(8 * ARENA_ALIGN);
    arena.free(a);
    expect(arena.largestFree).toBe(2 * ARENA_ALIGN);
    expect(() => arena.extend(9 * ARENA_ALIGN)).toThrow(RangeError);
    expect(() => arena.extend(10 * ARENA_ALIGN + 1)).toThrow(RangeError);
  });
});
