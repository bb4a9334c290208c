import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// One implementation of "the ```ts blocks of a Markdown file": tests/architecture type-checks them
// against the workspace, this file runs the package READMEs' blocks against the tarballs.
import { checkSnippets, markdownFiles, type Snippet, snippetsOf, writeSnippets } from '../../architecture/src/snippets.js';

const root = resolve(import.meta.dirname, '../../..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  description?: string;
  repository?: unknown;
  engines?: Record<string, string>;
  bin?: Record<string, string>;
  files?: string[];
  dependencies?: Record<string, string>;
}

interface Published {
  /** Folder, relative to the root: "packages/tensor". */
  rel: string;
  pkg: Manifest;
}

function readPackage(rel: string): Published {
  return { rel, pkg: JSON.parse(readFileSync(join(root, rel, 'package.json'), 'utf8')) as Manifest };
}

const libraries = readdirSync(join(root, 'packages'))
  .map((dir) => `packages/${dir}`)
  .filter((rel) => existsSync(join(root, rel, 'package.json')))
  .map(readPackage)
  .filter(({ pkg }) => !pkg.private);
const cli = readPackage('apps/cli');
const published = [...libraries, cli];

/** The folder name for a package's files in the work directory: "dlfs-tensor". */
const slug = (name: string): string => name.replace(/^@/, '').replace('/', '-');

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
      "const s = (await import('@dlfs/datasets/node')).loadMnistSample(); if (s.x.shape[0] !== m.MNIST_SAMPLE_SIZE || s.labels.length !== 10000 || " +
      "m.mnistPixelsToBytes([1])[0] !== 255) throw new Error('datasets');",
    ts:
      "import { type KaggleCsvFiles, loadMnistSample, writeKaggleCsv } from '@dlfs/datasets/node';\nconst s: m.MnistSample = loadMnistSample({ seed: 1 " +
      '}); const w: (dir: string) => Promise<KaggleCsvFiles> = writeKaggleCsv; const n: number = m.KAGGLE_TRAIN_ROWS; void s; void w; void n;',
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
  '@dlfs/onnx': {
    js:
      "const { builtinLayers } = await import('@dlfs/layers'); const model = await import('@dlfs/model'); const registry = builtinLayers(); const net = " +
      'model.Network.build(model.defaultSpec(3, 4), { registry, inputShape: [2], rng: new t.Rng(0) }); const bytes = m.toOnnx({ network: net, classes: ' +
      "[0, 1, 2], preprocessing: { scaler: { type: 'none' }, label: 'label', featureNames: ['a', 'b'] }, training: {} }); if (!(bytes instanceof " +
      "Uint8Array) || bytes.length < 100 || m.ONNX_OPSET < 13) throw new Error('onnx');",
    ts:
      "const f: (model: import('@dlfs/model').ModelContents) => Uint8Array = m.toOnnx; const e: typeof m.OnnxExportError = m.OnnxExportError; " +
      'void f; void e;',
  },
};

const run = promisify(execFile);
const npmInstall = ['--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'];

