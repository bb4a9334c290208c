import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dlfs, hasStackTrace, tempDir } from './test-support/run-dlfs.js';

// Every command with bad paths, bad flags and bad files: each must end with a message of the
// user's mistake (exit 1 or commander's 1), never "this is a bug in dlfs" (exit 70), never a stack.

let dir: string;
beforeAll(() => {
  dir = tempDir();
  expect(dlfs(['sample', '--out', 'k', '--train-rows', '300', '--test-rows', '30'], dir).code).toBe(0);
  expect(dlfs(['train', '--data', 'k/train.csv', '--iters', '20', '--out', 'model.json'], dir).code).toBe(0);
  const files: Record<string, string | Buffer> = {
    'empty.csv': '',
    'binary.csv': Buffer.from([0, 1, 2, 255, 254, 0, 13, 10]),
    'text-feature.csv': 'label,a,b\n1,0,x\n2,1,1\n',
    'one-class.csv': 'label,a\n1,0\n1,1\n',
    'huge.csv': 'label,a\n1,1e400\n2,0\n',
    'garbage.json': '{ this is not json',
    'not-a-model.json': '{"format": "something-else"}',
    'truncated-model.json': '{"format": "dlfs-model", "version": 2, "spec": {',
    'bad-spec.json': '{"layers": [{"type": "affine", "units": 0}]}',
    'unknown-spec.json': '{"layers": [{"type": "tanh"}]}',
    'array-spec.json': '[1, 2]',
    'throws-on-import.mjs': "throw new Error('plugin exploded while loading');\n",
    'not-array.mjs': 'export default { type: "x" };\n',
    'create-throws.mjs': "export default [{ type: 'bad', create() { throw new Error('create broke'); } }];\n",
    'bad-contract.mjs': "export default [{ type: 'bad', create() { return { params: {}, grads: {}, forward: 3, backward: (d) => d }; } }];\n",
    'plugin-spec.json': '{"layers": [{"type": "bad"}, {"type": "affine", "units": 10}]}',
    'sub.csv': 'ImageId,Label\n1,3\n',
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  mkdirSync(join(dir, 'folder'));
});

const cases: [string, string[]][] = [
  // bad flags
  ['unknown command', ['fly']],
  ['unknown flag', ['train', '--epoch', '3']],
  ['--batch 0', ['train', '--batch', '0']],
  ['--lr -1', ['train', '--lr', '-1']],
  ['--val 1', ['train', '--val', '1']],
  ['--scale 256', ['train', '--scale', '256']],
  ['--seed x', ['train', '--seed', 'x']],
  ['--threads 0', ['train', '--threads', '0']],
  ['--threads 65', ['train', '--threads', '65']],
  ['--threads two', ['train', '--threads', 'two']],
  ['--init glorot', ['train', '--init', 'glorot']],
  ['--sampling random', ['train', '--sampling', 'random']],
  ['--epochs and --iters', ['train', '--epochs', '1', '--iters', '1']],
  ['--optimizer adamw', ['train', '--optimizer', 'adamw', '--iters', '1']],
  ['--hidden 1.5', ['train', '--hidden', '1.5']],
  ['gradcheck --samples 0', ['gradcheck', '--samples', '0']],
  ['gradcheck --mode test', ['gradcheck', '--mode', 'test']],
  ['check-layer --input-shape 0', ['check-layer', '--input-shape', '0']],
  ['check-layer --config list', ['check-layer', '--config', '[1]']],
  ['sample --train-rows 0', ['sample', '--out', 's0', '--train-rows', '0']],
  ['predict without --model', ['predict', '--data', 'k/test.csv']],
  // bad paths
  ['train --data missing', ['train', '--data', 'nope.csv']],
  ['train --data folder', ['train', '--data', 'folder']],
  ['train --spec missing', ['train', '--spec', 'nope.json']],
  ['train --plugin missing', ['train', '--plugin', 'nope.mjs']],
  ['train --out folder', ['train', '--out', 'folder', '--iters', '1']],
  ['train --out missing folder', ['train', '--out', 'no/m.json', '--iters', '1']],
  ['train --metrics missing folder', ['train', '--metrics', 'no/m.json', '--iters', '1']],
  ['predict --model missing', ['predict', '--model', 'nope.json', '--data', 'k/test.csv']],
  ['predict --data missing', ['predict', '--model', 'model.json', '--data', 'nope.csv']],
  ['predict --out below a file', ['predict', '--model', 'model.json', '--data', 'k/test.csv', '--out', 'model.json/sub.csv']],
  ['evaluate --data missing', ['evaluate', '--model', 'model.json', '--data', 'nope.csv']],
  ['score --answers missing', ['score', '--submission', 'sub.csv', '--answers', 'nope.csv']],
  ['sample --out file', ['sample', '--out', 'model.json']],
  ['gradcheck --data missing', ['gradcheck', '--data', 'nope.csv']],
  // bad files
  ['train empty csv', ['train', '--data', 'empty.csv']],
  ['train binary csv', ['train', '--data', 'binary.csv']],
  ['train text feature', ['train', '--data', 'text-feature.csv']],
  ['train one class', ['train', '--data', 'one-class.csv']],
  ['train 1e400', ['train', '--data', 'huge.csv']],
  ['train spec garbage', ['train', '--spec', 'garbage.json']],
  ['train spec bad units', ['train', '--spec', 'bad-spec.json', '--iters', '1']],
  ['train spec unknown layer', ['train', '--spec', 'unknown-spec.json', '--iters', '1']],
  ['train spec not an object', ['train', '--spec', 'array-spec.json']],
  ['train plugin throws on import', ['train', '--plugin', 'throws-on-import.mjs']],
  ['train plugin not an array', ['train', '--plugin', 'not-array.mjs']],
  ['train plugin create throws', ['train', '--spec', 'plugin-spec.json', '--plugin', 'create-throws.mjs', '--iters', '1']],
  ['train plugin breaks the contract', ['train', '--spec', 'plugin-spec.json', '--plugin', 'bad-contract.mjs', '--iters', '1']],
  ['check-layer plugin breaks the contract', ['check-layer', '--plugin', 'bad-contract.mjs']],
  ['predict garbage model', ['predict', '--model', 'garbage.json', '--data', 'k/test.csv']],
  ['predict not a model', ['predict', '--model', 'not-a-model.json', '--data', 'k/test.csv']],
  ['predict truncated model', ['predict', '--model', 'truncated-model.json', '--data', 'k/test.csv']],
  ['predict on the wrong columns', ['predict', '--model', 'model.json', '--data', 'text-feature.csv']],
  ['evaluate on a file without labels', ['evaluate', '--model', 'model.json', '--data', 'k/test.csv']],
  ['score answers without Label', ['score', '--submission', 'sub.csv', '--answers', 'k/test.csv']],
  ['gradcheck bad spec', ['gradcheck', '--spec', 'bad-spec.json']],
];

describe('every mistake is the user’s message, never our bug', () => {
  it.each(cases)('%s', (_name, args) => {
    const r = dlfs(args, dir);
    expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).not.toBe(0);
    expect(r.code, r.stderr).not.toBe(70);
    expect(r.stderr).not.toMatch(/bug in dlfs/);
    expect(r.stdout).not.toMatch(/bug in dlfs/);
    expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    // The message: on stderr, or (check-layer's report) on stdout.
    expect(`${r.stderr}${r.stdout}`.trim(), 'a message for the user').not.toBe('');
  });

  it('no message suggests an option the command does not have', () => {
    for (const [args, flag] of [
      [['train', '--data', 'k/test.csv'], '--label'],
      [['score', '--submission', 'sub.csv', '--answers', 'k/test.csv'], '--label'],
    ] as const) {
      const r = dlfs(args, dir);
      const suggested = [...r.stderr.matchAll(/(--[a-z-]+)/g)].map((m) => m[1]);
      const help = dlfs([args[0]!, '--help'], dir).stdout;
      for (const s of suggested) expect(help, `dlfs ${args[0]} suggests ${s}`).toContain(s!);
      if (args[0] === 'score') expect(r.stderr).not.toContain(flag);
      expect(r.stderr).not.toMatch(/label: null|label option/);
    }
  });
});
