"""The PyTorch side of the bench's SimpleConvNet section: one process per thread count.

    /usr/bin/python3 torch_worker.py     answers JSON commands, one per line on stdin

The same protocol as worker.py (answers are lines starting with "@@bench "). Commands: info;
setup {data, params, threads, seed, batchSize, lr, beta1, beta2}; warmup {minIters, minMs};
run {iters}; check {indices}; exit.

The network is the book's SimpleConvNet in torch.nn, float32 on the CPU: Conv2d(1, 30, 5) →
ReLU → MaxPool2d(2, 2) → Linear(4320, 100) → ReLU → Linear(100, 10), CrossEntropyLoss (mean
over the batch) and torch.optim.Adam(lr, betas). It starts from the shared weights (Linear
keeps W transposed: weight = Wᵀ). A step: torch.randint draws 100 rows with replacement, x[idx]
gathers them, then zero_grad, forward, loss, backward, optimizer.step().
"""
import ctypes
import json
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from bench_io import gradient_sums, read_conv_params, read_data, reply, timed_run, timed_warmup  # noqa: E402

KEYS = ('W1', 'b1', 'W2', 'b2', 'W3', 'b3')


class SimpleConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 30, kernel_size=5, stride=1, padding=0)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(30 * 12 * 12, 100)
        self.fc2 = nn.Linear(100, 10)
        self.relu = nn.ReLU()

    def forward(self, x):
        h = self.pool(self.relu(self.conv(x)))
        h = self.relu(self.fc1(torch.flatten(h, 1)))  # flattened in C, H, W order, as the book's Affine
        return self.fc2(h)

    def load_book_params(self, p):
        with torch.no_grad():
            self.conv.weight.copy_(torch.from_numpy(p['W1']))
            self.conv.bias.copy_(torch.from_numpy(p['b1']))
            self.fc1.weight.copy_(torch.from_numpy(p['W2'].T.copy()))
            self.fc1.bias.copy_(torch.from_numpy(p['b2']))
            self.fc2.weight.copy_(torch.from_numpy(p['W3'].T.copy()))
            self.fc2.bias.copy_(torch.from_numpy(p['b3']))

    def book_grads(self):
        """The gradients in the book's layout (W2 and W3 as [in, out])."""
        g = lambda t: t.grad.detach().numpy()  # noqa: E731
        return {'W1': g(self.conv.weight), 'b1': g(self.conv.bias), 'W2': g(self.fc1.weight).T, 'b2': g(self.fc1.bias),
                'W3': g(self.fc2.weight).T, 'b3': g(self.fc2.bias)}


class Trainer:
    def __init__(self, data, params, threads, seed, batch_size, lr, beta1, beta2):
        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        self.x = torch.from_numpy(np.ascontiguousarray(data['x'], dtype=np.float32)).reshape(-1, 1, 28, 28)
        self.t = torch.from_numpy(np.array(data['labels'], dtype=np.int64))
        self.rows = self.x.shape[0]
        self.batch_size = batch_size
        self.model = SimpleConvNet()
        self.model.load_book_params(params)
        self.loss_fn = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr, betas=(beta1, beta2))
        self.loss = None

    def gradient(self, x, t):
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(x), t)
        loss.backward()
        return loss

    def step(self):
        idx = torch.randint(0, self.rows, (self.batch_size,))
        self.loss = self.gradient(self.x[idx], self.t[idx])
        self.optimizer.step()

    def last_loss(self):
        return float(self.loss.item())

    def check(self, indices):
        idx = torch.tensor(indices, dtype=torch.int64)
        x, t = self.x[idx], self.t[idx]
        loss0 = float(self.gradient(x, t).item())
        sums = gradient_sums(self.model.book_grads(), KEYS)
        self.optimizer.step()
        with torch.no_grad():
            loss1 = float(self.loss_fn(self.model(x), t).item())
        return {'loss0': loss0, 'loss1': loss1, **sums}


def loaded_blas():
    """The BLAS libraries this process has loaded (from /proc/self/maps), and OpenBLAS's own report on itself."""
    paths = []
    try:
        with open('/proc/self/maps') as maps:
            for line in maps:
                parts = line.split()
                name = parts[-1] if len(parts) >= 6 else ''
                if 'blas' in os.path.basename(name).lower() and name not in paths:
                    paths.append(name)
    except OSError:
        return {'note': '/proc/self/maps is not readable'}
    libs = []
    for path in paths:
        real = os.path.realpath(path)
        lib = {'path': path, 'realpath': real}
        if 'openblas' in real.lower():
            lib['library'] = 'openblas'
            lib['variant'] = 'pthread' if 'pthread' in real else 'openmp' if 'openmp' in real else 'serial' if 'serial' in real else None
            try:
                so = ctypes.CDLL(path)
                for key, fn, restype in (('corename', 'openblas_get_corename', ctypes.c_char_p),
                                         ('config', 'openblas_get_config', ctypes.c_char_p),
                                         ('threads', 'openblas_get_num_threads', ctypes.c_int)):
                    f = getattr(so, fn, None)
                    if f is not None:
                        f.restype = restype
                        f.argtypes = []
                        v = f()
                        lib[key] = v.decode() if isinstance(v, bytes) else v
            except OSError as err:
                lib['error'] = str(err)
        elif '/blas/' in real:
            lib['library'] = 'reference BLAS (netlib): install libopenblas0-pthread for an optimised one'
        libs.append(lib)
    return {'libraries': libs}


def info():
    build = {}
    for part in torch.__config__.show().replace('\n', ',').split(','):
        if '=' in part:
            k, _, v = part.strip().partition('=')
            if k in ('BLAS_INFO', 'LAPACK_INFO', 'USE_MKLDNN', 'USE_OPENMP', 'TORCH_VERSION'):
                build[k] = v
    return {
        'python': platform.python_version(),
        'torch': torch.__version__,
        'numpy': np.__version__,
        'threads': torch.get_num_threads(),
        'interopThreads': torch.get_num_interop_threads(),
        'mkldnn': torch.backends.mkldnn.is_available(),
        'build': build,
        'blasRuntime': loaded_blas(),
        'env': {k: os.environ.get(k) for k in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')},
    }


def serve():
    trainer = None
    datasets = {}
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
            elif cmd == 'setup':
                if msg['data'] not in datasets:
                    datasets[msg['data']] = read_data(msg['data'])
                trainer = Trainer(datasets[msg['data']], read_conv_params(msg['params']), msg['threads'], msg['seed'],
                                  msg['batchSize'], msg['lr'], msg['beta1'], msg['beta2'])
                reply({'ok': True, 'rows': trainer.rows, 'info': info()})
            elif cmd == 'warmup':
                reply(timed_warmup(trainer, msg['minIters'], msg['minMs']))
            elif cmd == 'run':
                reply(timed_run(trainer, msg['iters']))
            elif cmd == 'check':
                reply(trainer.check(msg['indices']))
            else:
                reply({'error': f'unknown command {cmd!r}'})
        except Exception as err:  # the harness shows the message and ends this implementation
            reply({'error': f'{type(err).__name__}: {err}'})


if __name__ == '__main__':
    serve()
