import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dlfs, hasStackTrace, tempDir } from '../test-support/run-dlfs.js';

// A contributed layer, as a plugin author would ship it: y = tanh(x), dx = dout · (1 − y²).
const TANH_PLUGIN = `
import { Tensor } from '@dlfs/tensor';
const tanh = {
  type: 'tanh',
  description: 'hyperbolic tangent, element-wise',
  configFields: {},
  create(_config, { inputShape }) {
    let y;
    return {
      params: {}, grads: {}, outputShape: [...inputShape],
      forward(x) { y = new Tensor(x.data.map(Math.tanh), x.shape); return y; },
      backward(dout) { return new Tensor(dout.data.map((d, i) => d * (1 - y.data[i] ** 2)), dout.shape); },
    };
  },
};
export default [tanh];
`;

let dir: string;
beforeAll(() => {
  dir = tempDir();
  // The plugin imports @dlfs/tensor like a published plugin would; resolve it from this workspace.
  writeFileSync(join(dir, 'tanh.mjs'), TANH_PLUGIN.replace("'@dlfs/tensor'", `'${import.meta.resolve('@dlfs/tensor')}'`));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify({ layers: [{ type: 'affine', units: 30 }, { type: 'tanh' }, { type: 'affine', units: 10 }] }));
  expect(dlfs(['sample', '--out', 'kaggle', '--train-rows', '600', '--test-rows', '100'], dir).code).toBe(0);
});

describe('dlfs layers and --plugin', () => {
  it('lists the built-in layers with their config', () => {
    const r = dlfs(['layers'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^affine {2}/m);
    expect(r.stdout).toMatch(/^ {4}units: /m);
    expect(r.stdout).toMatch(/^relu {2}/m);
    expect(r.stdout).toMatch(/^sigmoid {2}/m);
  });

  it('a plugin layer shows in layers, trains from --spec, is saved, and predicts with the plugin', () => {
    expect(dlfs(['layers', '--plugin', 'tanh.mjs'], dir).stdout).toMatch(/^tanh {2}hyperbolic tangent/m);
    const t = dlfs(
      ['train', '--data', 'kaggle/train.csv', '--spec', 'spec.json', '--plugin', 'tanh.mjs', '--iters', '100', '--out', 'tanh-model.json', '--json'],
      dir,
    );
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout).valAccuracy).toBeGreaterThan(0.5);
    const p = dlfs(['predict', '--model', 'tanh-model.json', '--data', 'kaggle/test.csv', '--plugin', 'tanh.mjs', '--out', 'sub.csv'], dir);
    expect(p.code, p.stderr).toBe(0);
    const g = dlfs(['gradcheck', '--spec', 'spec.json', '--plugin', 'tanh.mjs', '--samples', '2'], dir);
    expect(g.code, g.stdout + g.stderr).toBe(0);
    expect(g.stdout).toMatch(/^ok {3}W1 \[784, 30\]/m);
  });

  it('without the plugin, the saved model is refused with the known layer types listed', () => {
    const r = dlfs(['predict', '--model', 'tanh-model.json', '--data', 'kaggle/test.csv'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown layer type "tanh"; known types: affine, batch-norm, conv2d, dropout, max-pool, relu, sigmoid/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('refuses a plugin that does not export layer defs', () => {
    writeFileSync(join(dir, 'bad-plugin.mjs'), 'export default { type: "x" };\n');
    const r = dlfs(['layers', '--plugin', 'bad-plugin.mjs'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--plugin bad-plugin\.mjs: its default export must be an array of layer defs/);
  });
});
