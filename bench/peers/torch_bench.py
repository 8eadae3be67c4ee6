"""PyTorch's side of `npm run bench` (bench/run.ts): the same workloads as bench/nabla.ts, from the same data
(bench/data.ts), timed by the same rule (bench/measure.ts), printed as one JSON object.

Run with Debian's interpreter, which sees python3-torch:
    /usr/bin/python3 bench/peers/torch_bench.py DATA.json --threads 1 [--budget ms]
"""
import argparse
import json
import math
import statistics
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("data")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--budget", type=float, default=1200)
p.add_argument("--only", default="")
p.add_argument("--device", default="cpu", help="cpu or cuda (the GPU machine: bench/gpu/run.sh)")
args = p.parse_args()
dev = torch.device(args.device)
torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)
data = json.load(open(args.data))


def measure(fn, warm=300, sample_ms=20, budget=args.budget):
    """Median ms per iteration over samples of at least sample_ms, after warm ms of warm-up (as measure.ts)."""
    now = lambda: time.perf_counter() * 1000
    if dev.type == "cuda":
        inner = fn

        def fn():
            inner()
            torch.cuda.synchronize()

    t0, n = now(), 0
    while n < 3 or now() - t0 < warm:
        fn()
        n += 1
    per = []
    t0 = now()
    while len(per) < 5 or (now() - t0 < budget and len(per) < 60):
        s = now()
        k = 0
        while True:
            fn()
            k += 1
            t = now()
            if t - s >= sample_ms:
                break
        per.append((t - s) / k)
    return {"ms": statistics.median(per), "samples": len(per)}


def params(layers):
    # data holds W as [in, out] (x @ W + b), which is nn.Linear's weight transposed
    ps = []
    for layer in layers:
        W = torch.tensor(layer["W"], dtype=torch.float32, device=dev).requires_grad_(True)
        b = torch.tensor(layer["b"], dtype=torch.float32, device=dev).requires_grad_(True)
        ps.append((W, b))
    return ps


def forward(ps, x):
    h = x
    for i, (W, b) in enumerate(ps):
        h = h @ W + b
        if i < len(ps) - 1:
            h = torch.tanh(h)
    return h


def flat(ps):
    return [t for pair in ps for t in pair]


def mlp_step():
    ps = params(data["mlp"]["layers"])
    X = torch.tensor(data["mlp"]["X"], dtype=torch.float32, device=dev)
    Y = torch.tensor(data["mlp"]["Y"], dtype=torch.float32, device=dev)
    opt = torch.optim.Adam(flat(ps), lr=data["mlp"]["lr"])

    def step():
        opt.zero_grad()
        L = torch.mean((forward(ps, X) - Y) ** 2)
        L.backward()
        opt.step()
        return L

    return step


def pinn_step():
    ps = params(data["pinn"]["layers"])
    x = torch.tensor(data["pinn"]["x"], dtype=torch.float32, device=dev).requires_grad_(True)
    f = torch.tensor(data["pinn"]["f"], dtype=torch.float32, device=dev)
    opt = torch.optim.Adam(flat(ps), lr=data["pinn"]["lr"])

    def step():
        opt.zero_grad()
        u = forward(ps, x)
        (ux,) = torch.autograd.grad(u.sum(), x, create_graph=True)
        (uxx,) = torch.autograd.grad(ux.sum(), x, create_graph=True)
        L = torch.mean((uxx + f) ** 2) + (u[0, 0] ** 2 + u[-1, 0] ** 2)
        L.backward()
        opt.step()
        return L

    return step


def chain():
    x = torch.linspace(0, 1, data["chain"]["n"], device=dev).requires_grad_(True)

    def run():
        y = x
        for _ in range(data["chain"]["length"] // 4):
            y = torch.tanh(y * 0.9 + 0.1) * 1.01
        y.sum().backward()
        x.grad = None

    return run


results, losses = {}, {}
only = [s for s in args.only.split(",") if s]


def run(name, fn):
    if not only or name in only:
        results[name] = measure(fn)


for name, make in (("mlp", mlp_step), ("pinn", pinn_step)):
    step = make()
    ls = [step().item() for _ in range(20)]
    losses[name] = [ls[0], ls[19]]

for n in data["matmul"]["sizes"]:
    i = torch.arange(n * n, dtype=torch.float64)
    a = torch.sin(0.001 * i).float().reshape(n, n).to(dev)
    b = torch.cos(0.002 * i).float().reshape(n, n).to(dev)
    run(f"matmul_{n}", lambda a=a, b=b: torch.mm(a, b))
run("mlp_step", mlp_step())
run("pinn_step", pinn_step())
run("chain_1000", chain())

print(json.dumps({"system": "pytorch", "device": args.device, "threads": args.threads, "version": torch.__version__, "results": results, "losses": losses}))
