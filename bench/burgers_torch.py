"""The Burgers PINN of notebooks/pde/burgers.nabla in PyTorch, for bench/burgers.ts.

Starts from what `burgers.nabla --export FILE` wrote (numpy.load of Nabla's .npz): the initial network
(state_dict names layers.i.weight / layers.i.bias), the N_u boundary points and values, the N_f collocation
points, the 256 x 100 grid, the Cole-Hopf reference on it, and how the network's inputs are mapped (center and
to_unit: (X - center) * to_unit, the script's u_of). Runs Adam (lr 1e-3) for --steps steps, then L-BFGS (lr 1,
history 50, strong Wolfe, tolerance_grad 1e-9, tolerance_change 1e-12) for up to --lbfgs iterations, as the
script does: in steps of --every iterations (the history carries over), checking the error after each; a fresh
optimizer whose first step stops early goes on (its tiny first step can change a fitted loss by less than
tolerance_change); a later early stop starts afresh (at most --restarts times), which in the script is a failed
line search (PyTorch's LBFGS does not say why it stopped). With --rar K, after every --every iterations the K
points of the export's next candidate set with the largest |residual| join the collocation points and L-BFGS
starts afresh, as in the script. Prints one JSON line: ms per Adam step, ms per L-BFGS closure
evaluation, evaluations, the relative L2 error, and the wall time at which the error first reached --target at
one of those checks (null if never). Run with /usr/bin/python3 (Debian's python3-torch).
"""

import argparse
import json
import math
import sys
import time

import numpy as np
import torch


