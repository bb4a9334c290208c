import { backendInfo } from '@dlfs/tensor';

const COUNTED = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array'] as const;

/**
 * Runs `fn` and counts the storage it allocates, as packages/model's training-step test does:
 * every `new` of a typed array that makes fresh memory, plus every block taken from the WASM
 * arena (where float32 tensors live under the 'wasm' backend). Views of memory that exists are
 * not counted.
 */
export function countAllocations(fn: () => void): number {
  const arenaBlocks = (): number => backendInfo().memory?.arenaBlocks ?? 0;
  const blocksBefore = arenaBlocks();
  const g = globalThis as unknown as Record<string, object>;
  const saved = COUNTED.map((name) => g[name]!);
  let count = 0;
  COUNTED.forEach((name, i) => {
    g[name] = new Proxy(saved[i]!, {
      construct(target, args, newTarget) {
        // A view of memory that exists (an ArrayBuffer, or the WASM memory's SharedArrayBuffer) is no allocation.
        if (!(args[0] instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && args[0] instanceof SharedArrayBuffer))) count++;
        return Reflect.construct(target as new (...a: unknown[]) => object, args, newTarget) as object;
      },
    });
  });
  try {
    fn();
  } finally {
    COUNTED.forEach((name, i) => {
      g[name] = saved[i]!;
    });
  }
  // Arena blocks go back only through FinalizationRegistry callbacks, never inside the synchronous fn.
  return count + (arenaBlocks() - blocksBefore);
}
