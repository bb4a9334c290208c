import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const libraries = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({
    dir,
    pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; private?: boolean; dependencies?: Record<string, string> },
  }))
  .filter(({ pkg }) => !pkg.private);

// One line per package that imports it and calls something, so an import that resolves to nothing fails.
const smoke: Record<string, { js: string; ts: string }> = {
  '@dlfs/tensor': {
    js: "const c = m.matmul(m.tensor([[1, 2]]), m.tensor([[3], [4]])); if (c.data[0] !== 11) throw new Error('tensor');",
    ts: 'const t: m.Tensor = m.matmul(m.tensor([[1, 2]]), m.tensor([[3], [4]])); const d: m.DType = t.dtype; void d;',
  },
  '@dlfs/core': {
    js:
      "const c = m.defineConfig('t', { n: m.required(m.wholeNumber({ min: 1 }), 'n') }, { kind: 'layer', example: '{}' }); if (c.validate({ n: 2 }).n " +
      "!== 2 || c.describe().n !== 'n, a whole number >= 1') throw new Error('core');",
    ts:
      "const c: m.ConfigSchema<{ n: number }> = m.defineConfig<{ n: number }>('t', { n: m.required(m.wholeNumber(), 'n') }, { kind: 'layer', example: " +
      "'{}' }); const d: m.LayerDef | undefined = undefined; void c; void d;",
  },
  '@dlfs/layers': {
    js: "const r = m.builtinLayers(); if (!r.has('affine') || !r.has('relu')) throw new Error('layers');",
    ts: 'const r: m.LayerRegistry = m.builtinLayers(); const types: string[] = r.types(); void types;',
  },
  '@dlfs/losses': {
    js: "const l = new m.SoftmaxWithLoss(); const v = l.forward(t.tensor([[0, 0]]), [1]); if (Math.abs(v - Math.log(2)) > 1e-6) throw new Error('losses');",
    ts: 'const l: m.SoftmaxWithLoss = new m.SoftmaxWithLoss(); void l;',
  },
  '@dlfs/optimizers': {
    js:
      "const p = { W: t.tensor([1, 2]) }; m.builtinOptimizers().create('sgd', { lr: 0.5 }).update(p, { W: t.tensor([2, 2]) }); if (p.W.data[0] !== 0 || " +
      "p.W.data[1] !== 1) throw new Error('optimizers');",
    ts:
      'const o: m.Optimizer = new m.Adam({ lr: 0.1 }); const r: m.OptimizerRegistry = m.builtinOptimizers(); const c: m.AdamConfig = ' +
      'm.adam.validate({}); void o; void r; void c;',
  },
  '@dlfs/gradcheck': {
    js: "const g = m.numericalGradient((x) => x.data[0] ** 2, t.tensor([3])); if (Math.abs(g.data[0] - 6) > 1e-6) throw new Error('gradcheck');",
    ts: 'const f: typeof m.checkLayer = m.checkLayer; void f;',
  },
  '@dlfs/datasets': {
    js:
      'const s = m.loadMnistSample(); if (s.x.shape[0] !== 10000 || s.labels.length !== 10000 || m.mnistPixelsToBytes([1])[0] !== 255) throw new ' +
      "Error('datasets');",
    ts: 'const s: m.MnistSample = m.loadMnistSample({ seed: 1 }); const w: (dir: string) => Promise<m.KaggleCsvFiles> = m.writeKaggleCsv; void s; void w;',
  },
  '@dlfs/data': {
    js:
      "(await import('node:fs')).writeFileSync('data-smoke.csv', 'label,a,b\\n7,255,0\\n3,51,2\\n'); const d = await (await " +
      "import('@dlfs/data/node')).loadCsv('data-smoke.csv'); const y = m.createScaler('255').fit(d.x).transform(d.x); if (d.rows !== 2 || d.labels[0] !== " +
      "1 || d.classes[1] !== 7 || y.data[0] !== 1 || m.oneHot(d.labels, 2).data[1] !== 1) throw new Error('data');",
    ts:
      "import { type CsvDataset, loadCsv } from '@dlfs/data/node';\nconst p: Promise<CsvDataset> = loadCsv('x.csv', { label: null }); const s: m.Scaler " +
      "= m.scalerFromJSON({ type: '255' }); const b: typeof m.BatchSampler = m.BatchSampler; void p; void s; void b;",
  },
  '@dlfs/model': {
    js:
      "const { builtinLayers } = await import('@dlfs/layers'); const registry = builtinLayers(); const net = m.Network.build(m.defaultSpec(3, 4), { " +
      'registry, inputShape: [2], rng: new t.Rng(0) }); const text = m.serializeModel({ network: net, classes: [0, 1, 2], preprocessing: { scaler: { type: ' +
      "'none' }, label: 'label', featureNames: ['a', 'b'] }, training: {} }); const back = m.parseModel(text, { registry }); const node = await " +
      "import('@dlfs/model/node'); if (back.network.params.W1.data[3] !== net.params.W1.data[3] || typeof node.saveModelFile !== 'function') throw new " +
      "Error('model');",
    ts:
      "import type { LoadedModel } from '@dlfs/model/node';\nconst s: m.NetworkSpec = m.defaultSpec(10); const l: LoadedModel | undefined = undefined; " +
      'void s; void l;',
  },
};

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'dlfs-pack-'));
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const { dir } of libraries) execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir, stdio: 'pipe' });
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }));
  // All tarballs in one install: their dependencies on each other resolve to one another; only
  // third-party dependencies (none for most packages) come from the registry or npm's cache.
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', ...files], { cwd: app, stdio: 'pipe' });
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('every library package installs from its tarball outside the workspace', () => {
  it('knows how to smoke-test every library package', () => {
    expect(libraries.map(({ pkg }) => pkg.name).sort()).toEqual(Object.keys(smoke).sort());
  });

  for (const { pkg } of libraries) {
    it(`${pkg.name} imports and runs in a fresh npm project`, () => {
      const app = join(work, 'app');
      const file = join(app, `${pkg.name.replace('/', '-')}.mjs`);
      writeFileSync(file, `import * as m from '${pkg.name}';\nimport * as t from '@dlfs/tensor';\n${smoke[pkg.name]!.js}\nconsole.log('ok');\n`);
      expect(execFileSync('node', [file], { cwd: app, encoding: 'utf8' }).trim()).toBe('ok');
      // Only dist/ and the manifest ship: no sources, no tests.
      const installed = join(app, 'node_modules', pkg.name);
      expect(readdirSync(installed).sort()).toEqual(expect.arrayContaining(['dist', 'package.json']));
      expect(readdirSync(join(installed, 'dist')).some((f) => f.includes('.test.'))).toBe(false);
    });

    it(`${pkg.name} type-checks from its shipped declarations`, () => {
      const app = join(work, 'app');
      const dir = join(app, `types-${pkg.name.replace('/', '-')}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'index.ts'), `import * as m from '${pkg.name}';\n${smoke[pkg.name]!.ts}\n`);
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: [] },
          include: ['index.ts'],
        }),
      );
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      execFileSync('node', [tsc, '-p', dir], { cwd: app, stdio: 'pipe' });
    });
  }
});

describe("the README's code example", () => {
  it('type-checks and runs against the installed tarballs, and its loss falls', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## A network in a few lines'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, 'README has a ts block under "A network in a few lines"').toBeDefined();
    const dir = join(work, 'app', 'readme');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'example.ts'), code!);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, types: [] },
        include: ['example.ts'],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync('node', [tsc, '-p', dir], { cwd: dir, stdio: 'pipe' });
    const out = execFileSync('node', [join(dir, 'example.js')], { cwd: dir, encoding: 'utf8' });
    const losses = [...out.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(5);
    // Two samples, two classes: the loss starts near ln 2 and SGD drives it well down.
    expect(losses[0]).toBeCloseTo(Math.log(2), 1);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
  });
});

describe('main entries are browser-safe', () => {
  // Node-only code lives behind a "./node" export (model files on disk, CSV files); datasets reads the mnist package from disk.
  const nodeOnly = new Set(['@dlfs/datasets']);

  /** Every module reachable from `file` through relative imports, with the bare imports they make. */
  function bareImports(file: string, seen = new Set<string>()): string[] {
    if (seen.has(file)) return [];
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const out: string[] = [];
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) out.push(...bareImports(resolve(file, '..', spec), seen));
      else out.push(spec);
    }
    return out;
  }

  for (const { pkg } of libraries.filter(({ pkg }) => !nodeOnly.has(pkg.name))) {
    it(`${pkg.name}'s main entry imports no node: module`, () => {
      const main = join(work, 'app', 'node_modules', pkg.name, 'dist', 'index.js');
      const imports = bareImports(main);
      expect(imports.filter((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'stream', 'crypto'].includes(s))).toEqual([]);
    });
  }
});
