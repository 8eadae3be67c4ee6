import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNabla } from '../lang/run';
import { hasTorch, python } from '../python-torch';

/**
 * Checkpoints and data files (issue 14): a resumed run continues bit for bit, .npz files are what numpy and
 * torch read (PyTorch state_dict names and layouts), load gives back the saved structure, and every
 * malformed file is an error that names the file.
 */
const dir = mkdtempSync(join(tmpdir(), 'nabla-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const f = (name: string) => join(dir, name).replace(/\\/g, '/');

function ok(src: string) {
  const r = runNabla(src);
  expect(r.ok, r.ok ? '' : `${r.evalue}\n${r.stdout}`).toBe(true);
  return r.stdout;
}

function fails(src: string): string {
  const r = runNabla(src);
  if (r.ok) throw new Error(`expected an error, the program printed: ${r.stdout}`);
  expect(r.traceback.join('\n')).not.toMatch(/at .*\.ts:\d+/); // a sentence, not a JS stack
  return `${r.ename}: ${r.evalue}`;
}

const setup = (dtype: string) => `
net = mlp([2, 8, 8, 1], seed=3, dtype="${dtype}")
X = rand(16, 2, seed=1, dtype="${dtype}")
Y = sin(X[:, 0:1]) * X[:, 1:2]
`;

describe('a stopped and resumed run continues bit for bit', () => {
  for (const [dtype, compiled] of [
    ['float32', true],
    ['float64', true],
    ['float32', false],
  ] as const) {
    it(`Adam, ${dtype}, ${compiled ? 'compiled' : 'eager'}: 200 steps == 100 + save/load + 100`, () => {
      const step = `${compiled ? '@compile\n' : ''}fn step() { opt.zero_grad(); l = mean((net(X) - Y)^2); l.backward(); opt.step(); l }`;
      const straight = ok(
        `${setup(dtype)}opt = adam(net.params, lr=0.01)\n${step}\nfor i in range(200) { step() }\nprint(net.params[0].tolist(), net.params[3].tolist())`,
      );
      ok(
        `${setup(dtype)}opt = adam(net.params, lr=0.01)\n${step}\nfor i in range(100) { step() }\nsave({"net": net, "opt": opt, "done": 100}, "${f(`run-${dtype}-${compiled}.npz`)}")`,
      );
      const resumed = ok(`${setup(dtype)}net = mlp([2, 8, 8, 1], seed=99, dtype="${dtype}")
opt = adam(net.params, lr=0.5)
c = load("${f(`run-${dtype}-${compiled}.npz`)}")
net.load_state_dict(c["net"])
opt.load_state_dict(c["opt"])
${step}
for i in range(200 - c["done"]) { step() }
print(net.params[0].tolist(), net.params[3].tolist())`);
      expect(resumed).toBe(straight);
      expect(straight.length).toBeGreaterThan(50);
    });
  }

  it('L-BFGS (history, direction, step count): 4 steps == 2 + save/load + 2', () => {
    const prog = (
      pre: string,
      n: number,
      post: string,
    ) => `${setup('float64')}lb = lbfgs(net.params, max_iter=5, history=4)
fn closure() { lb.zero_grad(); l = mean((net(X) - Y)^2); l.backward(); l }
${pre}
for i in range(${n}) { lb.step(closure) }
${post}`;
    const straight = ok(prog('', 4, 'print(net.params[0].tolist())'));
    ok(prog('', 2, `save({"net": net, "lb": lb}, "${f('lbfgs.npz')}")`));
    const resumed = ok(
      prog(
        `c = load("${f('lbfgs.npz')}")\nnet.load_state_dict(c["net"])\nlb.load_state_dict(c["lb"])`,
        2,
        'print(net.params[0].tolist())',
      ),
    );
    expect(resumed).toBe(straight);
    // without the optimizer's state the continuation differs (the test can fail)
    const fresh = ok(
      prog(`c = load("${f('lbfgs.npz')}")\nnet.load_state_dict(c["net"])`, 2, 'print(net.params[0].tolist())'),
    );
    expect(fresh).not.toBe(straight);
  });
});

describe('load gives back the saved structure', () => {
  it('nested maps, lists, tuples, numbers, strings, booleans, none and tensors', () => {
    const out =
      ok(`v = {"a": [1, 2.5, tensor([1.0, 2.0])], "b": {"c": "text", 1: true, "n": none}, "t": (3, 4), "big": 0.1}
save(v, "${f('nested.npz')}")
w = load("${f('nested.npz')}")
print(w["a"][0], w["a"][1], w["a"][2], w["b"]["c"], w["b"][1], w["b"]["n"], w["t"], w["big"] == 0.1, len(w))`);
    expect(out.trim()).toBe('1 2.5 tensor([1., 2.]) text true none (3, 4) true 4');
  });

  it('a tensor round-trips through .npy and .csv exactly, float32 and float64', () => {
    const out = ok(`X = randn(7, 3, seed=2)
Z = randn(5, 2, seed=3, dtype="float64")
save(X, "${f('x.npy')}")
save(Z, "${f('z.npy')}")
write_csv(X, "${f('x.csv')}", header=["a", "b", "c"])
write_csv(Z, "${f('z.csv')}")
fn same(a, b) { a.dtype == b.dtype and a.shape == b.shape and sum(abs(a - b)).item() == 0 }
print(same(load("${f('x.npy')}"), X), load("${f('z.npy')}").dtype, same(load("${f('z.npy')}"), Z))
print(same(read_csv("${f('x.csv')}"), X), same(read_csv("${f('z.csv')}", dtype="float64"), Z), same(read_csv("${f('z.csv')}"), Z))`);
    expect(out.trim()).toBe('true float64 true\ntrue true false');
    expect(readFileSync(f('x.csv'), 'utf8').split('\n')[0]).toBe('a,b,c');
  });
});

describe('malformed and missing files are errors naming the file', () => {
  it('a missing file, a directory, a wrong extension', () => {
    expect(fails(`load("${f('nope.npz')}")`)).toMatch(/nope\.npz: no such file/);
    expect(fails(`load("${dir}/")`)).toMatch(/must end in \.npz or \.npy/);
    expect(fails(`save(1, "${f('x.txt')}")`)).toMatch(/must end in \.npz \(any value\) or \.npy/);
    expect(fails(`read_csv("${f('missing.csv')}")`)).toMatch(/missing\.csv: no such file/);
    expect(fails(`save(fn(x) = x, "${f('fn.npz')}")`)).toMatch(/cannot save a function/);
  });

  it('a truncated .npy, a huge declared shape, a bad header, a zip that is not one', () => {
    ok(`save(ones(100), "${f('good.npy')}")`);
    const good = readFileSync(f('good.npy'));
    writeFileSync(f('trunc.npy'), good.subarray(0, good.length - 10));
    expect(fails(`load("${f('trunc.npy')}")`)).toMatch(
      /trunc\.npy: the header declares shape \(100\).*400 bytes.*holds only 390/,
    );
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 1000), }";
    const huge = Buffer.concat([
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length + 1, 0]),
      Buffer.from(header + '\n'),
    ]);
    writeFileSync(f('huge.npy'), huge);
    expect(fails(`load("${f('huge.npy')}")`)).toMatch(
      /huge\.npy: the array declares shape \(100000, 100000, 1000\).*more than/,
    );
    writeFileSync(f('text.npy'), 'hello');
    expect(fails(`load("${f('text.npy')}")`)).toMatch(/text\.npy: not a valid \.npy file/);
    writeFileSync(f('bad.npz'), 'not a zip at all');
    expect(fails(`load("${f('bad.npz')}")`)).toMatch(/bad\.npz: not a valid \.npz file/);
  });

  it('a CSV with a bad cell or a ragged row', () => {
    writeFileSync(f('bad.csv'), 'x,y\n1,2\n3,abc\n');
    expect(fails(`read_csv("${f('bad.csv')}")`)).toMatch(/bad\.csv:3: column 2 holds "abc", which is not a number/);
    writeFileSync(f('ragged.csv'), '1,2\n3\n');
    expect(fails(`read_csv("${f('ragged.csv')}")`)).toMatch(/ragged\.csv:2: 1 cells where the first line has 2/);
  });

  it('load_state_dict checks keys and shapes before writing anything', () => {
    ok(`save(mlp([2, 4, 1], seed=0), "${f('small.npz')}")`);
    expect(fails(`net = mlp([2, 5, 1], seed=0)\nnet.load_state_dict(load("${f('small.npz')}"))`)).toMatch(
      /'layers\.0\.weight' has shape \[4, 2\] but this model's is \[5, 2\]/,
    );
    expect(fails(`net = mlp([2, 4, 4, 1], seed=0)\nnet.load_state_dict(load("${f('small.npz')}"))`)).toMatch(
      /missing layers\.2\.weight, layers\.2\.bias/,
    );
  });
});

