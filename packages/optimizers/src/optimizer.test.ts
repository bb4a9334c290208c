import { type Tensor, tensor } from '@dlfs/tensor';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { adam, type AdamConfig } from './adam.js';
import type { BuiltinOptimizerType, Optimizer, OptimizerDef } from './optimizer.js';
import { OptimizerRegistry } from './registry.js';
import { sgd } from './sgd.js';

/** A contributor's optimizer, written against the contract only: signSGD, W ← W − lr·sign(g). */
type SignSGDConfig = { lr: number };
const signSgd: OptimizerDef<SignSGDConfig> = {
  type: 'sign-sgd',
  description: 'W ← W − lr·sign(g)',
  configFields: { lr: 'learning rate; default 0.01' },
  validate(config) {
    const lr = (config as { lr?: unknown } | undefined)?.lr ?? 0.01;
    if (typeof lr !== 'number' || !(lr > 0)) throw new TypeError(`sign-sgd: "lr" must be a number > 0, got ${String(lr)}`);
    return { lr };
  },
  create({ lr }): Optimizer {
    return {
      type: 'sign-sgd',
      update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>) {
        for (const key in params) {
          const W = params[key]!.data;
          const g = grads[key]!.data;
          for (let i = 0; i < W.length; i++) W[i] = W[i]! - lr * Math.sign(g[i]!);
        }
      },
    };
  },
};

describe('the optimizer contract', () => {
  it('lets a plugin def with its own config type join a registry beside the built-ins', () => {
    const registry = new OptimizerRegistry([sgd, adam, signSgd]);
    const optimizer = registry.create('sign-sgd', { lr: 0.5 });
    const W = tensor([1, -2, 3]);
    optimizer.update({ W }, { W: tensor([0.1, -7, 0]) });
    // By hand: [1 − 0.5, −2 + 0.5, 3 − 0]
    expect([...W.data]).toEqual([0.5, -1.5, 3]);
    expect(() => registry.create('sign-sgd', { lr: 0 })).toThrow('sign-sgd: "lr" must be a number > 0, got 0');
  });

  it('types the built-in defs by their literal type and config', () => {
    expectTypeOf(adam.type).toEqualTypeOf<'adam'>();
    expectTypeOf(adam.type).not.toEqualTypeOf<string>();
    expectTypeOf(adam.validate).returns.toEqualTypeOf<AdamConfig>();
    expectTypeOf(adam).toExtend<OptimizerDef>();
    expectTypeOf<'adam'>().toExtend<BuiltinOptimizerType>();
    expectTypeOf(new OptimizerRegistry().create).returns.toEqualTypeOf<Optimizer>();
  });
});
