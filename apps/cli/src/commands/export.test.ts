import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeHandModel } from '../test-support/hand-model.js';
import { dlfs, hasStackTrace, tempDir } from '../test-support/run-dlfs.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  const r = dlfs(['sample', '--out', 'k', '--train-rows', '600', '--test-rows', '100'], dir);
  expect(r.code, r.stderr).toBe(0);
});

const bytes = (f: string): Buffer => readFileSync(join(dir, f));

/** Runs an exported model in ONNX Runtime on `rows` (raw features). */
async function runOnnx(file: string, rows: number[][]): Promise<{ probabilities: Float32Array; label: BigInt64Array; meta: Record<string, string> }> {
  const session = await ort.InferenceSession.create(bytes(file));
  const features = rows[0]!.length;
  const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, features]);
  const out = await session.run({ features: input });
  const meta = (session as unknown as { handler?: { metadata?: Record<string, string> } }).handler?.metadata ?? {};
  return { probabilities: out.probabilities!.data as Float32Array, label: out.label!.data as BigInt64Array, meta };
}

describe('dlfs export', () => {
  it('writes an ONNX model whose probabilities are the softmax of a hand-computed model, with its text labels', async () => {
    const model = writeHandModel(dir);
    const r = dlfs(['export', '--model', model, '--out', 'hand.onnx', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      out: 'hand.onnx',
      input: { name: 'features', type: 'float32', shape: ['N', 2] },
      outputs: [
        { name: 'probabilities', type: 'float32', shape: ['N', 3] },
        { name: 'label', type: 'int64', shape: ['N'] },
      ],
      classes: ['setosa', 'versicolor', 'virginica'],
    });
    // Scores (x, y, 0.5): setosa, versicolor, virginica.
    const rows = [
      [0.9, 0.1],
      [0.1, 0.8],
      [0.2, 0.3],
    ];
    const { probabilities, label } = await runOnnx('hand.onnx', rows);
    expect(Array.from(label, Number)).toEqual([0, 1, 2]);
    rows.forEach(([x, y], i) => {
      const e = [Math.exp(x!), Math.exp(y!), Math.exp(0.5)];
      const z = e[0]! + e[1]! + e[2]!;
      for (let c = 0; c < 3; c++) expect(probabilities[i * 3 + c]).toBeCloseTo(e[c]! / z, 6);
    });
  });

  it('exports a trained conv net that labels the test rows as dlfs predict does, and says what the model takes', async () => {
    const spec = ['--spec', 'simple-convnet', '--optimizer', 'adam', '--lr', '0.001'];
    const t = dlfs(['train', '--data', 'k/train.csv', ...spec, '--iters', '30', '--out', 'conv.json'], dir);
    expect(t.code, t.stderr).toBe(0);
    const r = dlfs(['export', '--model', 'conv.json', '--out', 'conv.onnx'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ONNX model written to conv\.onnx \([\d,]+ bytes\)$/m);
    expect(r.stdout).toMatch(/input {3}features float32 \[N, 784\]/);
    expect(r.stdout).toMatch(/probabilities float32 \[N, 10\], label int64 \[N\]/);
    const p = dlfs(['predict', '--model', 'conv.json', '--data', 'k/test.csv', '--out', 'sub.csv'], dir);
    expect(p.code, p.stderr).toBe(0);
    const predicted = readFileSync(join(dir, 'sub.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[1]);
    const rows = readFileSync(join(dir, 'k/test.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    const { label, meta } = await runOnnx('conv.onnx', rows);
    const classes = JSON.parse(meta.classes ?? 'null') as number[] | null;
    const names = Array.from(label, (i) => String(classes === null ? i : classes[Number(i)]));
    expect(names).toEqual(predicted);
  });

  it('refuses a plugin layer with no ONNX mapping, naming it, and writes nothing', () => {
    const plugin = `import { Tensor } from '${import.meta.resolve('@dlfs/tensor')}';
export default [{ type: 'twice', create() { return { params: {}, grads: {},
  forward(x) { return new Tensor(x.data.map((v) => 2 * v), x.shape); },
  backward(d) { return new Tensor(d.data.map((v) => 2 * v), d.shape); } }; } }];\n`;
    writeFileSync(join(dir, 'twice.mjs'), plugin);
    writeFileSync(join(dir, 'twice-spec.json'), JSON.stringify({ layers: [{ type: 'affine', units: 8 }, { type: 'twice' }, { type: 'affine', units: 10 }] }));
    const t = dlfs(['train', '--data', 'k/train.csv', '--spec', 'twice-spec.json', '--plugin', './twice.mjs', '--iters', '5', '--out', 'twice.json'], dir);
    expect(t.code, t.stderr).toBe(0);
    writeFileSync(join(dir, 'old.onnx'), 'keep me');
    const r = dlfs(['export', '--model', 'twice.json', '--plugin', './twice.mjs', '--out', 'old.onnx'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/layer "twice" \(layers\[1\], from \.\/twice\.mjs\) has no ONNX mapping/);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(readFileSync(join(dir, 'old.onnx'), 'utf8')).toBe('keep me');
  });

  it('checks the paths first and names what is wrong', () => {
    const noDir = dlfs(['export', '--model', 'conv.json', '--out', 'missing/dir/m.onnx'], dir);
    expect(noDir.code).not.toBe(0);
    expect(noDir.stderr).toMatch(/--out missing\/dir\/m\.onnx/);
    const noModel = dlfs(['export', '--model', 'nope.json', '--out', 'x.onnx'], dir);
    expect(noModel.stderr).toMatch(/nope\.json: no such file/);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
    const help = dlfs(['export', '--help'], dir);
    expect(help.stdout).toMatch(/input {3}"features" {7}float32 \[N, F\]/);
    expect(help.stdout).toMatch(/"classes"/);
  });
});