describe('numpy and torch read the files', () => {
  it.runIf(hasTorch)(
    'an mlp saved by Nabla loads into the equivalent torch module and computes the same outputs',
    () => {
      ok(`net = mlp([2, 16, 16, 1], seed=7, dtype="float64")
X = rand(10, 2, seed=4, dtype="float64")
save(net, "${f('net.npz')}")
save(X, "${f('X.npy')}")
no_grad { save(net(X), "${f('Y.npy')}") }
opt = adam(net.params)
fn step() { opt.zero_grad(); l = sum(net(X)^2); l.backward(); opt.step(); l }
step()
save(opt, "${f('opt.npz')}")`);
      const script = `
import numpy as np, torch
d = np.load("${f('net.npz')}")
sd = {k: torch.from_numpy(d[k]) for k in d.files}
class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(2, 16), torch.nn.Linear(16, 16), torch.nn.Linear(16, 1)]).double()
    def forward(self, x):
        for i, l in enumerate(self.layers):
            x = l(x if i == 0 else torch.tanh(x))
        return x
m = MLP()
m.load_state_dict(sd, strict=True)
seq = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).double()
# in an nn.Sequential with Tanh modules between the layers, layer i is entry 2i
seq.load_state_dict({f"{2 * int(k.split('.')[1])}.{k.split('.')[2]}": v for k, v in sd.items()}, strict=True)
X = torch.from_numpy(np.load("${f('X.npy')}"))
Y = np.load("${f('Y.npy')}")
print(float(np.abs(m(X).detach().numpy() - Y).max()), float(np.abs(seq(X).detach().numpy() - Y).max()))
o = np.load("${f('opt.npz')}")
print(sorted(k for k in o.files if k.startswith("state.0.")), float(o["param_groups.0.lr"]), o["state.0.exp_avg"].shape)
`;
      const r = spawnSync(python, ['-c', script], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const [errors, keys] = r.stdout.trim().split('\n');
      const [e1, e2] = errors.split(' ').map(Number);
      expect(e1).toBeLessThan(1e-12);
      expect(e2).toBeLessThan(1e-12);
      expect(keys).toBe("['state.0.exp_avg', 'state.0.exp_avg_sq', 'state.0.step'] 0.001 (2, 16)");
    },
    180_000,
  );
});
