/**
 * A seeded pseudo-random generator: xoshiro128** (Blackman and Vigna), its 128-bit state
 * filled from the seed by SplitMix32 so that neighbouring seeds (0, 1, 2) start far apart.
 * Only 32-bit integer arithmetic is used, so a seed gives the same numbers in Node and
 * in every browser; normal() uses Math.log/cos/sqrt, which V8 computes identically everywhere.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | undefined;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Rng: the seed must be a whole number between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}, got ${seed}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let z = (mix32(lo) ^ Math.imul(hi, 0x85ebca6b)) >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      return mix32(z);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** @internal Writes the generator's state (4 words) at into[at..at+3], for a kernel that draws in WASM. */
  writeState(into: Int32Array, at: number): void {
    into[at] = this.s0;
    into[at + 1] = this.s1;
    into[at + 2] = this.s2;
    into[at + 3] = this.s3;
  }

  /** @internal Takes the state a WASM kernel left at from[at..at+3]: the generator goes on where its draws ended. */
  readState(from: Int32Array, at: number): void {
    this.s0 = from[at]!;
    this.s1 = from[at + 1]!;
    this.s2 = from[at + 2]!;
    this.s3 = from[at + 3]!;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform whole number in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new RangeError(`Rng.int: n must be a whole number in 1..2^32, got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Normal distribution (Box-Muller); pairs are generated and the second is kept for the next call. */
  normal(mean = 0, std = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + std * z;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log(u1) is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return mean + std * r * Math.cos(theta);
  }

  /** Shuffles an array or typed array in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** The numbers 0..n-1 in random order. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** `k` draws from 0..n-1 with replacement, like NumPy's `np.random.choice(n, k)`. */
  choice(n: number, k: number, out: Int32Array = new Int32Array(k)): Int32Array {
    for (let i = 0; i < k; i++) out[i] = this.int(n);
    return out;
  }

  /** An independent generator seeded from this one's stream. */
  fork(): Rng {
    return new Rng(this.nextUint32() * 2097152 + (this.nextUint32() >>> 11));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The 32-bit finalizer of SplitMix32 / MurmurHash3. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}
