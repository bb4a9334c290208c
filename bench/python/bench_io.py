"""What the bench's Python workers share: the answer format and the data files bench/src writes.

Every answer is one line on stdout that starts with "@@bench " and holds JSON (bench/src/protocol.ts).
"""
import json
import struct
import sys
import time

import numpy as np

MARK = '@@bench '
MAGIC = b'DLFSBEN1'
HEADER_BYTES = 32
CONV_MAGIC = b'DLFSCNV1'


def reply(obj):
    sys.stdout.write(MARK + json.dumps(obj) + '\n')
    sys.stdout.flush()


def timed_warmup(trainer, min_iters, min_ms):
    """The answer to `warmup`: steps until at least min_iters steps and min_ms milliseconds have passed."""
    started = time.perf_counter()
    n = 0
    while n < min_iters or (time.perf_counter() - started) * 1000 < min_ms:
        trainer.step()
        n += 1
    return {'iters': n, 'ms': (time.perf_counter() - started) * 1000, 'loss': trainer.last_loss()}


def timed_run(trainer, iters):
    """The answer to `run`: `iters` steps, timed."""
    started = time.perf_counter()
    for _ in range(iters):
        trainer.step()
    return {'iters': iters, 'ms': (time.perf_counter() - started) * 1000, 'loss': trainer.last_loss()}


def align8(n):
    return (n + 7) & ~7


def read_data(path):
    """The benchmark's data file (bench/src/bench-data.ts writes it): the digits, labels and initial weights."""
    with open(path, 'rb') as f:
        buf = f.read()
    if buf[:8] != MAGIC:
        raise ValueError(f'{path}: not a dlfs benchmark data file (magic {buf[:8]!r})')
    rows, cols, hidden, classes = struct.unpack_from('<4I', buf, 8)
    off = HEADER_BYTES
    x = np.frombuffer(buf, dtype='<f4', count=rows * cols, offset=off).reshape(rows, cols)
    off += 4 * rows * cols
    labels = np.frombuffer(buf, dtype='<i4', count=rows, offset=off)
    off = align8(off + 4 * rows)
    params = {}
    for key, shape in (('W1', (cols, hidden)), ('b1', (hidden,)), ('W2', (hidden, classes)), ('b2', (classes,))):
        n = int(np.prod(shape))
        params[key] = np.frombuffer(buf, dtype='<f8', count=n, offset=off).reshape(shape).copy()
        off += 8 * n
    return {'rows': rows, 'cols': cols, 'hidden': hidden, 'classes': classes, 'x': x, 'labels': labels, 'params': params}


def read_conv_params(path):
    """SimpleConvNet's initial weights (bench/src/conv-data.ts writes them), float64, in the book's layout."""
    with open(path, 'rb') as f:
        buf = f.read()
    if buf[:8] != CONV_MAGIC:
        raise ValueError(f'{path}: not a SimpleConvNet weights file (magic {buf[:8]!r})')
    (length,) = struct.unpack_from('<I', buf, 8)
    header = json.loads(buf[12:12 + length].decode('utf-8'))
    off = 12 + length
    params = {}
    for p in header['params']:
        n = int(np.prod(p['shape']))
        params[p['name']] = np.frombuffer(buf, dtype='<f8', count=n, offset=off).reshape(p['shape']).copy()
        off += 8 * n
    if off != len(buf):
        raise ValueError(f'{path}: {len(buf)} bytes, expected {off}')
    return params


def write_conv_params(path, params, keys):
    """SimpleConvNet parameters (or gradients) in the format of read_conv_params, as float64."""
    header = json.dumps({'params': [{'name': k, 'shape': list(np.shape(params[k]))} for k in keys]}).encode('utf-8')
    data_at = align8(12 + len(header))
    with open(path, 'wb') as f:
        f.write(CONV_MAGIC + struct.pack('<I', data_at - 12) + header + b' ' * (data_at - 12 - len(header)))
        for k in keys:
            f.write(np.ascontiguousarray(params[k], dtype='<f8').tobytes())


def projection(values):
    """sum of v[i] * sin(i + 1) over the flat values (the same as projection() in bench/src/conv-data.ts)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    return float(np.dot(v, np.sin(np.arange(1, v.size + 1, dtype=np.float64))))


def gradient_sums(grads, keys):
    """What a check reports of the gradients (bench/src/conv-data.ts gradientSums): sum |g|, sqrt(sum g^2) and the projection, in float64."""
    g64 = {k: np.asarray(grads[k], dtype=np.float64) for k in keys}
    return {
        'gradL1': {k: float(np.abs(g64[k]).sum()) for k in keys},
        'gradL2': {k: float(np.sqrt(np.square(g64[k]).sum())) for k in keys},
        'gradProj': {k: projection(g64[k]) for k in keys},
    }