let work: string;
/** Each package's tarball, by name. */
const tarball = new Map<string, string>();
/** Each package's tarball unpacked: the folder that holds its `package/`. */
const unpacked = new Map<string, string>();
/** The global prefix `npm i -g --prefix` installed every tarball into: `bin/dlfs`, `lib/node_modules/@dlfs/...`. */
let prefix: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dlfs-pack-'));
  await Promise.all(
    published.map(async ({ rel, pkg }) => {
      // One folder per package, so that its tarball is the only file there whatever pnpm names it.
      const dest = join(work, 'tarballs', slug(pkg.name));
      mkdirSync(dest, { recursive: true });
      await run('pnpm', ['pack', '--pack-destination', dest], { cwd: join(root, rel) });
      const [file, ...more] = readdirSync(dest);
      if (file === undefined || more.length > 0) throw new Error(`pnpm pack in ${rel} left ${readdirSync(dest).join(', ') || 'nothing'} in ${dest}`);
      tarball.set(pkg.name, join(dest, file));
      const into = join(work, 'unpacked', slug(pkg.name));
      mkdirSync(into, { recursive: true });
      await run('tar', ['-xzf', join(dest, file), '-C', into]);
      unpacked.set(pkg.name, join(into, 'package'));
    }),
  );

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }));
  prefix = join(work, 'global');
  // Both installs at once. In each, the tarballs' dependencies on each other resolve to one
  // another; only third-party dependencies come from the registry or npm's cache.
  await Promise.all([
    run('npm', ['install', ...npmInstall, ...libraries.map(({ pkg }) => tarball.get(pkg.name)!)], { cwd: app }),
    run('npm', ['install', '--global', '--prefix', prefix, ...npmInstall, ...published.map(({ pkg }) => tarball.get(pkg.name)!)], { cwd: work }),
  ]);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every file of an unpacked tarball, relative to its `package/` folder, with forward slashes. */
function tarballFiles(name: string): string[] {
  const dir = unpacked.get(name)!;
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(join(dir, f)).isFile()).map((f) => f.split('\\').join('/'));
}

describe('every published package is a complete tarball', () => {
  it('publishes every library and the CLI', () => {
    expect(libraries.length).toBeGreaterThan(0);
    expect(cli.pkg.private, 'apps/cli/package.json: @dlfs/cli is published; remove "private"').toBeUndefined();
    expect(cli.pkg.bin).toEqual({ dlfs: './dist/bin.js' });
  });

  for (const { rel, pkg } of published) {
    describe(pkg.name, () => {
      it('ships the MIT LICENSE of the repository root', () => {
        // pnpm pack adds the workspace root's LICENSE to a package that has none of its own.
        const shipped = join(unpacked.get(pkg.name)!, 'LICENSE');
        expect(existsSync(shipped), `${pkg.name}'s tarball has no LICENSE`).toBe(true);
        expect(readFileSync(shipped, 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
        expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the dlfs authors\n/);
      });

      it('has a manifest a registry can show: license, repository, description, engines, no workspace: ranges', () => {
        const shipped = JSON.parse(readFileSync(join(unpacked.get(pkg.name)!, 'package.json'), 'utf8')) as Manifest;
        expect(shipped.license).toBe('MIT');
        expect(shipped.repository, `${rel}/package.json: "repository" names the repository and this folder`).toEqual({
          type: 'git',
          url: 'git+https://github.com/dlfs/dlfs.git',
          directory: rel,
        });
        expect(shipped.description).toBeTruthy();
        expect(shipped.engines?.node).toBe('>=20');
        expect(shipped.private).toBeUndefined();
        // pnpm pack rewrites workspace:^ into the version range of the package it names.
        const ranges = Object.entries(shipped.dependencies ?? {}).filter(([, range]) => range.startsWith('workspace:'));
        expect(ranges).toEqual([]);
      });

      it('ships no test, no test support, and a source map only with the sources it names', () => {
        const files = tarballFiles(pkg.name);
        expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'README.md', pkg.bin ? 'dist/bin.js' : 'dist/index.js']));
        expect(files.filter((f) => /\.test\.|(^|\/)test-support\//.test(f))).toEqual([]);
        const have = new Set(files);
        const unresolved: string[] = [];
        for (const map of files.filter((f) => f.endsWith('.map'))) {
          const { sources = [], sourceRoot = '' } = JSON.parse(readFileSync(join(unpacked.get(pkg.name)!, map), 'utf8')) as {
            sources?: string[];
            sourceRoot?: string;
          };
          if (sources.length === 0) unresolved.push(`${map} names no source`);
          for (const source of sources) {
            const target = posix.join(posix.dirname(map), sourceRoot, source);
            if (!have.has(target)) unresolved.push(`${map} names ${source} (${target}), which the tarball lacks`);
          }
        }
        // And every file that points to a map ships it. Tarball paths use forward slashes: posix paths throughout.
        for (const file of files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
          const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(unpacked.get(pkg.name)!, file), 'utf8'))?.[1];
          if (url !== undefined && !have.has(posix.join(posix.dirname(file), url))) unresolved.push(`${file} points to ${url}, which the tarball lacks`);
        }
        expect(files.some((f) => f.endsWith('.js.map'))).toBe(true);
        expect(unresolved).toEqual([]);
      });
    });
  }
});