def lbfgs_class(min_curvature):
    """torch.optim.LBFGS with its fixed curvature bound (a pair joins the history when ys > 1e-10) made
    min_curvature, as the script's lbfgs(..., min_curvature=) does: PyTorch's own source, that one constant changed."""
    if min_curvature == 1e-10:
        return torch.optim.LBFGS
    import inspect
    import torch.optim.lbfgs as m

    src = inspect.getsource(m)
    if src.count("if ys > 1e-10:") != 1:
        sys.exit(f"burgers_torch.py: this PyTorch's LBFGS ({torch.__version__}) has no single 'if ys > 1e-10:' to change")
    src = src.replace("if ys > 1e-10:", f"if ys > {min_curvature!r}:").replace("from .optimizer import", "from torch.optim.optimizer import")
    ns = {}
    exec(compile(src, m.__file__, "exec"), ns)
    return ns["LBFGS"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--lbfgs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--target", type=float, default=1e-3)
    ap.add_argument("--every", type=int, default=250)
    ap.add_argument("--restarts", type=int, default=5)
    ap.add_argument("--rar", type=int, default=0)
    ap.add_argument("--min-curvature", type=float, default=1e-10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dt = torch.float64 if a.dtype == "float64" else torch.float32

    d = np.load(a.data)
    t = lambda k: torch.from_numpy(d[k]).to(dt)
    n_layers = len([k for k in d.files if k.startswith("net.layers.") and k.endswith(".weight")])

    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList([torch.nn.Linear(*d[f"net.layers.{i}.weight"].shape[::-1]) for i in range(n_layers)])

        def forward(self, x):
            x = (x - center) * to_unit  # burgers.nabla's u_of: X mapped onto [-1, 1] (or kept: zeros and ones)
            for i, l in enumerate(self.layers):
                x = l(x if i == 0 else torch.tanh(x))
            return x

    center, to_unit = t("center"), t("to_unit")
    net = MLP().to(dt)
    net.load_state_dict({k[len("net."):]: t(k) for k in d.files if k.startswith("net.")}, strict=True)
    X_u, u_b, X_f = t("X_u"), t("u_b"), t("X_f").requires_grad_(True)
    grid, u_exact = t("grid"), torch.from_numpy(d["u_exact"]).double()
    nu = 0.01 / math.pi

    # the refinement's candidate sets of 10,000, one after another (an export written with the script's --rar)
    rar_rounds = 0
    if a.rar < 0 or a.every < 1:
        sys.exit(f"burgers_torch.py: --rar must be at least 0 and --every at least 1, got {a.rar} and {a.every}")
    if a.rar > 0:
        candidates = t("rar_candidates") if "rar_candidates" in d.files else torch.zeros(0, 2)
        # the script's rounds: one after every --every iterations but the last (none for a run shorter than that)
        rar_rounds = max((a.lbfgs - 1) // a.every, 0)
        if len(candidates) % 10000 or len(candidates) // 10000 < rar_rounds:
            sys.exit(f"burgers_torch.py: --rar {a.rar} with --lbfgs {a.lbfgs} --every {a.every} needs an export written by burgers.nabla with the same settings ({rar_rounds} sets of 10,000 candidates); {a.data} has {len(candidates)} candidates")

    def residual(X):
        u = net(X)
        du = torch.autograd.grad(u, X, torch.ones_like(u), create_graph=True)[0]
        u_x, u_t = du[:, 0:1], du[:, 1:2]
        u_xx = torch.autograd.grad(u_x, X, torch.ones_like(u_x), create_graph=True)[0][:, 0:1]
        return u_t + u * u_x - nu * u_xx

    def loss_fn():
        return torch.mean((net(X_u) - u_b) ** 2) + torch.mean(residual(X_f) ** 2)

    def rel_error():
        with torch.no_grad():
            u = net(grid).flatten().double()
        return float(torch.linalg.norm(u - u_exact) / torch.linalg.norm(u_exact))

    t0 = time.perf_counter()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    # per step after the first `warm`, as burgers.nabla times its compiled step (whose first calls trace)
    warm = max(min(5, a.steps - 1), 0)
    t_warm = t0
    for step in range(a.steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        if step == warm - 1:
            t_warm = time.perf_counter()
    adam_s = time.perf_counter() - t_warm

    reached = None
    evals = [0]
    timing = [0.0]
    chunk = max(min(a.lbfgs, a.every), 1)
    LBFGS = lbfgs_class(a.min_curvature)
    new_lbfgs = lambda: LBFGS(net.parameters(), lr=1, max_iter=chunk, max_eval=2 * chunk, history_size=50,
                              line_search_fn="strong_wolfe", tolerance_grad=1e-9, tolerance_change=1e-12)
    lb = new_lbfgs()

    def closure():
        s = time.perf_counter()
        lb.zero_grad()
        loss = loss_fn()
        loss.backward()
        evals[0] += 1
        timing[0] += time.perf_counter() - s
        return loss

    t1 = time.perf_counter()
    done, restarts, refined, first_call = 0, a.restarts, 0, True
    while a.lbfgs > 0 and done < a.lbfgs:
        before, evals_before = lb.state[next(iter(net.parameters()))].get("n_iter", 0), evals[0]
        lb.step(closure)
        iters = lb.state[next(iter(net.parameters()))]["n_iter"] - before
        done += iters
        # the check is counted in the time, as in the script, which prints the error at the same points
        err = rel_error()
        if reached is None and err <= a.target:
            reached = time.perf_counter() - t0
        # progress on stderr (stdout carries the one JSON line bench/burgers.ts reads)
        print(f"lbfgs {done} iterations, {evals[0]} evaluations: relative L2 error {err:.3e}  {time.perf_counter() - t1:.0f} s", file=sys.stderr, flush=True)
        early = iters < chunk and evals[0] - evals_before < 2 * chunk
        fresh = False
        if early and first_call and 0 < done < a.lbfgs:
            pass  # the script goes on with the same optimizer here
        elif early and restarts > 0 and done < a.lbfgs:
            restarts -= 1
            fresh = True
        elif early:
            break
        first_call = False
        if refined < rar_rounds and done >= (refined + 1) * a.every:
            X = candidates[refined * 10000:(refined + 1) * 10000].clone().requires_grad_(True)
            r = residual(X).detach().abs().flatten()
            # the k largest |r|, ties to the earlier candidate (the script's rar)
            top = torch.sort(r, descending=True, stable=True).indices[:a.rar]
            X_f = torch.cat([X_f.detach(), X[top].detach()]).requires_grad_(True)
            refined += 1
            fresh = True
            print(f"rar: added {a.rar} points; N_f now {len(X_f)}", file=sys.stderr, flush=True)
        if fresh:
            lb = new_lbfgs()
            first_call = True
    lbfgs_s = time.perf_counter() - t1
    err = rel_error()
    print(json.dumps({
        "torch": torch.__version__, "adam_ms_per_step": 1000 * adam_s / max(a.steps - warm, 1), "lbfgs_ms_per_eval": 1000 * timing[0] / max(evals[0], 1),
        "lbfgs_wall_ms_per_eval": 1000 * lbfgs_s / max(evals[0], 1), "lbfgs_evals": evals[0], "error": err, "seconds_to_target": reached, "lbfgs_iterations": done if a.lbfgs > 0 else 0,
        "total_s": time.perf_counter() - t0,
    }))


if __name__ == "__main__":
    main()
