#!/usr/bin/python3
"""PyTorch oracle fixtures for Nabla's autograd runtime.

Run with Debian's Python (the only interpreter that sees PyTorch 1.13):

    /usr/bin/python3 scripts/torch_fixtures.py            # writes test/fixtures/torch/*.json
    /usr/bin/python3 scripts/torch_fixtures.py --out DIR  # writes elsewhere (e.g. to diff two runs)

FORMAT
------
One JSON file per case, test/fixtures/torch/<case>.json, compact (no indentation).
Every file is an object with at least:
    "case":          the case name (== file stem)
    "torch_version": the PyTorch version that produced it
    "description":   what the case checks
Everything else is case specific; see test/fixtures/README.md for the field layout of each case.

Arrays: every tensor is written by enc(t) as
    {"shape": [d0, d1, ...], "dtype": "float64" | "complex128" | "int64" | "bool", "data": [...]}
  * "data" is the tensor flattened in row-major (C) order of its LOGICAL shape (a transposed view is
    written in its transposed, logical order).
  * a 0-d tensor has "shape": [] and a one-element "data".
  * complex128: the innermost position is a [re, im] pair, flattened into data, i.e.
    data = [re0, im0, re1, im1, ...] and len(data) == 2 * prod(shape).
  * int64 / bool only appear for non-differentiable inputs (index tensors, where() conditions).
Python scalars (losses, hyperparameters) are plain JSON numbers.
A gradient that PyTorch reports as None is written as JSON null.

Numbers: all inputs come from a fixed torch.manual_seed per case (or are written literally), and all
computation is float64 / complex128. Nothing is rounded: floats are written with Python's repr, which is
the shortest string that round-trips to the same IEEE double, so JSON.parse in JS yields the exact value.
NaN/Inf are refused (json allow_nan=False).

Determinism: one intra-op thread, per-case seeds; two runs produce byte-identical files.

Complex gradient convention (PyTorch): for a real loss L of complex z = a + ib, z.grad is
    dL/da + i dL/db   (= 2 * dL/d(conj z), the conjugate Wirtinger derivative times 2).
"""

import argparse
import copy
import json
import math
import os
import sys

import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

F64 = torch.float64
C128 = torch.complex128
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "test", "fixtures", "torch")
MAX_BYTES = 200 * 1024


# --------------------------------------------------------------------------------------------------
# encoding helpers
# --------------------------------------------------------------------------------------------------

def enc(t):
    """Tensor -> {"shape", "dtype", "data"} (row-major flattened, complex as re, im pairs)."""
    if t is None:
        return None
    if not isinstance(t, torch.Tensor):
        t = torch.tensor(t)
    t = t.detach()
    shape = list(t.shape)
    if t.is_complex():
        assert t.dtype == C128, t.dtype
        data = torch.view_as_real(t.resolve_conj().contiguous()).reshape(-1).tolist()
        dtype = "complex128"
    elif t.dtype == torch.bool:
        data = t.contiguous().reshape(-1).tolist()
        dtype = "bool"
    elif t.dtype == torch.int64:
        data = t.contiguous().reshape(-1).tolist()
        dtype = "int64"
    else:
        assert t.dtype == F64, t.dtype
        data = t.contiguous().reshape(-1).tolist()
        dtype = "float64"
    return {"shape": shape, "dtype": dtype, "data": data}


def num(t):
    """0-d / one-element real tensor -> Python float."""
    return float(t.detach().reshape(-1)[0].item())


def enc_params(named):
    return {k: enc(v) for k, v in named}


def grads_of(named):
    return {k: enc(v.grad) for k, v in named}


