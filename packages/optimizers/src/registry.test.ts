import { type Tensor, tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Adam, adam } from './adam.js';
import { OptimizerConfigError } from './optimizer-config.js';
import { momentum } from './momentum.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { DuplicateOptimizerError, OptimizerRegistry, UnknownOptimizerError } from './registry.js';
import { type SGD, sgd } from './sgd.js';

/** An optimizer that leaves every param as it is, for defs made up in these tests. */
const still: Optimizer = { type: 'still', update: () => {} };

describe('OptimizerRegistry', () => {
  it('holds the defs of the list it was built from', () => {
    const registry = new OptimizerRegistry([sgd, adam, momentum]);
    expect(registry.types()).toEqual(['adam', 'momentum', 'sgd']);
    expect(registry.defs()).toEqual([adam, momentum, sgd]);
    expect(registry.get('adam')).toBe(adam);
    expect(registry.has('sgd')).toBe(true);
    expect(registry.has('adamw')).toBe(false);
    expect(new OptimizerRegistry().types()).toEqual([]);
  });

  it('throws DuplicateOptimizerError naming a type registered twice', () => {
    const registry = new OptimizerRegistry([sgd]);
    expect(() => registry.register(sgd)).toThrow(DuplicateOptimizerError);
    expect(() => registry.register({ ...adam, type: 'sgd' })).toThrow(
      'optimizer type "sgd" is already registered; give the new optimizer another type, or register it into a registry without the old one',
    );
    expect(() => new OptimizerRegistry([sgd, adam, sgd])).toThrow(/"sgd" is already registered/);
    expect(registry.get('sgd')).toBe(sgd);
  });

  it('throws UnknownOptimizerError listing the known types for an unknown type', () => {
    const registry = new OptimizerRegistry([sgd, momentum, adam]);
    expect(() => registry.get('adamw')).toThrow(UnknownOptimizerError);
    expect(() => registry.get('adamw')).toThrow('unknown optimizer type "adamw"; known types: adam, momentum, sgd');
    let caught: unknown;
    try {
      registry.create('Adam', {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnknownOptimizerError);
    expect((caught as UnknownOptimizerError).name).toBe('UnknownOptimizerError');
    expect((caught as UnknownOptimizerError).type).toBe('Adam');
    expect((caught as UnknownOptimizerError).knownTypes).toEqual(['adam', 'momentum', 'sgd']);
    expect(() => new OptimizerRegistry().get('sgd')).toThrow('unknown optimizer type "sgd"; known types: (none registered)');
  });

  it('never shares state between registries, and hands out copies of its lists', () => {
    const a = new OptimizerRegistry([sgd]);
    const b = new OptimizerRegistry([sgd]);
    a.register(adam);
    expect(a.types()).toEqual(['adam', 'sgd']);
    expect(b.types()).toEqual(['sgd']);
    a.types().push('fake');
    a.defs().push(momentum);
    expect(a.types()).toEqual(['adam', 'sgd']);
  });

  it('register returns the registry and refuses things that are not defs', () => {
    const registry = new OptimizerRegistry();
    expect(registry.register(sgd)).toBe(registry);
    const noType = { type: '', description: '', configFields: {}, validate: () => ({}), create: () => still };
    expect(() => registry.register(noType)).toThrow(/non-empty string "type"/);
    expect(() => registry.register({ type: 'half' } as unknown as OptimizerDef)).toThrow(
      'OptimizerRegistry.register: optimizer def "half" needs validate(config) and create(config) functions',
    );
    expect(() => registry.register(null as unknown as OptimizerDef)).toThrow(TypeError);
  });

  it('create validates the config and builds the optimizer from what validate returns', () => {
    const registry = new OptimizerRegistry([sgd, adam]);
    const optimizer = registry.create('adam', { lr: 0.3 });
    expect(optimizer).toBeInstanceOf(Adam);
    expect([(optimizer as Adam).lr, (optimizer as Adam).beta1]).toEqual([0.3, 0.9]);
    expect((registry.create('sgd') as SGD).lr).toBe(0.01);
    const seen: unknown[] = [];
    const scaled: OptimizerDef<{ factor: number }> = {
      type: 'scaled',
      description: 'test',
      configFields: {},
      validate(config) {
        seen.push(config);
        return { factor: Number((config as { factor: unknown }).factor) };
      },
      create(config) {
        seen.push(config);
        return still;
      },
    };
    expect(new OptimizerRegistry([scaled]).create('scaled', { factor: '2' })).toBe(still);
    expect(seen).toEqual([{ factor: '2' }, { factor: 2 }]);
  });

  it("create passes validate's error through, naming the type and the field", () => {
    const registry = new OptimizerRegistry([adam]);
    let caught: unknown;
    try {
      registry.create('adam', { lr: 'fast' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OptimizerConfigError);
    expect((caught as OptimizerConfigError).message).toBe('adam: "lr" must be a number > 0, got "fast"');
    expect((caught as OptimizerConfigError).field).toBe('lr');
  });

  it('builds optimizers that update params, each with its own state', () => {
    const registry = new OptimizerRegistry([momentum]);
    const a = registry.create('momentum', { lr: 0.1 });
    const b = registry.create('momentum', { lr: 0.1 });
    const W: Tensor = tensor([1]);
    const V: Tensor = tensor([1]);
    // By hand: v = −0.1·1 = −0.1, W = 0.9; then v = 0.9·(−0.1) − 0.1 = −0.19, W = 0.71
    a.update({ W }, { W: tensor([1]) });
    a.update({ W }, { W: tensor([1]) });
    b.update({ W: V }, { W: tensor([1]) });
    expect(W.data[0]).toBeCloseTo(0.71, 15);
    expect(V.data[0]).toBeCloseTo(0.9, 15);
  });
});
