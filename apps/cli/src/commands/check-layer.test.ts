import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dlfs, hasStackTrace, tempDir } from '../test-support/run-dlfs.js';

// Plugins written in plain JavaScript from the contract, as a newcomer would: no outputShape.
const PLUGINS = `
import { Tensor } from '@dlfs/tensor';
const map = (t, f) => new Tensor(t.data.map(f), t.shape);
// y = tanh(x), dx = dout · (1 − y²): right.
const tanh = {
  type: 'tanh',
  create() {
    let y;
    return {
      params: {}, grads: {},
      forward(x) { y = map(x, Math.tanh); return y; },
      backward(dout) { return new Tensor(dout.data.map((d, i) => d * (1 - y.data[i] ** 2)), dout.shape); },
    };
  },
};
// y = x², but backward forgets the 2: wrong.
const square = {
  type: 'square',
  create() {
    let x0;
    return {
      params: {}, grads: {},
      forward(x) { x0 = x; return map(x, (v) => v * v); },
      backward(dout) { return new Tensor(dout.data.map((d, i) => d * x0.data[i]), dout.shape); },
    };
  },
};
// forward throws while training.
const boom = {
  type: 'boom',
  create() {
    return {
      params: {}, grads: {},
      forward(x, ctx) { if (ctx && ctx.train) throw new Error('boom: exploded on purpose'); return x; },
      backward(dout) { return dout; },
    };
  },
};
// grads lack a param.
const nograds = {
  type: 'nograds',
  create(_c, { inputShape }) {
    return { params: { g: new Tensor(new Float32Array(inputShape[0]), [inputShape[0]]) }, grads: {}, forward: (x) => x, backward: (d) => d };
  },
};
export const good = [tanh];
export default [tanh, square];
export const all = [tanh, square, boom, nograds];
`;

let dir: string;
beforeAll(() => {
  dir = tempDir();
  const text = PLUGINS.replace("'@dlfs/tensor'", `'${import.meta.resolve('@dlfs/tensor')}'`);
  writeFileSync(join(dir, 'layers.mjs'), text);
  writeFileSync(join(dir, 'good.mjs'), `${text}\n`.replace('export default [tanh, square];', 'export default [tanh];'));
  writeFileSync(join(dir, 'boom.mjs'), text.replace('export default [tanh, square];', 'export default [boom];'));
  writeFileSync(join(dir, 'nograds.mjs'), text.replace('export default [tanh, square];', 'export default [nograds];'));
  writeFileSync(join(dir, 'boom-spec.json'), JSON.stringify({ layers: [{ type: 'affine', units: 8 }, { type: 'boom' }, { type: 'affine', units: 10 }] }));
  writeFileSync(join(dir, 'nograds-spec.json'), JSON.stringify({ layers: [{ type: 'nograds' }, { type: 'affine', units: 10 }] }));
  writeFileSync(join(dir, 'tanh-spec.json'), JSON.stringify({ layers: [{ type: 'affine', units: 8 }, { type: 'tanh' }, { type: 'affine', units: 10 }] }));
});

describe('dlfs check-layer', () => {
  it('passes the built-ins, each with its example config', () => {
    const r = dlfs(['check-layer'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: layer "affine" with config \{"units":50\}/m);
    expect(r.stdout).toMatch(/ok: 7 layer types pass the conformance kit \(input 2x6x6, seed 0\)/);
  });

  it("checks every type a plugin exports, names its module, and fails a wrong backward with the worst offender's values", () => {
    const r = dlfs(['check-layer', '--plugin', 'layers.mjs', '--input-shape', '2x3'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ok: layer "tanh" \(layers\.mjs\)/m);
    expect(r.stdout).toMatch(/^FAIL: layer "square" \(layers\.mjs\)/m);
    expect(r.stdout).toMatch(/worst offender: dx\[\d, \d, \d\] in (eval|train) mode, backprop -?[\d.e-]+ vs numerical -?[\d.e-]+/);
    expect(r.stdout).toMatch(/^FAILED: square \(1 of 2\)$/m);
    expect(dlfs(['check-layer', '--plugin', 'good.mjs'], dir).code).toBe(0);
  });

  it('checks one type by name, built-ins included, with a config; names a contract breach', () => {
    const r = dlfs(['check-layer', '--type', 'affine', '--config', '{"units": 3, "weightInitStd": "he"}', '--input-shape', '5', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.layers.map((l: { type: string; ok: boolean }) => [l.type, l.ok])).toEqual([['affine', true]]);
    const bad = dlfs(['check-layer', '--plugin', 'nograds.mjs'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/contract: grads\.g: is missing: grads needs a tensor for every key of params/);
  });

  it('refuses bad flag values with one line each', () => {
    for (const [args, message] of [
      [['--input-shape', '28x0'], /--input-shape must be whole numbers >= 1 joined by x/],
      [['--config', '{units: 3}'], /--config must be a JSON object/],
      [['--type', 'tahn'], /unknown layer type "tahn"; known types: affine, batch-norm, conv2d, dropout, max-pool, relu, sigmoid/],
    ] as const) {
      const r = dlfs(['check-layer', ...args], dir);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stderr).not.toMatch(/bug in dlfs/);
    }
  });
});

describe('plugins in training', () => {
  it('train with a plugin layer that leaves out outputShape', () => {
    const r = dlfs(['train', '--spec', 'tanh-spec.json', '--plugin', 'good.mjs', '--iters', '30', '--out', 'tanh.json', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).iterations).toBe(30);
  });

  it("report a plugin's breach of the contract at build, naming the module, the layer and its place", () => {
    const r = dlfs(['train', '--spec', 'nograds-spec.json', '--plugin', 'nograds.mjs', '--iters', '5', '--out', 'n.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dlfs train: error: nograds-spec\.json: layers\[0\] \(nograds, from nograds\.mjs\): grads\.g: is missing/m);
    expect(r.stderr).not.toMatch(/bug in dlfs/);
  });

  it("report a throw in a plugin's forward as the plugin's error, leaving the model file on disk as it was", () => {
    writeFileSync(join(dir, 'keep.json'), 'an older model');
    const r = dlfs(['train', '--spec', 'boom-spec.json', '--plugin', 'boom.mjs', '--iters', '5', '--out', 'keep.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dlfs train: error: boom\.mjs: layer "boom" \(layers\[1\]\) failed in forward: boom: exploded on purpose$/m);
    expect(r.stderr).not.toMatch(/bug in dlfs/);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(readFileSync(join(dir, 'keep.json'), 'utf8')).toBe('an older model');
  });

  it('suggest --plugin when a model needs a layer type that is not loaded', () => {
    expect(dlfs(['sample', '--out', 'k', '--train-rows', '300', '--test-rows', '20'], dir).code).toBe(0);
    const r = dlfs(['predict', '--model', 'tanh.json', '--data', 'k/test.csv', '--out', 'sub.csv'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown layer type "tanh"/);
    expect(r.stderr).toMatch(/load its module with --plugin <module>/);
  });
});