describe('every library package installs from its tarball outside the workspace', () => {
  /** The smoke files' type errors, by package: all of them checked as one program, which takes the time of one. */
  let typeErrors: Map<string, string[]>;

  beforeAll(() => {
    const app = join(work, 'app');
    const files = new Map<string, string>();
    for (const { pkg } of libraries) {
      const file = join(app, 'types', `${slug(pkg.name)}.ts`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `import * as m from '${pkg.name}';\n${smoke[pkg.name]!.ts}\n`);
      files.set(pkg.name, file);
    }
    const program = ts.createProgram([...files.values()], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      types: [],
    });
    // Each error goes to the package whose smoke file or shipped declarations it is in; one
    // outside both (the compiler's options) to every package.
    const byFile = new Map([...files].map(([name, file]) => [file, name]));
    typeErrors = new Map(libraries.map(({ pkg }) => [pkg.name, []]));
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const fileName = d.file?.fileName;
      const owner = fileName === undefined ? undefined : (byFile.get(fileName) ?? /node_modules\/(@dlfs\/[^/]+)\//.exec(fileName)?.[1]);
      const text = `${fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      for (const [name, errors] of typeErrors) if (owner === undefined || owner === name) errors.push(text);
    }
  });

  it('knows how to smoke-test every library package', () => {
    expect(libraries.map(({ pkg }) => pkg.name).sort()).toEqual(Object.keys(smoke).sort());
  });

  for (const { pkg } of libraries) {
    it(`${pkg.name} imports and runs in a fresh npm project`, () => {
      const app = join(work, 'app');
      const file = join(app, `${slug(pkg.name)}.mjs`);
      writeFileSync(file, `import * as m from '${pkg.name}';\nimport * as t from '@dlfs/tensor';\n${smoke[pkg.name]!.js}\nconsole.log('ok');\n`);
      expect(execFileSync('node', [file], { cwd: app, encoding: 'utf8' }).trim()).toBe('ok');
    });

    it(`${pkg.name} type-checks from its shipped declarations`, () => {
      expect(typeErrors.get(pkg.name)).toEqual([]);
    });
  }
});

describe('the dlfs command from `npm i -g` of the tarballs, run outside the repository', () => {
  // A folder of its own in the temporary directory: no node_modules above it, no workspace.
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    cwd = join(work, 'run');
    mkdirSync(cwd);
    env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
    delete env.NODE_PATH;
  });

  /** Runs `dlfs args` as a user would, by its name on PATH; throws with its output when it exits non-zero. */
  function dlfs(...args: string[]): string {
    try {
      return execFileSync('dlfs', args, { cwd, env, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const { status, stdout, stderr } = err as { status: number | null; stdout: string; stderr: string };
      throw new Error(`dlfs ${args.join(' ')} exited with ${status}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
    }
  }

  it('puts the installed dlfs on PATH, which knows its version', () => {
    const found = execFileSync('sh', ['-c', 'command -v dlfs'], { cwd, env, encoding: 'utf8' }).trim();
    expect(found).toBe(join(prefix, 'bin', 'dlfs'));
    expect(dlfs('--version').trim()).toBe(cli.pkg.version);
  });

  it('dlfs sample --out k writes the bundled digits as Kaggle files', () => {
    dlfs('sample', '--out', 'k');
    expect(readFileSync(join(cwd, 'k', 'train.csv'), 'latin1').slice(0, 20)).toBe('label,pixel0,pixel1,');
    expect(readdirSync(join(cwd, 'k')).sort()).toEqual(['test.csv', 'test_labels.csv', 'train.csv']);
  });

  it('dlfs train trains on the bundled MNIST sample, found from the installed package', () => {
    const summary = JSON.parse(dlfs('train', '--iters', '200', '--json')) as { iterations: number; valAccuracy: number; model: string };
    expect(summary.iterations).toBe(200);
    expect(summary.valAccuracy).toBeGreaterThan(0.5);
    expect(existsSync(join(cwd, 'model.json')), `the model is saved as ${summary.model}`).toBe(true);
  });

  it('dlfs train --data, predict and score work on the Kaggle files', () => {
    dlfs('train', '--data', 'k/train.csv', '--iters', '200', '--out', 'm.json');
    dlfs('predict', '--model', 'm.json', '--data', 'k/test.csv', '--out', 's.csv');
    const submission = readFileSync(join(cwd, 's.csv'), 'utf8').trim().split('\n');
    expect(submission[0]).toBe('ImageId,Label');
    expect(submission).toHaveLength(2001);
    // 200 iterations of the book's network reach well above chance (0.1) on the held-out digits.
    const score = JSON.parse(dlfs('score', '--submission', 's.csv', '--answers', 'k/test_labels.csv', '--json')) as { rows: number; accuracy: number };
    expect(score.rows).toBe(2000);
    expect(score.accuracy).toBeGreaterThan(0.5);
  });
});

