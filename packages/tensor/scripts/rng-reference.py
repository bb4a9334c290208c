#!/usr/bin/env python3
"""Independent reference for packages/tensor/src/rng.ts.

Written from the published algorithms, not translated line by line from the TypeScript:
xoshiro128** 1.1 (Blackman and Vigna, https://prng.di.unimi.it/xoshiro128starstar.c) whose
128-bit state is filled by a SplitMix32-style generator (add the golden-ratio increment
0x9e3779b9, then hash with the 32-bit mixer x ^= x >> 16; x *= 0x21f0aaad; x ^= x >> 15;
x *= 0x735a2d97; x ^= x >> 15). The seed procedure is the one rng.ts documents:

    lo, hi = seed mod 2^32, floor(seed / 2^32) mod 2^32
    z = mix32(lo) XOR (hi * 0x85ebca6b mod 2^32)
    s0..s3 = four SplitMix32 outputs from z  (state all zero -> s0 = 1)

Python integers are unbounded, so every step is reduced mod 2^32 explicitly.
Run: python3 packages/tensor/scripts/rng-reference.py  (prints the values rng.test.ts hard-codes)
"""

MASK = 0xFFFFFFFF
GOLDEN = 0x9E3779B9


def rotl(x, k):
    x &= MASK
    return ((x << k) | (x >> (32 - k))) & MASK


def mix32(x):
    x &= MASK
    x ^= x >> 16
    x = (x * 0x21F0AAAD) & MASK
    x ^= x >> 15
    x = (x * 0x735A2D97) & MASK
    x ^= x >> 15
    return x


class Xoshiro128StarStar:
    def __init__(self, seed):
        lo = seed % 2**32  # Python's % is already the non-negative residue
        hi = (seed // 2**32) % 2**32  # floor division, as Math.floor does
        z = mix32(lo) ^ ((hi * 0x85EBCA6B) & MASK)
        state = []
        for _ in range(4):
            z = (z + GOLDEN) & MASK
            state.append(mix32(z))
        if state == [0, 0, 0, 0]:
            state[0] = 1
        self.s = state

    def next_uint32(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 9) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def uniform(self):
        hi = self.next_uint32() >> 5
        lo = self.next_uint32() >> 6
        return (hi * 67108864 + lo) / 9007199254740992


SEEDS = [0, 1, 2, 42, 2**40 + 3, -1]
COUNT = 8

if __name__ == "__main__":
    for seed in SEEDS:
        rng = Xoshiro128StarStar(seed)
        values = [rng.next_uint32() for _ in range(COUNT)]
        print(f"{seed}: [{', '.join(str(v) for v in values)}]")
    rng = Xoshiro128StarStar(42)
    print("uniform(42):", [repr(rng.uniform()) for _ in range(3)])
