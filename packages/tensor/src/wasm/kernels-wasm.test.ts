import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KERNEL_ARITY, KERNELS_SOURCE_SHA256, KERNELS_WASM_FIXED_BASE64, KERNELS_WASM_SHARED_BASE64 } from './kernels-wasm.js';

// Re-derives what scripts/build-wasm.mjs generated, independently of it: the hash of the
// AssemblyScript sources, their export signatures, the generated interface and the compiled
// modules' export types. A failure here means `pnpm build:wasm` has not been run since a change.

const assemblyDir = fileURLToPath(new URL('../../assembly/', import.meta.url));
const generated = readFileSync(new URL('./kernels-wasm.ts', import.meta.url), 'utf8');

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir + prefix, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

type ValueType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
interface Signature {
  params: { name: string; type: ValueType }[];
  results: ValueType[];
}

const AS_TYPES: Record<string, ValueType> = { i32: 'i32', u32: 'i32', usize: 'i32', isize: 'i32', bool: 'i32', f32: 'f32', f64: 'f64' };

/** `export function name(a: T, ...): R` of every assembly/*.ts, by name. */
function sourceSignatures(): Map<string, Signature> {
  const out = new Map<string, Signature>();
  for (const file of filesUnder(assemblyDir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(assemblyDir + file, 'utf8');
    for (const m of text.matchAll(/export\s+function\s+(\w+)\s*\(([^)]*)\)\s*:\s*(\w+)/g)) {
      const params = m[2]!
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .map((p) => {
          const [name, type] = p.split(':').map((s) => s.trim());
          return { name: name!, type: AS_TYPES[type!]! };
        });
      out.set(m[1]!, { params, results: m[3] === 'void' ? [] : [AS_TYPES[m[3]!]!] });
    }
  }
  return out;
}

/** The members of the generated `interface KernelExports`: name, parameter names, and whether it returns. */
function interfaceMembers(): Map<string, { params: string[]; returns: boolean }> {
  const body = /export interface KernelExports \{([\s\S]*?)\n\}/.exec(generated)![1]!;
  const out = new Map<string, { params: string[]; returns: boolean }>();
  for (const m of body.matchAll(/^ {2}(\w+)\(([^)]*)\): (void|number);$/gm)) {
    const params = m[2]!.split(', ').filter((p) => p !== '');
    for (const p of params) expect(p).toMatch(/^\w+: number$/);
    out.set(m[1]!, { params: params.map((p) => p.split(':')[0]!), returns: m[3] === 'number' });
  }
  return out;
}

/** The exported functions' types, read from the module's type, import, function and export sections. */
function moduleSignatures(base64: string): Map<string, { params: ValueType[]; results: ValueType[] }> {
  const buf = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  const VALUE: Record<number, ValueType> = { 127: 'i32', 126: 'i64', 125: 'f32', 124: 'f64', 123: 'v128' };
  let pos = 8;
  const u32 = (): number => {
    let r = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[pos++]!;
      r += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return r;
    }
  };
  const skipName = (): void => {
    const len = u32();
    pos += len;
  };
  const types: { params: ValueType[]; results: ValueType[] }[] = [];
  const funcs: number[] = [];
  let imported = 0;
  const exports = new Map<string, number>();
  while (pos < buf.length) {
    const id = buf[pos++]!;
    const end = u32() + pos;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        pos++;
        const params = Array.from({ length: u32() }, () => VALUE[buf[pos++]!]!);
        const results = Array.from({ length: u32() }, () => VALUE[buf[pos++]!]!);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        skipName();
        skipName();
        const kind = buf[pos++]!;
        if (kind === 0) {
          u32();
          imported++;
        } else if (kind === 2) {
          const flags = u32();
          u32();
          if (flags & 1) u32();
        }
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcs.push(u32());
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const len = u32();
        const name = new TextDecoder().decode(buf.subarray(pos, pos + len));
        pos += len;
        const kind = buf[pos++]!;
        const index = u32();
        if (kind === 0) exports.set(name, index);
      }
    }
    pos = end;
  }
  return new Map([...exports].map(([name, index]) => [name, types[funcs[index - imported]!]!]));
}

describe('the generated kernels-wasm.ts', () => {
  it('was compiled from every file under assembly/ as it is now (else run `pnpm build:wasm`)', () => {
    const hash = createHash('sha256');
    for (const f of filesUnder(assemblyDir)) hash.update(`${f}\0${readFileSync(assemblyDir + f, 'utf8').replace(/\r\n/g, '\n')}\0`);
    expect(hash.digest('hex')).toBe(KERNELS_SOURCE_SHA256);
  });

  it('declares KernelExports exactly as the sources export them: names, parameter names, returns', () => {
    const sources = sourceSignatures();
    const members = interfaceMembers();
    expect(sources.size).toBeGreaterThan(10);
    expect([...members.keys()].sort()).toEqual([...sources.keys()].sort());
    for (const [name, sig] of sources) {
      expect(members.get(name), name).toEqual({ params: sig.params.map((p) => p.name), returns: sig.results.length > 0 });
      expect(KERNEL_ARITY[name as keyof typeof KERNEL_ARITY], name).toBe(sig.params.length);
    }
    expect(Object.keys(KERNEL_ARITY).sort()).toEqual([...sources.keys()].sort());
  });

  it.each([
    ['shared', KERNELS_WASM_SHARED_BASE64],
    ['fixed', KERNELS_WASM_FIXED_BASE64],
  ])("%s module: every export has the source's parameter and result types, and there is no other", (_name, base64) => {
    const sources = sourceSignatures();
    const compiled = moduleSignatures(base64);
    expect([...compiled.keys()].sort()).toEqual([...sources.keys()].sort());
    for (const [name, sig] of sources) {
      expect(compiled.get(name), name).toEqual({ params: sig.params.map((p) => p.type), results: sig.results });
    }
  });

  it('has the arities the instantiated module reports (function.length)', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(atob(KERNELS_WASM_FIXED_BASE64), (c) => c.charCodeAt(0))), {
      env: { memory },
    });
    for (const [name, arity] of Object.entries(KERNEL_ARITY)) expect((exports[name] as (...a: number[]) => unknown).length, name).toBe(arity);
  });
});