describe("the package READMEs' examples run against the installed tarballs", () => {
  const files = markdownFiles().filter((f) => f.startsWith('packages/'));
  const snippets = files.flatMap(snippetsOf).filter((s) => s.skipped === undefined);
  let written: Map<string, Snippet>;

  beforeAll(() => {
    // Under the fresh project, so that '@dlfs/...' resolves to the installed tarballs; each block
    // also compiled on its own, as a user would paste it. A block named file=x.ts becomes x.js,
    // which another block of the same README imports as './x.js'.
    written = writeSnippets(snippets, join(work, 'app', 'examples'));
    for (const path of written.keys()) {
      const { outputText } = ts.transpileModule(readFileSync(path, 'utf8'), {
        fileName: path,
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      });
      writeFileSync(path.replace(/\.ts$/, '.js').replace(/\.mts$/, '.mjs'), outputText);
    }
  });

  it('finds the examples of every package README', () => {
    expect(new Set(snippets.map((s) => s.file)).size).toBe(files.length);
  });

  it('type-check against the shipped declarations', () => {
    const errors = checkSnippets(written);
    expect(errors, 'examples that do not type-check against the tarballs (file:line:column of the Markdown)').toEqual([]);
  });

  for (const s of snippets) {
    it(`${s.file}, the block at line ${s.line - 1}, runs with node`, () => {
      const path = [...written].find(([, w]) => w === s)![0];
      const js = path.replace(/\.ts$/, '.js').replace(/\.mts$/, '.mjs');
      try {
        execFileSync('node', [js], { cwd: dirname(js), stdio: 'pipe' });
      } catch (err) {
        const { status, stderr } = err as { status: number | null; stderr: Buffer };
        throw new Error(`${s.file}:${s.line - 1}: the example exited with ${status}\n${stderr.toString()}`);
      }
    });
  }
});

describe("the root README's code example", () => {
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
  // Node-only code lives behind a "./node" export (model files on disk, CSV files, the mnist package's files).

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

  for (const { pkg } of libraries) {
    it(`${pkg.name}'s main entry imports no node: module`, () => {
      const main = join(work, 'app', 'node_modules', pkg.name, 'dist', 'index.js');
      const imports = bareImports(main);
      expect(imports.filter((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'stream', 'crypto'].includes(s))).toEqual([]);
    });
  }
});
