"""The 1D Poisson PINN of notebooks/pde/poisson.nabla in PyTorch, for bench/pinn-poisson.ts.

    u''(x) = -pi^2 sin(pi x) on [0, 1], u(0) = u(1) = 0; exact u = sin(pi x).

Same network (mlp [1, 32, 32, 1], tanh), the same initial weights (read from --weights, written by the
TypeScript side from Nabla's seeded Glorot draw), the same 64 collocation points and loss, Adam at lr 5e-3
then L-BFGS (lr 1, max_iter 20, history 50, strong Wolfe). Prints one JSON line with the wall times of both
phases, the number of L-BFGS closure evaluations and the relative L2 errors. Run with /usr/bin/python3
(Debian's python3-torch).
"""

import argparse
import json
import math
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True, help="JSON: [[W, b], ...], W in torch layout [out, in]")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--lbfgs", type=int, default=10)
    ap.add_argument("--points", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    layers = json.load(open(a.weights))
    linears = []
    for W, b in layers:
        lin = torch.nn.Linear(len(W[0]), len(W))
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W))
            lin.bias.copy_(torch.tensor(b))
        linears.append(lin)
    mods = []
    for i, lin in enumerate(linears):
        mods.append(lin)
        if i < len(linears) - 1:
            mods.append(torch.nn.Tanh())
    net = torch.nn.Sequential(*mods)

    n = a.points
    x = torch.linspace(0, 1, n).reshape(n, 1)
    f = -math.pi ** 2 * torch.sin(math.pi * x)
    x.requires_grad_(True)
    ends = torch.tensor([[0.0], [1.0]])
    xs = torch.linspace(0, 1, 201).reshape(201, 1)
    exact = torch.sin(math.pi * xs)

    def pinn_loss():
        u = net(x)
        du, = torch.autograd.grad(u, x, torch.ones_like(u), create_graph=True)
        d2u, = torch.autograd.grad(du, x, torch.ones_like(du), create_graph=True)
        return ((d2u - f) ** 2).mean() + (net(ends) ** 2).mean()

    def relative_error():
        with torch.no_grad():
            return ((net(xs) - exact).norm() / exact.norm()).item()

    opt = torch.optim.Adam(net.parameters(), lr=5e-3)
    t0 = time.perf_counter()
    for _ in range(a.steps):
        opt.zero_grad()
        loss = pinn_loss()
        loss.backward()
        opt.step()
        loss.item()  # as the Nabla script records each loss
    adam_s = time.perf_counter() - t0
    err_adam = relative_error()

    lb = torch.optim.LBFGS(net.parameters(), lr=1, max_iter=20, history_size=50, line_search_fn="strong_wolfe")
    evals = 0

    def closure():
        nonlocal evals
        evals += 1
        lb.zero_grad()
        loss = pinn_loss()
        loss.backward()
        return loss

    t1 = time.perf_counter()
    for _ in range(a.lbfgs):
        lb.step(closure)
    lbfgs_s = time.perf_counter() - t1
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "adam_s": adam_s, "lbfgs_s": lbfgs_s, "lbfgs_evals": evals,
        "error_after_adam": err_adam, "error": relative_error(),
    }))


if __name__ == "__main__":
    main()