def error_text(fn):
    """Run fn, return str of the exception it raises (asserts that it raises)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return {"type": type(e).__name__, "message": str(e)}
    raise AssertionError("expected an exception")


def close(a, b, tol=1e-12):
    return torch.allclose(a.detach(), b.detach(), rtol=tol, atol=tol)


def header(case, description):
    return {"case": case, "torch_version": torch.__version__, "description": description}


def op_entries(case, description, specs, run, seed_base):
    """A per-op case (ops, family_ops, registry_ops): unique names, one entry per spec, each under its own seed
    (seed_base + its index), so cotangents stay put when entries are added elsewhere."""
    names = [s["name"] for s in specs]
    assert len(names) == len(set(names)), f"duplicate entry names in {case}"
    out = header(case, description)
    entries = []
    for k, spec in enumerate(specs):
        torch.manual_seed(seed_base + k)
        entries.append(run(spec))
    out["entries"] = entries
    return out


# --------------------------------------------------------------------------------------------------
# 1. grad_vs_backward
# --------------------------------------------------------------------------------------------------

def case_grad_vs_backward():
    x1_vals, x2_vals = [0.3939, 2.5], [0.7965, 7.0]
    v_vals = [1.0, -0.5]

    def fresh():
        x1 = torch.tensor(x1_vals, dtype=F64, requires_grad=True)
        x2 = torch.tensor(x2_vals, dtype=F64, requires_grad=True)
        return x1, x2

    def f(x1, x2):
        return x1 ** 2 + 5 * x2

    out = header("grad_vs_backward",
                 "y = x1**2 + 5*x2 (elementwise, 2-vectors). torch.autograd.grad returns grads and leaves "
                 ".grad untouched; .backward() accumulates into .grad; a second backward through the same "
                 "graph without retain_graph raises.")
    x1, x2 = fresh()
    y = f(x1, x2)
    out["inputs"] = {"x1": enc(x1), "x2": enc(x2)}
    out["y"] = enc(y)
    out["y_sum"] = num(y.sum())

    g1, g2 = torch.autograd.grad(y.sum(), [x1, x2])
    out["autograd_grad"] = {"x1": enc(g1), "x2": enc(g2)}
    out["grad_attr_after_autograd_grad"] = {"x1": enc(x1.grad), "x2": enc(x2.grad)}  # both null
    assert x1.grad is None and x2.grad is None

    # grad with an explicit grad_outputs (non-scalar y)
    v = torch.tensor(v_vals, dtype=F64)
    x1, x2 = fresh()
    y = f(x1, x2)
    g1, g2 = torch.autograd.grad(y, (x1, x2), grad_outputs=v)
    out["grad_outputs"] = enc(v)
    out["autograd_grad_with_grad_outputs"] = {"x1": enc(g1), "x2": enc(g2)}
    x1, x2 = fresh()
    y = f(x1, x2)
    out["error_grad_nonscalar_without_grad_outputs"] = error_text(lambda: torch.autograd.grad(y, (x1, x2)))

    # backward accumulates
    x1, x2 = fresh()
    y = f(x1, x2)
    y.sum().backward()
    out["after_backward"] = {"x1": enc(x1.grad), "x2": enc(x2.grad)}
    first = (x1.grad.clone(), x2.grad.clone())
    y = f(x1, x2)  # a SECOND forward + backward: grads add up
    y.sum().backward()
    out["after_second_forward_backward"] = {"x1": enc(x1.grad), "x2": enc(x2.grad)}
    assert close(x1.grad, 2 * first[0]) and close(x2.grad, 2 * first[1])

    # second backward through the SAME graph without retain_graph
    x1, x2 = fresh()
    y = f(x1, x2)
    s = y.sum()
    s.backward()
    out["error_second_backward_same_graph"] = error_text(lambda: s.backward())
    out["grad_attr_after_failed_second_backward"] = {"x1": enc(x1.grad), "x2": enc(x2.grad)}

    # the same with retain_graph=True works and accumulates
    x1, x2 = fresh()
    y = f(x1, x2)
    s = y.sum()
    s.backward(retain_graph=True)
    s.backward()
    out["after_two_backward_same_graph_retain_graph"] = {"x1": enc(x1.grad), "x2": enc(x2.grad)}

    # backward(inputs=[x1]) only accumulates into x1
    x1, x2 = fresh()
    y = f(x1, x2)
    y.sum().backward(inputs=[x1])
    out["after_backward_inputs_x1_only"] = {"x1": enc(x1.grad), "x2": enc(x2.grad)}
    assert x2.grad is None

    return out


# --------------------------------------------------------------------------------------------------
# 2. two_losses
# --------------------------------------------------------------------------------------------------

def case_two_losses():
    torch.manual_seed(2)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    x = torch.randn(5, 3)
    t = torch.randn(5, 1)
    names = ["W1", "b1", "W2", "b2"]

    def params():
        return list(zip(names, net.parameters()))

    def zero():
        for p in net.parameters():
            p.grad = None

    def losses():
        o = net(x)
        return o, (o ** 2).mean(), (o - t).abs().mean()

    out = header("two_losses",
                 "net(x) = tanh(x @ W1^T + b1) @ W2^T + b2 (torch Linear layout: W is (out, in)); "
                 "loss1 = mean(out^2), loss2 = mean(|out - t|). Gradients of loss1.backward(); loss2.backward() "
                 "accumulate to the gradient of loss1 + loss2.")
    out["inputs"] = {"x": enc(x), "t": enc(t)}
    out["params"] = enc_params(params())
    o, l1, l2 = losses()
    assert (o - t).abs().min() > 1e-3
    out["out"] = enc(o)
    out["loss1"] = num(l1)
    out["loss2"] = num(l2)

    zero()
    o, l1, l2 = losses()
    l1.backward()
    out["grads_loss1"] = grads_of(params())
    g1 = [p.grad.clone() for p in net.parameters()]

    zero()
    o, l1, l2 = losses()
    l2.backward()
    out["grads_loss2"] = grads_of(params())

    # sequential backward on ONE forward pass: needs retain_graph on the first call
    zero()
    o, l1, l2 = losses()
    l1.backward(retain_graph=True)
    l2.backward()
    out["grads_sequential_accumulated"] = grads_of(params())
    seq = [p.grad.clone() for p in net.parameters()]

    zero()
    o, l1, l2 = losses()
    (l1 + l2).backward()
    out["grads_sum"] = grads_of(params())
    for a, p in zip(seq, net.parameters()):
        assert close(a, p.grad)

    # sequential backward on TWO separate forward passes: no retain_graph needed, same result
    zero()
    _, l1, _ = losses()
    l1.backward()
    _, _, l2 = losses()
    l2.backward()
    out["grads_sequential_separate_forwards"] = grads_of(params())
    for a, p in zip(seq, net.parameters()):
        assert close(a, p.grad)

    # what happens without retain_graph when both losses share one forward pass
    zero()
    o, l1, l2 = losses()
    l1.backward()
    out["error_second_loss_shared_graph_without_retain_graph"] = error_text(lambda: l2.backward())
    out["grads_after_that_error"] = grads_of(params())  # == grads_loss1 (nothing added)
    for a, p in zip(g1, net.parameters()):
        assert close(a, p.grad)
    return out


# --------------------------------------------------------------------------------------------------
# 3. minmax
# --------------------------------------------------------------------------------------------------

def case_minmax():
    torch.manual_seed(4)  # seed chosen so no |y| is near the kink of |y|^(x+1) (min |y| ~ 0.29)
    A = torch.nn.Linear(1, 2)
    B = torch.nn.Linear(2, 3)
    C = torch.nn.Linear(2, 3)
    x = torch.rand(10, 1)

    def named(A, B, C):
        return [("A.weight", A.weight), ("A.bias", A.bias), ("B.weight", B.weight), ("B.bias", B.bias),
                ("C.weight", C.weight), ("C.bias", C.bias)]

    def d(y, x):
        return torch.pow(y.abs(), x + 1)

    def loss_fn(A, B, C):
        return (d(B(A(x)), x) - d(C(A(x)), x)).sum()

    out = header("minmax",
                 "min over A,B / max over C of loss = sum(d(B(A(x)),x) - d(C(A(x)),x)), d(y,x) = |y|^(x+1) "
                 "(x (10,1) broadcasts against (10,3)). Linear(x) = x @ W^T + b. Adam lr=0.01 on A,B "
                 "(minimize) and Adam lr=0.01 maximize=True on C, vs. plain Adam on C with C's grads negated.")
    out["inputs"] = {"x": enc(x)}
    out["initial_params"] = enc_params(named(A, B, C))
    hp = {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
    out["adam_hyperparameters"] = hp

    L = loss_fn(A, B, C)
    a_out = A(x)
    assert a_out.abs().min() > 0.1 and B(a_out).abs().min() > 0.1 and C(a_out).abs().min() > 0.1
    L.backward()
    out["loss"] = num(L)
    out["grads"] = grads_of(named(A, B, C))

    def run(style, steps):
        A2, B2, C2 = copy.deepcopy(A), copy.deepcopy(B), copy.deepcopy(C)
        for m in (A2, B2, C2):
            m.zero_grad(set_to_none=True)
        opt1 = torch.optim.Adam([*A2.parameters(), *B2.parameters()], lr=0.01)
        opt2 = torch.optim.Adam(C2.parameters(), lr=0.01, maximize=(style == "maximize_flag"))
        traj = []
        for _ in range(steps):
            opt1.zero_grad(set_to_none=True)
            opt2.zero_grad(set_to_none=True)
            L = loss_fn(A2, B2, C2)
            L.backward()
            if style == "negated_grads":
                for p in C2.parameters():
                    if p.grad is not None:
                        p.grad.mul_(-1)
            opt1.step()
            opt2.step()
            traj.append((num(L), [p.detach().clone() for _, p in named(A2, B2, C2)],
                         num(loss_fn(A2, B2, C2))))
        return traj

    names = [n for n, _ in named(A, B, C)]
    ta, tb = run("maximize_flag", 5), run("negated_grads", 5)
    for (la, pa, _), (lb, pb, _) in zip(ta, tb):
        assert la == lb
        for u, w in zip(pa, pb):
            assert torch.equal(u, w), "maximize=True and negated grads disagree"

    def dump(traj):
        return {
            "loss_before_step": [l for l, _, _ in traj],
            "loss_after_step": [la for _, _, la in traj],
            "params_after_step": [{n: enc(p) for n, p in zip(names, ps)} for _, ps, _ in traj],
        }

    out["after_one_step"] = {
        "maximize_flag": {n: enc(p) for n, p in zip(names, ta[0][1])},
        "negated_grads": {n: enc(p) for n, p in zip(names, tb[0][1])},
    }
    out["five_steps"] = {"maximize_flag": dump(ta), "negated_grads": dump(tb)}
    return out


# --------------------------------------------------------------------------------------------------
# 4. known_grads
# --------------------------------------------------------------------------------------------------

def case_known_grads():
    torch.manual_seed(4)
    x = torch.randn(4, 3)
    W = torch.randn(3, 2, requires_grad=True)
    g_h = torch.randn(4, 2)
    out = header("known_grads",
                 "Theano known_grads: h = tanh(x @ W); the given g_h REPLACES dcost/dh and is backpropagated "
                 "from h. cost = sum(h^2) + sum(W^2).")
    out["inputs"] = {"x": enc(x), "W": enc(W), "g_h": enc(g_h)}
    h = torch.tanh(x @ W)
    out["h"] = enc(h)
    (gW,) = torch.autograd.grad(h, W, grad_outputs=g_h, retain_graph=True)
    out["no_cost"] = {"grad_W": enc(gW)}
    # gradient wrt x as well (x treated as an input)
    xr = x.clone().requires_grad_(True)
    hx = torch.tanh(xr @ W)
    gx, gW2 = torch.autograd.grad(hx, [xr, W], grad_outputs=g_h)
    assert close(gW, gW2)
    out["no_cost"]["grad_x"] = enc(gx)

    cost = (h ** 2).sum() + (W ** 2).sum()
    out["cost"] = num(cost)
    known = gW + 2 * W.detach()
    # same thing as one backward pass seeded at two roots: h with g_h, sum(W^2) with 1
    W3 = W.detach().clone().requires_grad_(True)
    h3 = torch.tanh(x @ W3)
    torch.autograd.backward([h3, (W3 ** 2).sum()], [g_h, torch.tensor(1.0)])
    assert close(W3.grad, known)
    (ordinary,) = torch.autograd.grad(cost, W)
    out["with_cost"] = {
        "grad_W_known_grads": enc(known),
        "grad_W_through_h_only": enc(gW),
        "grad_W_direct_term": enc(2 * W.detach()),
        "grad_W_ordinary": enc(ordinary),
        "dcost_dh_ordinary": enc(2 * h.detach()),
    }
    return out


# --------------------------------------------------------------------------------------------------
# 5. tape_watch
# --------------------------------------------------------------------------------------------------

def case_tape_watch():
    out = header("tape_watch",
                 "TensorFlow GradientTape analogue: a constant is 'watched' by requires_grad_(); a value that "
                 "escapes through a numpy copy is off the tape, so its gradient is None.")
    x = torch.tensor(3.0)  # does not require grad
    # unwatched: y carries no graph
    y_unwatched = x * x
    out["scalar"] = {"x": enc(x), "y": enc(y_unwatched),
                     "y_requires_grad_unwatched": bool(y_unwatched.requires_grad)}
    xw = x.clone().requires_grad_(True)  # tape.watch(x)
    y = xw * xw
    (g,) = torch.autograd.grad(y, xw)
    out["scalar"]["dy_dx"] = enc(g)

    xv = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    yv = (torch.sin(xv) * xv).sum()
    (gv,) = torch.autograd.grad(yv, xv)
    assert close(gv, torch.sin(xv) + xv * torch.cos(xv))
    out["vector"] = {"x": enc(xv), "y": num(yv), "dy_dx": enc(gv), "formula": "sin(x) + x*cos(x)"}

    # escape through numpy: y = copy(x)**2 with copy = torch.tensor(x.detach().numpy())
    xe = torch.tensor(3.0, requires_grad=True)
    copy_ = torch.tensor(xe.detach().numpy())
    ye = copy_ ** 2
    out["numpy_escape"] = {
        "x": enc(xe),
        "y": enc(ye),
        "y_requires_grad": bool(ye.requires_grad),
        "grad": None,
        "error_autograd_grad": error_text(lambda: torch.autograd.grad(ye, xe)),
    }
    # partial escape: loss = x*x + copy(x)**2 ; only the tracked term contributes
    xp = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    cp = torch.tensor(xp.detach().numpy())
    lp = (xp * xp).sum() + (cp ** 2).sum()
    (gp,) = torch.autograd.grad(lp, xp)
    out["partial_escape"] = {"x": enc(xp), "loss": num(lp), "loss_expr": "sum(x*x) + sum(numpy_copy(x)**2)",
                             "grad": enc(gp)}
    # unused input with allow_unused=True: None
    xa = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    xb = torch.tensor([4.0, 5.0], requires_grad=True)
    la = (xa * xa).sum()
    ga, gb = torch.autograd.grad(la, [xa, xb], allow_unused=True)
    assert gb is None
    out["unused_input"] = {"x": enc(xa), "z": enc(xb), "loss_expr": "sum(x*x)", "grad_x": enc(ga), "grad_z": None}
    la = (xa * xa).sum()
    out["unused_input"]["error_without_allow_unused"] = error_text(lambda: torch.autograd.grad(la, [xa, xb]))
    return out


# --------------------------------------------------------------------------------------------------
# 6. complex_affine
# --------------------------------------------------------------------------------------------------

def case_complex_affine():
    torch.manual_seed(6)
    W = torch.randn(3, 4, dtype=C128, requires_grad=True)
    I = torch.randn(4, 2, dtype=C128, requires_grad=True)
    c = torch.randn(3, 2, dtype=C128)
    out = header("complex_affine",
                 "Complex affine layer Y = W @ I. PyTorch's grad of a real loss L wrt complex z is "
                 "dL/dRe(z) + i*dL/dIm(z). L = sum(|Y|^2) gives dL/dY = 2Y; dL/dI = W^H @ dL/dY; "
                 "dL/dW = dL/dY @ I^H.")
    out["convention"] = "grad = dL/dRe + i*dL/dIm = 2*dL/dconj(z); complex numbers are [re, im] pairs"
    out["inputs"] = {"W": enc(W), "I": enc(I), "c": enc(c)}
    Y = W @ I
    Y.retain_grad()
    L = (Y.abs() ** 2).sum()
    L.backward()
    assert close(Y.grad, 2 * Y.detach())
    wh = W.detach().conj().T @ Y.grad
    assert close(wh, I.grad)
    assert close(W.grad, Y.grad @ I.detach().conj().T)
    out["Y"] = enc(Y)
    out["L"] = num(L)
    out["dL_dY"] = enc(Y.grad)
    out["dL_dW"] = enc(W.grad)
    out["dL_dI"] = enc(I.grad)
    out["WH_at_dL_dY"] = enc(wh)
    out["dL_dY_at_IH"] = enc(Y.grad @ I.detach().conj().T)

    W.grad = None
    I.grad = None
    Y = W @ I
    Y.retain_grad()
    L2 = torch.real((Y * c.conj()).sum())
    L2.backward()
    assert close(Y.grad, c)
    out["L2"] = {"expr": "real(sum(Y * conj(c)))", "value": num(L2), "dL2_dY": enc(Y.grad),
                 "dL2_dW": enc(W.grad), "dL2_dI": enc(I.grad)}

    # single-op complex gradients
    torch.manual_seed(61)
    z0 = torch.randn(3, dtype=C128)
    w0 = torch.randn(3, dtype=C128)
    v = torch.randn(3, dtype=C128)
    r = torch.randn(3, dtype=F64)
    k = torch.tensor(0.7 - 1.3j, dtype=C128)
    out["single_op_constants"] = {"z": enc(z0), "w": enc(w0), "v": enc(v), "r": enc(r), "k": enc(k)}
    ops = []

    complex_fs = [
        ("conj", "conj(z)", lambda z: z.conj()),
        ("exp", "exp(z)", torch.exp),
        ("mul_const", "z * k", lambda z: z * k),
        ("div_const", "z / k", lambda z: z / k),
        ("const_div", "k / z", lambda z: k / z),
        ("square", "z * z", lambda z: z * z),
    ]
    losses = [
        ("abs2", "sum(abs(f)**2)", lambda f: (f.abs() ** 2).sum()),
        ("inner", "real(sum(f * conj(v)))", lambda f: torch.real((f * v.conj()).sum())),
    ]
    for fname, fexpr, f in complex_fs:
        for lname, lexpr, lf in losses:
            z = z0.clone().requires_grad_(True)
            fz = f(z)
            L = lf(fz)
            (g,) = torch.autograd.grad(L, z)
            ops.append({"name": f"{fname}__{lname}", "f": fexpr, "loss": lexpr, "f_of_z": enc(fz), "loss_value": num(L), "grads": {"z": enc(g)}})
    real_fs = [
        ("real", "real(z)", torch.real),
        ("imag", "imag(z)", torch.imag),
        ("abs", "abs(z)", torch.abs),
        ("angle", "angle(z)", torch.angle),
    ]
    for fname, fexpr, f in real_fs:
        z = z0.clone().requires_grad_(True)
        fz = f(z)
        L = (fz * r).sum()
        (g,) = torch.autograd.grad(L, z)
        ops.append({"name": f"{fname}__weighted", "f": fexpr, "loss": "sum(f * r)", "f_of_z": enc(fz),
                    "loss_value": num(L), "grads": {"z": enc(g)}})
    # two complex inputs
    for lname, lexpr, lf in losses:
        z = z0.clone().requires_grad_(True)
        w = w0.clone().requires_grad_(True)
        fz = z * w
        L = lf(fz)
        gz, gw = torch.autograd.grad(L, [z, w])
        ops.append({"name": f"mul_zw__{lname}", "f": "z * w", "loss": lexpr, "f_of_z": enc(fz),
                    "loss_value": num(L), "grads": {"z": enc(gz), "w": enc(gw)}})
        z = z0.clone().requires_grad_(True)
        w = w0.clone().requires_grad_(True)
        fz = z / w
        L = lf(fz)
        gz, gw = torch.autograd.grad(L, [z, w])
        ops.append({"name": f"div_zw__{lname}", "f": "z / w", "loss": lexpr, "f_of_z": enc(fz),
                    "loss_value": num(L), "grads": {"z": enc(gz), "w": enc(gw)}})
    # sanity on the documented convention for a few closed forms
    z = z0.clone().requires_grad_(True)
    (g,) = torch.autograd.grad((z.abs() ** 2).sum(), z)
    assert close(g, 2 * z0)
    z = z0.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(torch.imag(z).mul(r).sum(), z)
    assert close(g, 1j * r.to(C128))
    out["single_ops"] = ops
    return out


# --------------------------------------------------------------------------------------------------
# 7. tanh_net_derivs
# --------------------------------------------------------------------------------------------------

def case_tanh_net_derivs():
    torch.manual_seed(7)
    l1, l2, l3 = torch.nn.Linear(1, 8), torch.nn.Linear(8, 8), torch.nn.Linear(8, 1)
    names = ["W1", "b1", "W2", "b2", "W3", "b3"]
    params = [l1.weight, l1.bias, l2.weight, l2.bias, l3.weight, l3.bias]

    def net(x):
        return l3(torch.tanh(l2(torch.tanh(l1(x)))))

    x = torch.linspace(-1, 1, 7).reshape(7, 1).requires_grad_(True)
    out = header("tanh_net_derivs",
                 "u = W3 tanh(W2 tanh(W1 x + b1) + b2) + b3 in torch Linear layout (y = x @ W^T + b), x a (7,1) "
                 "column; du/dx, d2u/dx2, d3u/dx3 by repeated autograd.grad(., x, ones, create_graph=True). "
                 "pinn_loss = mean((d2u + u)^2) and its parameter gradients (differentiating through d2u).")
    out["params"] = {n: enc(p) for n, p in zip(names, params)}
    out["x"] = enc(x)
    u = net(x)
    ones = torch.ones_like(u)
    (du,) = torch.autograd.grad(u, x, ones, create_graph=True)
    (d2u,) = torch.autograd.grad(du, x, ones, create_graph=True)
    (d3u,) = torch.autograd.grad(d2u, x, ones, create_graph=True)
    out["u"] = enc(u)
    out["du_dx"] = enc(du)
    out["d2u_dx2"] = enc(d2u)
    out["d3u_dx3"] = enc(d3u)
    pl = ((d2u + u) ** 2).mean()
    gs = torch.autograd.grad(pl, params)
    out["pinn_loss"] = {"expr": "mean((d2u_dx2 + u)^2)", "value": num(pl),
                        "grads": {n: enc(g) for n, g in zip(names, gs)}}
    return out


# --------------------------------------------------------------------------------------------------
# 8. lbfgs_rosenbrock
# --------------------------------------------------------------------------------------------------

def rosen(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def case_lbfgs_rosenbrock():
    out = header("lbfgs_rosenbrock",
                 "f(x,y) = (1-x)^2 + 100(y-x^2)^2 from (-1.5, 2.0); torch.optim.LBFGS, 5 calls of "
                 ".step(closure), closure = zero_grad; f; backward; return f.")
    out["start"] = [-1.5, 2.0]
    runs = []
    configs = [
        {"lr": 1, "max_iter": 20, "history_size": 100, "line_search_fn": "strong_wolfe"},
        {"lr": 0.1, "max_iter": 20, "history_size": 100, "line_search_fn": None},
        {"lr": 1, "max_iter": 20, "history_size": 100, "line_search_fn": None},
    ]
    for cfg in configs:
        p = torch.tensor([-1.5, 2.0], requires_grad=True)
        opt = torch.optim.LBFGS([p], **cfg)
        count = [0]

        def closure():
            opt.zero_grad()
            f = rosen(p)
            f.backward()
            count[0] += 1
            return f

        steps = []
        diverged = False
        for _ in range(5):
            before = count[0]
            ret = opt.step(closure)
            fp = rosen(p.detach())
            if not (torch.isfinite(p).all() and torch.isfinite(fp) and torch.isfinite(ret)):
                diverged = True
                break
            st = opt.state[opt._params[0]]
            steps.append({"step_return": num(ret), "p": enc(p), "f": num(fp),
                          "closure_evals": count[0] - before,
                          "state_func_evals": int(st["func_evals"]), "state_n_iter": int(st["n_iter"])})
        g = opt.param_groups[0]
        full = {k: g[k] for k in sorted(g) if k != "params"}
        runs.append({"hyperparameters": cfg, "param_group": full, "diverged": diverged, "steps": steps})
    out["runs"] = runs
    return out


# --------------------------------------------------------------------------------------------------
# 9. optimizers
# --------------------------------------------------------------------------------------------------

def case_optimizers():
    torch.manual_seed(9)
    A = torch.randn(5, 3)
    b = torch.randn(5)
    w0 = torch.randn(3)

    def f(w):
        return ((A @ w - b) ** 2).sum() + 0.1 * (w ** 4).sum()

    out = header("optimizers",
                 "10 steps of torch.optim on f(w) = sum((A@w - b)^2) + 0.1*sum(w^4); each step: zero_grad, "
                 "loss = sign*f(w), backward, step. maximize=True runs use sign=-1 (maximize -f) and must "
                 "reproduce the minimize trajectory.")
    out["inputs"] = {"A": enc(A), "b": enc(b), "w0": enc(w0)}
    out["objective"] = "sum((A@w - b)^2) + 0.1*sum(w^4)"
    configs = [
        ("sgd", "SGD", {"lr": 0.01}, 1),
        ("sgd_momentum", "SGD", {"lr": 0.01, "momentum": 0.9}, 1),
        ("sgd_nesterov", "SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}, 1),
        ("sgd_weight_decay_momentum", "SGD", {"lr": 0.01, "weight_decay": 0.1, "momentum": 0.5}, 1),
        ("sgd_dampening_momentum", "SGD", {"lr": 0.01, "dampening": 0.1, "momentum": 0.9}, 1),
        ("adam", "Adam", {"lr": 0.05}, 1),
        ("adam_weight_decay", "Adam", {"lr": 0.05, "weight_decay": 0.01}, 1),
        ("adam_amsgrad", "Adam", {"lr": 0.05, "amsgrad": True}, 1),
        ("adamw", "AdamW", {"lr": 0.05, "weight_decay": 0.1}, 1),
        ("sgd_maximize", "SGD", {"lr": 0.01, "maximize": True}, -1),
        ("adam_maximize", "Adam", {"lr": 0.05, "maximize": True}, -1),
    ]
    runs = []
    by_name = {}
    for name, cls, hp, sign in configs:
        w = w0.clone().requires_grad_(True)
        opt = getattr(torch.optim, cls)([w], **hp)
        ws, losses, grads = [], [], []
        for _ in range(10):
            opt.zero_grad(set_to_none=True)
            loss = sign * f(w)
            loss.backward()
            losses.append(num(loss))
            grads.append(w.grad.detach().clone())
            opt.step()
            ws.append(w.detach().clone())
        g = opt.param_groups[0]
        full = {k: (list(g[k]) if isinstance(g[k], tuple) else g[k]) for k in sorted(g) if k != "params"}
        traj = torch.stack(ws)
        by_name[name] = traj
        runs.append({"name": name, "optimizer": cls, "hyperparameters": hp, "param_group": full,
                     "loss_sign": sign, "loss_before_step": losses, "grad_before_step": enc(torch.stack(grads)),
                     "w_after_step": enc(traj), "f_final": num(f(traj[-1]))})
    assert torch.equal(by_name["sgd"], by_name["sgd_maximize"])
    assert torch.equal(by_name["adam"], by_name["adam_maximize"])
    out["runs"] = runs
    return out


# --------------------------------------------------------------------------------------------------
# 10. ops
# --------------------------------------------------------------------------------------------------

class In:
    """An op input: value (logical), whether to build it as a transposed view of a stored (n,m) tensor."""

    def __init__(self, name, value, transposed=False):
        self.name, self.value, self.transposed = name, value, transposed


def away_from_ints(shape, lo=-3, hi=3, margin=0.15, half=False):
    """Random values whose fractional part stays `margin` away from 0 (and from .5 if half)."""
    base = torch.randint(lo, hi, shape).to(F64)
    if half:  # fractional part in [m, 0.5-m] or [0.5+m, 1-m]
        fr = torch.rand(shape) * (0.5 - 2 * margin) + margin
        fr = fr + 0.5 * (torch.rand(shape) > 0.5).to(F64)
    else:
        fr = torch.rand(shape) * (1 - 2 * margin) + margin
    return base + fr


def away_from_zero(shape, margin=0.2):
    x = torch.randn(shape)
    return torch.where(x.abs() < margin, torch.sign(x + 1e-300) * (margin + x.abs()), x)


def distinct(shape):
    """Values with no ties (permutation of spaced values plus noise)."""
    n = math.prod(shape)
    perm = torch.randperm(n).to(F64)
    return (perm + 0.25 * torch.rand(n)).reshape(shape) - n / 2


OPS = []


def op(name, opname, expr, fn, inputs, attrs=None, second_order=True, note=None, extra=None):
    OPS.append(dict(name=name, op=opname, expr=expr, fn=fn, inputs=inputs, attrs=attrs or {},
                    second_order=second_order, note=note, extra=extra))


def build_ops():
    OPS.clear()
    torch.manual_seed(10)
    r = torch.randn
    pos = lambda *s: torch.rand(*s) * 1.5 + 0.5  # noqa: E731

    # ---- elementwise binary (same shape, broadcast, transposed, scalar) ----
    for opname, fn, sym, so in [("add", torch.add, "+", False), ("sub", torch.sub, "-", False),
                                ("mul", torch.mul, "*", True)]:
        op(f"{opname}_2x3_2x3", opname, f"a {sym} b", fn, [In("a", r(2, 3)), In("b", r(2, 3))], second_order=so)
        op(f"{opname}_broadcast_2x3_3", opname, f"a {sym} b", fn, [In("a", r(2, 3)), In("b", r(3))],
           second_order=so)
        op(f"{opname}_broadcast_4x1_1x5", opname, f"a {sym} b", fn, [In("a", r(4, 1)), In("b", r(1, 5))],
           second_order=so)
        op(f"{opname}_transposed_a", opname, f"a {sym} b  (a = stored(3,2).t())", fn,
           [In("a", r(3, 2).t(), transposed=True), In("b", r(2, 3))], second_order=so)
    op("add_scalar", "add", "a + 2.5", lambda a: a + 2.5, [In("a", r(2, 3))], {"scalar": 2.5}, False)
    op("rsub_scalar", "sub", "2.5 - a", lambda a: 2.5 - a, [In("a", r(2, 3))], {"scalar": 2.5, "reversed": True},
       False)
    op("mul_scalar", "mul", "a * -1.5", lambda a: a * -1.5, [In("a", r(2, 3))], {"scalar": -1.5}, False)
    op("neg", "neg", "-a", torch.neg, [In("a", r(2, 3))], second_order=False)

    op("div_2x3_2x3", "div", "a / b", torch.div, [In("a", r(2, 3)), In("b", away_from_zero((2, 3), 0.5))])
    op("div_broadcast_2x3_3", "div", "a / b", torch.div, [In("a", r(2, 3)), In("b", away_from_zero((3,), 0.5))])
    op("div_broadcast_4x1_1x5", "div", "a / b", torch.div,
       [In("a", r(4, 1)), In("b", away_from_zero((1, 5), 0.5))])
    op("div_transposed_b", "div", "a / b  (b = stored(3,2).t())", torch.div,
       [In("a", r(2, 3)), In("b", away_from_zero((3, 2), 0.5).t(), transposed=True)])
    op("div_scalar", "div", "a / 0.8", lambda a: a / 0.8, [In("a", r(2, 3))], {"scalar": 0.8}, False)
    op("rdiv_scalar", "div", "2.0 / a", lambda a: 2.0 / a, [In("a", away_from_zero((2, 3), 0.5))],
       {"scalar": 2.0, "reversed": True})

    op("pow_tensor_tensor_2x3", "pow", "a ** b (a > 0)", torch.pow, [In("a", pos(2, 3)), In("b", r(2, 3))])
    op("pow_broadcast_2x3_3", "pow", "a ** b (a > 0)", torch.pow, [In("a", pos(2, 3)), In("b", r(3))])
    op("pow_broadcast_4x1_1x5", "pow", "a ** b (a > 0)", torch.pow, [In("a", pos(4, 1)), In("b", r(1, 5))])
    op("pow_scalar_exp3", "pow", "a ** 3", lambda a: a ** 3, [In("a", r(2, 3))], {"exponent": 3.0})
    op("pow_scalar_exp2", "pow", "a ** 2", lambda a: a ** 2, [In("a", r(2, 3))], {"exponent": 2.0})
    op("pow_scalar_exp2.5", "pow", "a ** 2.5 (a > 0)", lambda a: a ** 2.5, [In("a", pos(2, 3))],
       {"exponent": 2.5})
    op("pow_scalar_exp-1.5", "pow", "a ** -1.5 (a > 0)", lambda a: a ** -1.5, [In("a", pos(2, 3))],
       {"exponent": -1.5})
    op("pow_scalar_exp0.5_transposed", "pow", "a ** 0.5 (a > 0, a = stored(3,2).t())", lambda a: a ** 0.5,
       [In("a", pos(3, 2).t(), transposed=True)], {"exponent": 0.5})
    op("pow_scalar_base", "pow", "2.0 ** a", lambda a: torch.pow(2.0, a), [In("a", r(2, 3))], {"base": 2.0})

    # ---- matmul ----
    op("matmul_2d", "matmul", "a @ b", torch.matmul, [In("a", r(2, 3)), In("b", r(3, 4))])
    op("matmul_batched_3d", "matmul", "a @ b", torch.matmul, [In("a", r(2, 3, 4)), In("b", r(2, 4, 5))])
    op("matmul_batched_broadcast", "matmul", "a @ b  (2,3,4)@(4,5)", torch.matmul,
       [In("a", r(2, 3, 4)), In("b", r(4, 5))])
    op("matmul_vec_mat", "matmul", "a @ b  (3,)@(3,4)", torch.matmul, [In("a", r(3)), In("b", r(3, 4))])
    op("matmul_mat_vec", "matmul", "a @ b  (3,4)@(4,)", torch.matmul, [In("a", r(3, 4)), In("b", r(4))])
    op("matmul_vec_vec", "matmul", "a @ b  (3,)@(3,) -> scalar", torch.matmul, [In("a", r(3)), In("b", r(3))])
    op("matmul_transposed_a", "matmul", "a @ b  (a = stored(3,2).t())", torch.matmul,
       [In("a", r(3, 2).t(), transposed=True), In("b", r(3, 4))])

    # ---- unary ----
    unary = [
        ("exp", torch.exp, r(2, 3), True),
        ("log", torch.log, pos(2, 3), True),
        ("sqrt", torch.sqrt, pos(2, 3), True),
        ("sin", torch.sin, r(2, 3), True),
        ("cos", torch.cos, r(2, 3), True),
        ("tan", torch.tan, torch.rand(2, 3) * 2.2 - 1.1, True),
        ("tanh", torch.tanh, r(2, 3), True),
        ("sigmoid", torch.sigmoid, r(2, 3), True),
        ("relu", torch.relu, away_from_zero((2, 3)), False),
        ("softplus", torch.nn.functional.softplus, r(2, 3), True),
        ("abs", torch.abs, away_from_zero((2, 3)), False),
        ("sign", torch.sign, away_from_zero((2, 3)), False),
        ("round", torch.round, away_from_ints((2, 3), half=True), False),
        ("floor", torch.floor, away_from_ints((2, 3)), False),
    ]
    for opname, fn, x, so in unary:
        attrs = {"beta": 1.0, "threshold": 20.0} if opname == "softplus" else {}
        op(opname, opname, f"{opname}(x)", fn, [In("x", x)], attrs, so,
           note=None if so else "second derivative is zero almost everywhere")
    op("exp_transposed", "exp", "exp(x)  (x = stored(3,2).t())", torch.exp, [In("x", r(3, 2).t(), True)])
    op("tanh_transposed", "tanh", "tanh(x)  (x = stored(3,2).t())", torch.tanh, [In("x", r(3, 2).t(), True)])
    cl = torch.tensor([[-1.3, -0.2, 0.3], [0.9, -0.7, 0.05], [0.45, -0.35, 1.7]])
    op("clamp", "clamp", "clamp(x, min=-0.5, max=0.5)", lambda x: torch.clamp(x, -0.5, 0.5), [In("x", cl)],
       {"min": -0.5, "max": 0.5}, False, note="values kept >= 0.05 away from the bounds")
    op("clamp_min_only", "clamp", "clamp(x, min=0.1)", lambda x: torch.clamp(x, min=0.1), [In("x", cl)],
       {"min": 0.1, "max": None}, False)

    cond = torch.tensor([[True, False, True], [False, False, True]])
    op("where", "where", "where(cond, a, b)", lambda a, b: torch.where(cond, a, b),
       [In("a", r(2, 3)), In("b", r(2, 3))], {"cond": enc(cond)}, False)
    op("where_broadcast", "where", "where(cond, a, b)  cond (2,3), a (2,3), b (3,)",
       lambda a, b: torch.where(cond, a, b), [In("a", r(2, 3)), In("b", r(3))], {"cond": enc(cond)}, False)

    # ---- reductions ----
    for opname in ["sum", "mean", "max", "min"]:
        so = False
        f = getattr(torch, opname)
        mk = (lambda: distinct((3, 4))) if opname in ("max", "min") else (lambda: r(3, 4))
        op(f"{opname}_all", opname, f"{opname}(x)", f, [In("x", mk())], {"dim": None}, so)
        if opname in ("max", "min"):
            vals = lambda x, d, k, f=f: f(x, dim=d, keepdim=k).values  # noqa: E731
            for d, k, tag in [(0, False, "axis0"), (1, True, "axis1_keepdim"), (-1, False, "axis-1")]:
                x = mk()
                op(f"{opname}_{tag}", opname, f"{opname}(x, dim={d}, keepdim={k}).values",
                   lambda x, d=d, k=k, vals=vals: vals(x, d, k), [In("x", x)], {"dim": d, "keepdim": k}, so,
                   extra={"indices": enc(f(x, dim=d, keepdim=k).indices)})
        else:
            for d, k, tag in [(0, False, "axis0"), (1, True, "axis1_keepdim"), (-1, False, "axis-1")]:
                op(f"{opname}_{tag}", opname, f"{opname}(x, dim={d}, keepdim={k})",
                   lambda x, d=d, k=k, f=f: f(x, dim=d, keepdim=k), [In("x", mk())], {"dim": d, "keepdim": k}, so)
    op("sum_3d_axis1", "sum", "sum(x, dim=1)", lambda x: x.sum(dim=1), [In("x", r(2, 3, 4))],
       {"dim": 1, "keepdim": False}, False)
    op("sum_axis0_transposed", "sum", "sum(x, dim=0)  (x = stored(3,2).t())", lambda x: x.sum(dim=0),
       [In("x", r(3, 2).t(), True)], {"dim": 0, "keepdim": False}, False)
    op("mean_3d_axis-1_keepdim", "mean", "mean(x, dim=-1, keepdim=True)", lambda x: x.mean(dim=-1, keepdim=True),
       [In("x", r(2, 3, 4))], {"dim": -1, "keepdim": True}, False)
    op("norm_all", "norm", "norm(x)  (2-norm of all elements)", lambda x: x.norm(), [In("x", r(3, 4))],
       {"p": 2, "dim": None})
    op("norm_dim1", "norm", "norm(x, dim=1)", lambda x: x.norm(dim=1), [In("x", r(3, 4))], {"p": 2, "dim": 1})
    op("norm_dim1_transposed", "norm", "norm(x, dim=1)  (x = stored(3,2).t())", lambda x: x.norm(dim=1),
       [In("x", r(3, 2).t(), True)], {"p": 2, "dim": 1})

    # ---- shape ops (linear: second order null) ----
    op("reshape_2x3_to_3x2", "reshape", "x.reshape(3, 2)", lambda x: x.reshape(3, 2), [In("x", r(2, 3))],
       {"shape": [3, 2]}, False)
    op("reshape_6_to_2x3", "reshape", "x.reshape(2, 3)", lambda x: x.reshape(2, 3), [In("x", r(6))],
       {"shape": [2, 3]}, False)
    op("reshape_2x3x4_to_4x-1", "reshape", "x.reshape(4, -1)", lambda x: x.reshape(4, -1), [In("x", r(2, 3, 4))],
       {"shape": [4, -1]}, False)
    op("reshape_transposed", "reshape", "x.reshape(6)  (x = stored(3,2).t())", lambda x: x.reshape(6),
       [In("x", r(3, 2).t(), True)], {"shape": [6]}, False)
    op("transpose_2d", "transpose", "x.t()", lambda x: x.t(), [In("x", r(2, 3))], {"dim0": 0, "dim1": 1}, False)
    op("transpose_3d_0_2", "transpose", "x.transpose(0, 2)", lambda x: x.transpose(0, 2), [In("x", r(2, 3, 4))],
       {"dim0": 0, "dim1": 2}, False)
    op("permute_2_0_1", "permute", "x.permute(2, 0, 1)", lambda x: x.permute(2, 0, 1), [In("x", r(2, 3, 4))],
       {"dims": [2, 0, 1]}, False)
    op("squeeze_dim1", "squeeze", "x.squeeze(1)", lambda x: x.squeeze(1), [In("x", r(3, 1, 4))], {"dim": 1},
       False)
    op("squeeze_all", "squeeze", "x.squeeze()", lambda x: x.squeeze(), [In("x", r(1, 3, 1, 2))], {"dim": None},
       False)
    op("unsqueeze_dim1", "unsqueeze", "x.unsqueeze(1)", lambda x: x.unsqueeze(1), [In("x", r(2, 3))], {"dim": 1},
       False)
    op("unsqueeze_dim-1", "unsqueeze", "x.unsqueeze(-1)", lambda x: x.unsqueeze(-1), [In("x", r(2, 3))],
       {"dim": -1}, False)
    op("expand_3x1_to_3x4", "expand", "x.expand(3, 4)", lambda x: x.expand(3, 4), [In("x", r(3, 1))],
       {"shape": [3, 4]}, False)
    op("expand_3_to_2x3", "expand", "x.expand(2, 3)", lambda x: x.expand(2, 3), [In("x", r(3))],
       {"shape": [2, 3]}, False)
    op("cat_dim0", "cat", "cat([a, b], dim=0)", lambda a, b: torch.cat([a, b], 0),
       [In("a", r(2, 3)), In("b", r(1, 3))], {"dim": 0}, False)
    op("cat_dim1", "cat", "cat([a, b], dim=1)", lambda a, b: torch.cat([a, b], 1),
       [In("a", r(2, 3)), In("b", r(2, 2))], {"dim": 1}, False)
    op("cat_dim0_transposed_b", "cat", "cat([a, b], dim=0)  (b = stored(3,2).t())",
       lambda a, b: torch.cat([a, b], 0), [In("a", r(1, 3)), In("b", r(3, 2).t(), True)], {"dim": 0}, False)
    op("stack_dim1", "stack", "stack([a, b, c], dim=1)", lambda a, b, c: torch.stack([a, b, c], 1),
       [In("a", r(2, 3)), In("b", r(2, 3)), In("c", r(2, 3))], {"dim": 1}, False)

    # ---- indexing on a (4,5) tensor ----
    S = lambda start=None, stop=None, step=None: {"slice": [start, stop, step]}  # noqa: E731
    idx = [
        ("index_int", "x[1]", lambda x: x[1], [{"int": 1}]),
        ("index_slice_cols", "x[:, 1:3]", lambda x: x[:, 1:3], [S(), S(1, 3)]),
        ("index_neg_int", "x[-1]", lambda x: x[-1], [{"int": -1}]),
        ("index_step2", "x[::2]", lambda x: x[::2], [S(None, None, 2)]),
        ("index_gather_repeated", "x[[0, 2, 0]]", lambda x: x[[0, 2, 0]], [{"tensor": [0, 2, 0]}]),
        ("index_gather_cols", "x[:, [2, 0]]", lambda x: x[:, [2, 0]], [S(), {"tensor": [2, 0]}]),
        ("index_scalar_elem", "x[1, 2]", lambda x: x[1, 2], [{"int": 1}, {"int": 2}]),
        ("index_rows_step_cols", "x[1:3, ::2]", lambda x: x[1:3, ::2], [S(1, 3), S(None, None, 2)]),
    ]
    for name, expr, fn, spec in idx:
        op(name, "index", expr, fn, [In("x", r(4, 5))], {"index": spec, "python": expr}, False)
    op("index_gather_repeated_transposed", "index", "x[[0, 2, 0]]  (x = stored(5,4).t())",
       lambda x: x[[0, 2, 0]], [In("x", r(5, 4).t(), True)],
       {"index": [{"tensor": [0, 2, 0]}], "python": "x[[0, 2, 0]]"}, False)


def run_op(spec):
    leaves, xs, inputs_json = [], [], []
    for i in spec["inputs"]:
        if i.transposed:
            base = i.value.t().contiguous().clone().requires_grad_(True)  # stored (n, m)
            x = base.t()  # logical view (m, n), non-contiguous
            assert not x.is_contiguous()
            leaves.append(base)
        else:
            x = i.value.clone().requires_grad_(True)
            leaves.append(x)
        xs.append(x)
        ij = {"name": i.name, "value": enc(x), "input_transposed": i.transposed}
        if i.transposed:
            ij["stored_value"] = enc(leaves[-1])
        inputs_json.append(ij)
    out = spec["fn"](*xs)
    v = torch.randn(out.shape)
    grads = torch.autograd.grad(out, xs, grad_outputs=v, create_graph=True, allow_unused=True)
    grads = [torch.zeros_like(x) if g is None else g for g, x in zip(grads, xs)]
    entry = {"name": spec["name"], "op": spec["op"], "expr": spec["expr"], "inputs": inputs_json,
             "attrs": spec["attrs"], "output": enc(out), "cotangent": enc(v), "vjp": [enc(g) for g in grads]}
    if spec["extra"]:
        entry.update(spec["extra"])
    if spec["second_order"]:
        so = []
        for i, g in enumerate(grads):
            u = torch.randn(g.shape)
            if g.requires_grad:
                hs = torch.autograd.grad((g * u).sum(), xs, retain_graph=True, allow_unused=True)
            else:
                hs = [None] * len(xs)
            hs = [torch.zeros_like(x) if h is None else h for h, x in zip(hs, xs)]
            so.append({"input": spec["inputs"][i].name, "u": enc(u), "grads": [enc(h) for h in hs]})
        assert any(x != 0 for s in so for h in s["grads"] for x in h["data"]), spec["name"]
        entry["second_order"] = so
    else:
        entry["second_order"] = None
    if spec["note"]:
        entry["note"] = spec["note"]
    return entry


def case_ops():
    build_ops()
    return op_entries("ops",
                      "Per-op oracle: output, VJP for cotangent v (grads of sum(out * v)), and second order "
                      "d/dx_j sum(vjp_i * u_i) for every input pair (null where the second derivative is zero).",
                      OPS, run_op, 1000)


# --------------------------------------------------------------------------------------------------
# 11. family ops: indexing/shape and linear algebra (runtime/ops/families)
# --------------------------------------------------------------------------------------------------
# Each entry names a Nabla family op (its table entry's name) and its arguments by the entry's parameter
# names: tensor inputs by name (the rest parameter "operands" takes them all), everything else in "args".
# "out" picks one output of a tuple (sort's values); "complex_out" stacks real and imaginary parts so the
# output is real; "gram" makes a positive-definite input x @ x^H + n I inside the function (so cholesky's
# finite differences see a symmetric perturbation); "fd": false skips finite differences for that entry.

FAMILY_OPS = []


def fam(name, opname, torch_fn, inputs, args=None, second_order=True, out=None, complex_out=False, gram=False,
        fd=True, extra=None):
    FAMILY_OPS.append(dict(name=name, op=opname, fn=torch_fn, inputs=inputs, args=args or {}, so=second_order,
                           out=out, complex_out=complex_out, gram=gram, fd=fd, extra=extra))


def build_family_ops():
    FAMILY_OPS.clear()
    torch.manual_seed(11)
    r = torch.randn
    cr = lambda *s: torch.randn(*s, dtype=C128)  # noqa: E731
    well = lambda n: torch.randn(n, n) + n * torch.eye(n)  # noqa: E731
    cwell = lambda n: torch.randn(n, n, dtype=C128) + n * torch.eye(n, dtype=C128)  # noqa: E731
    idx = lambda *t: torch.tensor(*t)  # noqa: E731

    # ---- indexing and shape ----
    gi = [[0, 2, 2], [1, 0, 3]]
    fam("gather_axis1", "gather", lambda x: torch.gather(x, 1, idx(gi)), [In("x", r(2, 4))],
        {"axis": 1, "index": gi}, False)
    gi0 = [[0, 1, 0, 2], [2, 2, 1, 0]]
    fam("gather_axis0", "gather", lambda x: torch.gather(x, 0, idx(gi0)), [In("x", r(3, 4))],
        {"axis": 0, "index": gi0}, False)
    fam("gather_transposed", "gather", lambda x: torch.gather(x, 1, idx(gi)), [In("x", r(4, 2).t(), True)],
        {"axis": 1, "index": gi}, False)
    fam("index_select_axis1", "index_select", lambda x: torch.index_select(x, 1, idx([3, 0, 3])),
        [In("x", r(2, 4))], {"axis": 1, "index": [3, 0, 3]}, False)
    fam("index_select_negative_axis", "index_select", lambda x: torch.index_select(x, 0, idx([1, 1, 0])),
        [In("x", r(2, 3))], {"axis": -2, "index": [1, 1, 0]}, False)
    ti = [[2], [0], [1]]
    fam("take_along_axis_1", "take_along_axis", lambda x: torch.take_along_dim(x, idx(ti), 1),
        [In("x", r(3, 4))], {"axis": 1, "indices": ti}, False)
    tb = [[0, 2, 1, 1]]
    fam("take_along_axis_broadcast", "take_along_axis", lambda x: torch.take_along_dim(x, idx(tb), 0),
        [In("x", r(3, 4))], {"axis": 0, "indices": tb}, False)
    fam("take_along_axis_flat", "take_along_axis", lambda x: torch.take_along_dim(x, idx([5, 0, 5])),
        [In("x", r(2, 3))], {"axis": None, "indices": [5, 0, 5]}, False)
    si = [[0, 0, 2], [1, 3, 1]]
    fam("scatter_add_axis1", "scatter_add", lambda x, src: torch.scatter_add(x, 1, idx(si), src),
        [In("x", r(2, 4)), In("src", r(2, 3))], {"axis": 1, "index": si}, False)
    si0 = [[0, 1], [0, 0]]
    fam("scatter_add_axis0_repeated", "scatter_add", lambda x, src: torch.scatter_add(x, 0, idx(si0), src),
        [In("x", r(3, 2)), In("src", r(2, 2))], {"axis": 0, "index": si0}, False)
    for d, desc in [(-1, False), (0, True)]:
        x = distinct((3, 4))
        s = torch.sort(x, dim=d, descending=desc)
        fam(f"sort_axis{d}_desc{int(desc)}", "sort", lambda x, d=d, desc=desc: torch.sort(x, dim=d, descending=desc).values,
            [In("x", x)], {"axis": d, "descending": desc}, False, out=0, extra={"indices": enc(s.indices)})
    for k, d, largest in [(2, -1, True), (1, 0, False), (3, 1, True)]:
        x = distinct((3, 4))
        t = torch.topk(x, k, dim=d, largest=largest)
        fam(f"topk_k{k}_axis{d}_largest{int(largest)}", "topk",
            lambda x, k=k, d=d, largest=largest: torch.topk(x, k, dim=d, largest=largest).values,
            [In("x", x)], {"k": k, "axis": d, "largest": largest}, False, out=0, extra={"indices": enc(t.indices)})
    fam("flip_0", "flip", lambda x: torch.flip(x, [0]), [In("x", r(3, 4))], {"dims": [0]}, False)
    fam("flip_both_transposed", "flip", lambda x: torch.flip(x, [0, 1]), [In("x", r(4, 3).t(), True)],
        {"dims": [0, 1]}, False)
    fam("roll_flat", "roll", lambda x: torch.roll(x, 2), [In("x", r(3, 4))], {"shifts": 2}, False)
    fam("roll_two_axes", "roll", lambda x: torch.roll(x, (1, -2), (0, 1)), [In("x", r(3, 4))],
        {"shifts": [1, -2], "dims": [0, 1]}, False)
    fam("tile_2x3", "tile", lambda x: torch.tile(x, (2, 3)), [In("x", r(2, 2))], {"reps": [2, 3]}, False)
    fam("tile_short_reps", "tile", lambda x: torch.tile(x, (2,)), [In("x", r(2, 3))], {"reps": [2]}, False)
    fam("tile_long_reps", "tile", lambda x: torch.tile(x, (2, 1, 2)), [In("x", r(3))], {"reps": [2, 1, 2]}, False)
    fam("repeat_interleave_flat", "repeat_interleave", lambda x: torch.repeat_interleave(x, 2),
        [In("x", r(2, 2))], {"repeats": 2}, False)
    fam("repeat_interleave_counts", "repeat_interleave",
        lambda x: torch.repeat_interleave(x, idx([1, 0, 3]), dim=1), [In("x", r(2, 3))],
        {"repeats": [1, 0, 3], "axis": 1}, False)
    F = torch.nn.functional
    fam("pad_constant_last", "pad", lambda x: F.pad(x, (1, 2), value=0.5), [In("x", r(2, 3))],
        {"pad": [1, 2], "value": 0.5}, False)
    fam("pad_constant_two_axes_crop", "pad", lambda x: F.pad(x, (0, 1, -1, 2)), [In("x", r(3, 3))],
        {"pad": [0, 1, -1, 2]}, False)
    fam("pad_reflect", "pad", lambda x: F.pad(x, (2, 1), mode="reflect"), [In("x", r(2, 4))],
        {"pad": [2, 1], "mode": "reflect"}, False)
    fam("pad_replicate", "pad", lambda x: F.pad(x, (2, 1), mode="replicate"), [In("x", r(1, 2, 3))],
        {"pad": [2, 1], "mode": "replicate"}, False)
    fam("pad_circular", "pad", lambda x: F.pad(x, (1, 2), mode="circular"), [In("x", r(1, 2, 3))],
        {"pad": [1, 2], "mode": "circular"}, False)
    fam("tril_0", "tril", lambda x: torch.tril(x), [In("x", r(3, 4))], {}, False)
    fam("tril_batched_-1", "tril", lambda x: torch.tril(x, -1), [In("x", r(2, 3, 3))], {"diagonal": -1}, False)
    fam("triu_1", "triu", lambda x: torch.triu(x, 1), [In("x", r(4, 3))], {"diagonal": 1}, False)
    fam("triu_transposed", "triu", lambda x: torch.triu(x), [In("x", r(3, 3).t(), True)], {}, False)
    fam("diag_vector_to_matrix", "diag", lambda x: torch.diag(x), [In("x", r(3))], {}, False)
    fam("diag_vector_offset_-1", "diag", lambda x: torch.diag(x, -1), [In("x", r(2))], {"diagonal": -1}, False)
    fam("diag_matrix_to_vector", "diag", lambda x: torch.diag(x), [In("x", r(3, 4))], {}, False)
    fam("diag_matrix_offset_2", "diag", lambda x: torch.diag(x, 2), [In("x", r(3, 4))], {"diagonal": 2}, False)
    fam("trace", "trace", torch.trace, [In("x", r(3, 3))], {}, False)
    fam("trace_rectangular", "trace", torch.trace, [In("x", r(2, 4))], {}, False)

    # ---- linear algebra ----
    E = torch.einsum
    for eq, shapes, so in [
        ("ij,jk->ik", [(2, 3), (3, 4)], True),
        ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)], True),
        ("ij,jk", [(2, 3), (3, 2)], True),
        ("ii->i", [(3, 3)], False),
        ("ii", [(3, 3)], False),
        ("ij->ji", [(2, 3)], False),
        ("...ij->...ji", [(2, 2, 3)], False),
        ("i,j->ij", [(3,), (2,)], True),
        ("ij,ij->", [(2, 3), (2, 3)], True),
        ("bi,bi->b", [(3, 4), (3, 4)], True),
        ("ijk,jl->ilk", [(2, 3, 2), (3, 2)], True),
        ("...i,...i->...", [(2, 1, 3), (4, 3)], True),
        ("bA,bC", [(2, 3), (2, 2)], True),
        ("i,i,i->", [(3,), (3,), (3,)], True),
        ("iij->j", [(2, 2, 3)], False),
        ("...ij->ij", [(2, 2, 3)], False),
    ]:
        names = [f"x{k}" for k in range(len(shapes))]
        fam(f"einsum_{eq}", "einsum", lambda *xs, eq=eq: E(eq, *xs), [In("operands", r(*s)) for s in shapes],
            {"equation": eq}, so)
    fam("einsum_complex_ij,jk->ik", "einsum", lambda a, b: E("ij,jk->ik", a, b),
        [In("operands", cr(2, 3)), In("operands", cr(3, 2))], {"equation": "ij,jk->ik"}, True, complex_out=True)
    fam("inv_3x3", "inv", torch.linalg.inv, [In("x", well(3))])
    fam("inv_batched", "inv", torch.linalg.inv, [In("x", torch.stack([well(2), well(2)]))])
    fam("inv_transposed", "inv", torch.linalg.inv, [In("x", well(3).t(), True)])
    fam("inv_complex", "inv", torch.linalg.inv, [In("x", cwell(2))], complex_out=True)
    fam("solve_matrix", "solve", torch.linalg.solve, [In("A", well(3)), In("B", r(3, 2))])
    fam("solve_vector", "solve", torch.linalg.solve, [In("A", well(3)), In("B", r(3))])
    fam("solve_batched_broadcast", "solve", torch.linalg.solve, [In("A", torch.stack([well(2), well(2)])),
                                                                 In("B", r(2, 3))])
    fam("solve_right", "solve", lambda a, b: torch.linalg.solve(a, b, left=False),
        [In("A", well(3)), In("B", r(2, 3))], {"left": False})
    fam("solve_complex", "solve", torch.linalg.solve, [In("A", cwell(2)), In("B", cr(2, 1))], complex_out=True)
    fam("det_3x3", "det", torch.linalg.det, [In("x", r(3, 3))])
    fam("det_batched", "det", torch.linalg.det, [In("x", r(2, 2, 2))])
    a, b = r(3), r(3)
    fam("det_singular_repeated_row", "det", torch.linalg.det, [In("x", torch.stack([a, b, a]))])
    fam("det_complex", "det", torch.linalg.det, [In("x", cr(2, 2))], complex_out=True)
    x = r(3, 3)
    fam("slogdet_logabsdet", "slogdet", lambda x: torch.linalg.slogdet(x)[1], [In("x", x)], out=1,
        extra={"sign": enc(torch.linalg.slogdet(x)[0])})
    x = r(3, 3)
    x = x if torch.linalg.det(x) < 0 else x.flip(0)
    fam("slogdet_negative_det", "slogdet", lambda x: torch.linalg.slogdet(x)[1], [In("x", x)], out=1,
        extra={"sign": enc(torch.linalg.slogdet(x)[0])})
    fam("slogdet_complex_sign", "slogdet", lambda x: torch.linalg.slogdet(x)[0], [In("x", cwell(2))], out=0,
        complex_out=True)
    fam("slogdet_complex_logabsdet", "slogdet", lambda x: torch.linalg.slogdet(x)[1], [In("x", cr(2, 2))], out=1)
    fam("cholesky_gram", "cholesky", torch.linalg.cholesky, [In("x", r(3, 3))], gram=True)
    fam("cholesky_upper_gram", "cholesky", lambda a: torch.linalg.cholesky(a, upper=True), [In("x", r(3, 3))],
        {"upper": True}, gram=True)
    fam("cholesky_batched_gram", "cholesky", torch.linalg.cholesky, [In("x", r(2, 2, 2))], gram=True)
    spd = r(3, 3)
    spd = spd @ spd.t() + 3 * torch.eye(3)
    fam("cholesky_symmetric_input", "cholesky", torch.linalg.cholesky, [In("x", spd)], fd=False)
    fam("cholesky_complex_gram", "cholesky", torch.linalg.cholesky, [In("x", cr(2, 2))], gram=True,
        complex_out=True)


def gram(a):
    n = a.shape[-1]
    return a @ a.mH + n * torch.eye(n, dtype=a.dtype)


def run_family_op(spec):
    leaves, xs, inputs_json = [], [], []
    for i in spec["inputs"]:
        if i.transposed:
            base = i.value.t().contiguous().clone().requires_grad_(True)
            x = base.t()
            leaves.append(base)
        else:
            x = i.value.clone().requires_grad_(True)
            leaves.append(x)
        xs.append(x)
        ij = {"name": i.name, "value": enc(x), "input_transposed": i.transposed}
        if i.transposed:
            ij["stored_value"] = enc(leaves[-1])
        inputs_json.append(ij)

    def f(*args):
        ins = [gram(a) for a in args] if spec["gram"] else list(args)
        y = spec["fn"](*ins)
        return torch.stack([y.real, y.imag]) if spec["complex_out"] else y

    out = f(*xs)
    assert not out.is_complex(), spec["name"]
    v = torch.randn(out.shape)
    grads = torch.autograd.grad(out, xs, grad_outputs=v, create_graph=True, allow_unused=True)
    grads = [torch.zeros_like(x) if g is None else g for g, x in zip(grads, xs)]
    entry = {"name": spec["name"], "op": spec["op"], "inputs": inputs_json, "args": spec["args"],
             "out": spec["out"], "complex_out": spec["complex_out"], "gram": spec["gram"], "fd": spec["fd"],
             "output": enc(out), "cotangent": enc(v), "vjp": [enc(g) for g in grads]}
    if spec["extra"]:
        entry.update(spec["extra"])
    so = None
    if spec["so"]:
        so = []
        for i, g in enumerate(grads):
            u = torch.randn(g.shape, dtype=g.dtype)
            hs = torch.autograd.grad((g * u.conj()).real.sum(), xs, retain_graph=True, allow_unused=True) \
                if g.requires_grad else [None] * len(xs)
            hs = [torch.zeros_like(x) if h is None else h for h, x in zip(hs, xs)]
            so.append({"input": i, "u": enc(u), "grads": [enc(h) for h in hs]})
        assert any(x != 0 for s in so for h in s["grads"] for x in h["data"]), spec["name"]
    entry["second_order"] = so
    return entry


def case_family_ops():
    build_family_ops()
    return op_entries("family_ops",
                      "Indexing/shape and linear-algebra family ops (runtime/ops/families): output, VJP for cotangent "
                      "v, and second order d/dx_j Re sum(vjp_i * conj(u_i)) where the op has one.",
                      FAMILY_OPS, run_family_op, 2000)


# --------------------------------------------------------------------------------------------------

CASES = [
    ("grad_vs_backward", case_grad_vs_backward),
    ("two_losses", case_two_losses),
    ("minmax", case_minmax),
    ("known_grads", case_known_grads),
    ("tape_watch", case_tape_watch),
    ("complex_affine", case_complex_affine),
    ("tanh_net_derivs", case_tanh_net_derivs),
    ("lbfgs_rosenbrock", case_lbfgs_rosenbrock),
    ("optimizers", case_optimizers),
    ("ops", case_ops),
    ("family_ops", case_family_ops),
    ("registry_ops", lambda: __import__("torch_fixtures_registry").case_registry_ops(sys.modules[__name__])),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: test/fixtures/torch)")
    ap.add_argument("cases", nargs="*", help="only these cases (default: all)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    todo = [c for c in CASES if not args.cases or c[0] in args.cases]
    total = 0
    for name, fn in todo:
        torch.manual_seed(0)
        data = fn()
        assert data["case"] == name
        text = json.dumps(data, allow_nan=False, separators=(",", ":"), ensure_ascii=True) + "\n"
        size = len(text.encode())
        assert size < MAX_BYTES, f"{name}: {size} bytes"
        with open(os.path.join(args.out, name + ".json"), "w") as fh:
            fh.write(text)
        total += size
        print(f"{name:20s} {size:8d} bytes")
    print(f"{'total':20s} {total:8d} bytes -> {os.path.relpath(args.out, os.getcwd())}")


if __name__ == "__main__":
    sys.exit(main())
