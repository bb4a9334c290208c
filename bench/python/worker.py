"""The NumPy side of the dlfs benchmark: one process per implementation.

    python3 worker.py              answers JSON commands, one per line on stdin
    python3 worker.py loadtxt F    times numpy.loadtxt on a Kaggle train.csv, prints its peak RSS

Every answer is one line on stdout that starts with "@@bench " and holds JSON.
Commands: info; setup {dtype, data, seed, batchSize, lr} (the chapter-5 two-layer net) or
setup {model: 'simple-convnet', dtype, data, params, seed, batchSize, lr, beta1, beta2} (7.5's
SimpleConvNet with the book's Adam); warmup {minIters, minMs}; run {iters}; check {indices};
steps {batches, out} (SimpleConvNet: one Adam step per batch, the last gradients and the weights
written to files); gradcheck {data, samples}; exit.
"""
import ctypes
import json
import os
import platform
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_io import gradient_sums, read_conv_params, read_data, reply, timed_run, timed_warmup, write_conv_params  # noqa: E402
from simple_convnet import PARAM_KEYS as CONV_KEYS, Adam, SimpleConvNet  # noqa: E402
from two_layer_net import TwoLayerNet  # noqa: E402

PARAM_KEYS = ('W1', 'b1', 'W2', 'b2')


class Trainer:
    """ch05/train_neuralnet.py's loop body: sample with replacement, gather, gradient, SGD."""

    def __init__(self, data, dtype, seed, batch_size, lr):
        self.dtype = np.dtype(dtype)
        self.x = np.ascontiguousarray(data['x'], dtype=self.dtype)
        self.t = np.array(data['labels'], dtype=np.int64)
        self.train_size = self.x.shape[0]
        self.batch_size = batch_size
        self.lr = lr
        self.network = TwoLayerNet(data['cols'], data['hidden'], data['classes'], params=data['params'], dtype=self.dtype)
        np.random.seed(seed)

    def step(self):
        batch_mask = np.random.choice(self.train_size, self.batch_size)
        x_batch = self.x[batch_mask]
        t_batch = self.t[batch_mask]
        grad = self.network.gradient(x_batch, t_batch)
        for key in PARAM_KEYS:
            self.network.params[key] -= self.lr * grad[key]

    def last_loss(self):
        return float(self.network.lastLayer.loss)

    def check(self, indices):
        idx = np.array(indices, dtype=np.int64)
        x, t = self.x[idx], self.t[idx]
        grad = self.network.gradient(x, t)
        loss0 = float(self.network.lastLayer.loss)
        grad_l1 = {k: float(np.abs(grad[k]).sum(dtype=np.float64)) for k in PARAM_KEYS}
        for key in PARAM_KEYS:
            self.network.params[key] -= self.lr * grad[key]
        loss1 = float(self.network.loss(x, t))
        return {'loss0': loss0, 'loss1': loss1, 'gradL1': grad_l1}


class ConvTrainer:
    """ch07/train_convnet.py's step with common/trainer.py's train_step: sample with replacement,
    gather, gradient, the book's Adam. (The book's train_step then computes the batch's loss with a
    second forward pass, for its log; the step here takes the loss of the gradient's own forward, as
    dlfs does.)"""

    def __init__(self, data, params, dtype, seed, batch_size, lr, beta1, beta2):
        self.dtype = np.dtype(dtype)
        # the rows as [N, 1, 28, 28] images, as the book's load_mnist(flatten=False)
        self.x = np.ascontiguousarray(data['x'], dtype=self.dtype).reshape(-1, 1, 28, 28)
        self.t = np.array(data['labels'], dtype=np.int64)
        self.train_size = self.x.shape[0]
        self.batch_size = batch_size
        self.network = SimpleConvNet(params=params, dtype=self.dtype)
        self.optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2)
        np.random.seed(seed)

    def step(self):
        batch_mask = np.random.choice(self.train_size, self.batch_size)
        x_batch = self.x[batch_mask]
        t_batch = self.t[batch_mask]
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)

    def last_loss(self):
        return float(self.network.last_layer.loss)

    def check(self, indices):
        idx = np.array(indices, dtype=np.int64)
        x, t = self.x[idx], self.t[idx]
        grads = self.network.gradient(x, t)
        loss0 = float(self.network.last_layer.loss)
        sums = gradient_sums(grads, CONV_KEYS)
        self.optimizer.update(self.network.params, grads)
        loss1 = float(self.network.loss(x, t))
        return {'loss0': loss0, 'loss1': loss1, **sums}

    def steps(self, batches, out):
        """One step (gradient, then Adam) per batch of row indices; writes the last step's gradients
        to out + '.grads' and the weights after the last update to out + '.params' (the weights
        file's format, float64), and answers every step's loss."""
        losses = []
        grads = None
        for batch in batches:
            idx = np.array(batch, dtype=np.int64)
            grads = self.network.gradient(self.x[idx], self.t[idx])
            losses.append(float(self.network.last_layer.loss))
            self.optimizer.update(self.network.params, grads)
        write_conv_params(out + '.grads', grads, CONV_KEYS)
        write_conv_params(out + '.params', self.network.params, CONV_KEYS)
        return {'losses': losses, 'grads': out + '.grads', 'params': out + '.params'}


