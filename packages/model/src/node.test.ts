import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinLayers } from '@dlfs/layers';
import { SGD } from '@dlfs/optimizers';
import { Rng } from '@dlfs/tensor';
import { describe, expect, it, vi } from 'vitest';
import { type ModelContents, ModelFileError, serializeModel } from './model-file.js';
import { Network } from './network.js';
import { loadModelFile, saveModelFile, writeFileAtomic } from './node.js';
import { writeFileAtomic as writeFileAtomicItself } from '@dlfs/data/node';
import { defaultSpec } from './spec.js';
import { train } from './trainer.js';
import { blobs, useTempDir } from './test-support/index.js';

// Lets a test make the next write fail halfway, after part of the file is on disk.
const fault = vi.hoisted(() => ({ failAfterBytes: undefined as number | undefined }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    writeSync(fd: number, data: NodeJS.ArrayBufferView, offset = 0, length?: number): number {
      const limit = fault.failAfterBytes;
      if (limit === undefined) return real.writeSync(fd, data, offset, length);
      real.writeSync(fd, data, offset, Math.min(limit, length ?? data.byteLength - offset));
      throw Object.assign(new Error('EIO: simulated failure, write'), { code: 'EIO' });
    },
  };
});

const tmp = useTempDir('dlfs-model-');
const data = blobs(90, 4, 3, new Rng(5));

function contents(seed: number): ModelContents {
  const network = Network.build(defaultSpec(3, 6), { registry: builtinLayers(), inputShape: [4], rng: new Rng(seed), classes: 3 });
  train(network, data, undefined, { optimizer: new SGD({ lr: 0.5 }), batchSize: 30, iterations: 6, rng: new Rng(seed) });
  return { network, classes: [0, 1, 2], preprocessing: { scaler: { type: 'none' }, label: 'label', featureNames: ['a', 'b', 'c', 'd'] }, training: { seed } };
}

describe('saveModelFile and loadModelFile', () => {
  it('save the serialized model and load it back with the same weights', () => {
    const path = tmp.path('round-trip.json');
    const c = contents(1);
    saveModelFile(path, c);
    expect(readFileSync(path, 'utf8')).toBe(serializeModel(c));
    const loaded = loadModelFile(path, { registry: builtinLayers() });
    for (const [name, p] of Object.entries(c.network.params)) expect(loaded.network.params[name]!.data, name).toEqual(p.data);
    expect(loaded.network.predictClasses(data.x)).toEqual(c.network.predictClasses(data.x));
    expect(loaded.training).toEqual({ seed: 1 });
    expect(loaded.scaler.type).toBe('none');
  });

  it('replace an older model file with no temporary file left behind', () => {
    const dir = tmp.path('replace');
    mkdirSync(dir);
    const path = `${dir}/model.json`;
    saveModelFile(path, contents(1));
    saveModelFile(path, contents(2));
    expect(loadModelFile(path, { registry: builtinLayers() }).training).toEqual({ seed: 2 });
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('never replace a good file with part of a new one when the write fails', () => {
    const dir = tmp.path('interrupted');
    mkdirSync(dir);
    const path = `${dir}/model.json`;
    saveModelFile(path, contents(1));
    const good = readFileSync(path, 'utf8');
    fault.failAfterBytes = 100;
    try {
      expect(() => saveModelFile(path, contents(2))).toThrow(/EIO/);
    } finally {
      fault.failAfterBytes = undefined;
    }
    expect(readFileSync(path, 'utf8')).toBe(good);
    expect(readdirSync(dir)).toEqual(['model.json']);
    expect(loadModelFile(path, { registry: builtinLayers() }).training).toEqual({ seed: 1 });
  });

  it('refuse to save over a directory, leaving it and its folder as they were', () => {
    const dir = tmp.path('dir-target');
    mkdirSync(`${dir}/model.json`, { recursive: true });
    expect(() => saveModelFile(`${dir}/model.json`, contents(1))).toThrow();
    expect(readdirSync(dir)).toEqual(['model.json']);
    expect(readdirSync(`${dir}/model.json`)).toEqual([]);
  });

  it('loadModelFile on a missing file says so and how to make one', () => {
    const path = tmp.path('missing.json');
    expect(() => loadModelFile(path, { registry: builtinLayers() })).toThrow(ModelFileError);
    expect(() => loadModelFile(path, { registry: builtinLayers() })).toThrow(`${path}: no such file; train a model first with "dlfs train --out FILE"`);
  });

  it('loadModelFile on something unreadable names the file and the reason', () => {
    const dir = tmp.path('a-directory');
    mkdirSync(dir);
    expect(() => loadModelFile(dir, { registry: builtinLayers() })).toThrow(`${dir}: cannot be read (EISDIR)`);
    if (process.getuid?.() !== 0) {
      const locked = tmp.path('locked.json');
      writeFileSync(locked, '{}');
      chmodSync(locked, 0);
      expect(() => loadModelFile(locked, { registry: builtinLayers() })).toThrow(`${locked}: cannot be read (EACCES)`);
    }
  });

  it('loadModelFile names the file in every validation error', () => {
    const path = tmp.path('truncated.json');
    const text = serializeModel(contents(1));
    writeFileSync(path, text.slice(0, 200));
    expect(() => loadModelFile(path, { registry: builtinLayers() })).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: is not valid JSON`));
    writeFileSync(path, text.replace('"seed": 1', '"seed": 2'));
    expect(() => loadModelFile(path, { registry: builtinLayers() })).toThrow(`${path}: fails its checksum`);
  });

  it('@dlfs/model/node exports the atomic writer', () => {
    expect(writeFileAtomic).toBe(writeFileAtomicItself);
  });
});
