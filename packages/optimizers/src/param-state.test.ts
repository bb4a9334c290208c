import { ShapeError, tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { checkUpdate, StateTable } from './param-state.js';

describe('StateTable', () => {
  it("makes zeros like the param on a key's first use and hands back the same tensor after", () => {
    const table = new StateTable('momentum', 'v');
    const W = tensor([[1, 2, 3]], 'float32');
    const v = table.of('W', W);
    expect(v.shape).toEqual([1, 3]);
    expect(v.dtype).toBe('float32');
    expect([...v.data]).toEqual([0, 0, 0]);
    v.data[0] = 5;
    expect(table.of('W', W)).toBe(v);
    expect(table.of('W', W).data[0]).toBe(5);
    expect(table.view.get('W')).toBe(v);
    expect(table.view.size).toBe(1);
    expect(table.name).toBe('v');
  });

  it('check passes unseen keys and same shapes, and names the key and both shapes otherwise', () => {
    const table = new StateTable('adagrad', 'h');
    table.of('W', zeros([2, 3]));
    expect(() => table.check('b', zeros([3]))).not.toThrow();
    expect(() => table.check('W', zeros([2, 3]))).not.toThrow();
    expect(() => table.check('W', zeros([3, 2]))).toThrow(ShapeError);
    expect(() => table.check('W', zeros([6]))).toThrow(
      'adagrad.update: params["W"] has shape [6] but its h was made for shape [2, 3] by an earlier update; use a new optimizer for params of other shapes ' +
        '(shapes [6] and [2, 3])',
    );
  });
});

describe('checkUpdate', () => {
  it('passes grads with every key of params and the same shapes; extra grads are ignored', () => {
    const params = { W: zeros([2, 2]), b: zeros([2]) };
    expect(() => checkUpdate('sgd', params, { W: zeros([2, 2]), b: zeros([2]), extra: zeros([1]) })).not.toThrow();
    expect(() => checkUpdate('sgd', {}, {})).not.toThrow();
  });

  it('names the missing key and its shape', () => {
    expect(() => checkUpdate('sgd', { W: zeros([2, 2]), b: zeros([2]) }, { W: zeros([2, 2]) })).toThrow(
      'sgd.update: grads has no entry "b" for params["b"] (shape [2]); grads needs a tensor under every key of params',
    );
  });

  it('names the key and both shapes for a grad of another shape', () => {
    let caught: unknown;
    try {
      checkUpdate('adam', { W: zeros([2, 2]) }, { W: zeros([4]) });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ShapeError);
    expect((caught as ShapeError).op).toBe('adam.update');
    expect((caught as ShapeError).shapes).toEqual([[2, 2], [4]]);
    expect((caught as ShapeError).message).toBe(
      'adam.update: grads["W"] has shape [4] but params["W"] has shape [2, 2]; each grad must have the shape of its param (shapes [2, 2] and [4])',
    );
  });

  it('checks the state tables it is given', () => {
    const m = new StateTable('adam', 'm');
    const v = new StateTable('adam', 'v');
    v.of('W', zeros([3]));
    expect(() => checkUpdate('adam', { W: zeros([3]) }, { W: zeros([3]) }, m, v)).not.toThrow();
    expect(() => checkUpdate('adam', { W: zeros([1, 3]) }, { W: zeros([1, 3]) }, m, v)).toThrow(/its v was made for shape \[3\]/);
  });
});