def gradient_check(data, samples):
    """ch05/gradient_check.py: numerical_gradient over every parameter (h=1e-4) against backprop, float64."""
    network = TwoLayerNet(data['cols'], data['hidden'], data['classes'], params=data['params'], dtype=np.float64)
    x_batch = np.array(data['x'][:samples], dtype=np.float64)
    t_batch = np.array(data['labels'][:samples], dtype=np.int64)
    started = time.perf_counter()
    grad_numerical = network.numerical_gradient(x_batch, t_batch)
    grad_backprop = network.gradient(x_batch, t_batch)
    seconds = time.perf_counter() - started
    params = [{'name': k, 'meanAbsDiff': float(np.average(np.abs(grad_backprop[k] - grad_numerical[k])))} for k in PARAM_KEYS]
    return {'seconds': seconds, 'params': params}


def blas_runtime():
    """Which BLAS library is loaded and which kernel it picked: threadpoolctl when installed, else ctypes."""
    try:
        from threadpoolctl import threadpool_info

        pools = [p for p in threadpool_info() if p.get('user_api') == 'blas']
        if pools:
            p = pools[0]
            return {'via': 'threadpoolctl', 'library': p.get('internal_api'), 'version': p.get('version'),
                    'coretype': p.get('architecture'), 'threads': p.get('num_threads'), 'path': p.get('filepath')}
    except ImportError:
        pass
    path = None
    try:
        with open('/proc/self/maps') as maps:
            for line in maps:
                name = line.split()[-1] if len(line.split()) >= 6 else ''
                if 'openblas' in os.path.basename(name).lower():
                    path = name
                    break
    except OSError:
        return {'via': 'none', 'note': '/proc/self/maps is not readable'}
    if path is None:
        return {'via': 'none', 'note': 'no OpenBLAS library is loaded (threadpoolctl is not installed to look further)'}
    lib = ctypes.CDLL(path)

    def call(names, restype):
        for n in names:
            fn = getattr(lib, n, None)
            if fn is not None:
                fn.restype = restype
                fn.argtypes = []
                value = fn()
                return value.decode() if isinstance(value, bytes) else value
        return None

    prefixes = ('openblas_', 'scipy_openblas_')
    suffixes = ('', '64_', '_64')

    def names(base):
        return [p + base + s for p in prefixes for s in suffixes]

    return {
        'via': 'ctypes (threadpoolctl is not installed)',
        'library': 'openblas',
        'coretype': call(names('get_corename'), ctypes.c_char_p),
        'config': call(names('get_config'), ctypes.c_char_p),
        'threads': call(names('get_num_threads'), ctypes.c_int),
        'path': path,
    }


def info():
    blas = None
    try:
        config = np.show_config(mode='dicts')
        blas = config.get('Build Dependencies', {}).get('blas')
    except TypeError:  # numpy < 1.26 has no mode='dicts'
        pass
    return {
        'python': platform.python_version(),
        'numpy': np.__version__,
        'blasBuild': blas,
        'blasRuntime': blas_runtime(),
        'env': {k: os.environ.get(k) for k in ('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS')},
    }


def max_rss_kib():
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def loadtxt(path):
    started = time.perf_counter()
    a = np.loadtxt(path, delimiter=',', skiprows=1, dtype=np.float32)
    seconds = time.perf_counter() - started
    reply({'seconds': seconds, 'rows': int(a.shape[0]), 'cols': int(a.shape[1]), 'maxRssKiB': max_rss_kib()})


def serve():
    trainer = None
    datasets = {}

    def data_at(path):
        if path not in datasets:
            datasets[path] = read_data(path)
        return datasets[path]

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        cmd = msg.get('cmd')
        try:
            if cmd == 'exit':
                reply({'ok': True})
                return
            if cmd == 'info':
                reply(info())
            elif cmd == 'setup' and msg.get('model') == 'simple-convnet':
                trainer = ConvTrainer(data_at(msg['data']), read_conv_params(msg['params']), msg['dtype'], msg['seed'],
                                      msg['batchSize'], msg['lr'], msg['beta1'], msg['beta2'])
                reply({'ok': True, 'rows': trainer.train_size})
            elif cmd == 'setup':
                trainer = Trainer(data_at(msg['data']), msg['dtype'], msg['seed'], msg['batchSize'], msg['lr'])
                reply({'ok': True, 'rows': trainer.train_size})
            elif cmd == 'warmup':
                reply(timed_warmup(trainer, msg['minIters'], msg['minMs']))
            elif cmd == 'run':
                reply(timed_run(trainer, msg['iters']))
            elif cmd == 'check':
                reply(trainer.check(msg['indices']))
            elif cmd == 'steps':
                reply(trainer.steps(msg['batches'], msg['out']))
            elif cmd == 'gradcheck':
                reply(gradient_check(data_at(msg['data']), msg['samples']))
            else:
                reply({'error': f'unknown command {cmd!r}'})
        except Exception as err:  # the harness shows the message and ends this implementation
            reply({'error': f'{type(err).__name__}: {err}'})


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == 'loadtxt':
        loadtxt(sys.argv[2])
    else:
        serve()
