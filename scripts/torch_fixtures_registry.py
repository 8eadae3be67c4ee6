"""The registry_ops case of torch_fixtures.py: PyTorch's output, VJP and second order for the ops declared in
runtime/ops/registry (elementwise), runtime/ops/reductions.ts and runtime/nn/functional.ts, in the same
entry format as the ops case (test/runtime/registry-ops.test.ts reads it). Adding an elementwise op is one
row of ELEMENTWISE below.
"""

import torch
import torch.nn.functional as F


def elementwise_rows(T):
    """(op, torch fn, inputs, attrs, second order) for each elementwise op the ops case does not cover."""
    r = torch.randn
    unit = lambda *s: torch.rand(*s) * 1.6 - 0.8  # noqa: E731  (-0.8, 0.8): asin, acos, atanh
    pos = lambda *s: torch.rand(*s) * 1.5 + 0.5  # noqa: E731
    above1 = lambda *s: torch.rand(*s) * 2 + 1.2  # noqa: E731  acosh
    In, az, ai = T.In, T.away_from_zero, T.away_from_ints
    b = pos(2, 3) * 0.5 + 0.6  # fmod divisor in [0.85, 1.35]
    return [
        ("log1p", torch.log1p, [In("x", torch.rand(2, 3) * 2 - 0.5)], {}, True),
        ("expm1", torch.expm1, [In("x", r(2, 3))], {}, True),
        ("rsqrt", torch.rsqrt, [In("x", pos(2, 3))], {}, True),
        ("reciprocal", torch.reciprocal, [In("x", az((2, 3), 0.4))], {}, True),
        ("asin", torch.asin, [In("x", unit(2, 3))], {}, True),
        ("acos", torch.acos, [In("x", unit(2, 3))], {}, True),
        ("atan", torch.atan, [In("x", r(2, 3))], {}, True),
        ("sinh", torch.sinh, [In("x", r(2, 3))], {}, True),
        ("cosh", torch.cosh, [In("x", r(2, 3))], {}, True),
        ("asinh", torch.asinh, [In("x", r(2, 3))], {}, True),
        ("acosh", torch.acosh, [In("x", above1(2, 3))], {}, True),
        ("atanh", torch.atanh, [In("x", unit(2, 3))], {}, True),
        ("erf", torch.erf, [In("x", r(2, 3))], {}, True),
        ("ceil", torch.ceil, [In("x", ai((2, 3)))], {}, False),
        ("trunc", torch.trunc, [In("x", ai((2, 3)))], {}, False),
        ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), [In("x", az((2, 3)))], {"negative_slope": 0.2}, False),
        ("elu", lambda x: F.elu(x, 1.3), [In("x", az((2, 3)))], {"alpha": 1.3}, True),
        ("gelu", F.gelu, [In("x", r(2, 3))], {}, True),
        ("gelu", lambda x: F.gelu(x, approximate="tanh"), [In("x", r(2, 3))], {"approximate": "tanh"}, True),
        ("silu", F.silu, [In("x", r(2, 3))], {}, True),
        ("atan2", torch.atan2, [In("a", r(2, 3)), In("b", az((2, 3), 0.3))], {}, True),
        ("hypot", torch.hypot, [In("a", az((2, 3), 0.3)), In("b", r(3))], {}, True),
        ("maximum", torch.maximum, [In("a", T.distinct((2, 3))), In("b", T.distinct((2, 3)))], {}, False),
        ("minimum", torch.minimum, [In("a", T.distinct((2, 3))), In("b", T.distinct((3,)))], {}, False),
        ("fmod", torch.fmod, [In("a", b * ai((2, 3), -4, 4)), In("b", b)], {}, False),
    ]


def registry_rows(T):
    torch.manual_seed(20)
    In, op = T.In, T.op
    r = torch.randn
    rows = []
    for k, (name, fn, inputs, attrs, so) in enumerate(elementwise_rows(T)):
        rows.append(dict(name=name + "".join(f"_{a}_{v}" for a, v in attrs.items()), op=name, expr=f"{name}(...)", fn=fn, inputs=inputs, attrs=attrs, second_order=so,
                         note=None if so else "second derivative is zero almost everywhere", extra=None))
    R = lambda name, opname, expr, fn, inputs, attrs=None, so=True: rows.append(  # noqa: E731
        dict(name=name, op=opname, expr=expr, fn=fn, inputs=inputs, attrs=attrs or {}, second_order=so, note=None,
             extra=None))

    # ---- reductions (torch's dim is Nabla's axis) ----
    R("prod_all", "prod", "prod(x)", torch.prod, [In("x", r(2, 3))], {"dim": None, "keepdim": False})
    R("prod_dim1_keepdim", "prod", "prod(x, dim=1, keepdim=True)", lambda x: x.prod(1, keepdim=True),
      [In("x", r(3, 4))], {"dim": 1, "keepdim": True})
    x0 = r(2, 3)
    x0[0, 1] = 0.0
    R("prod_with_zero_dim0", "prod", "prod(x, dim=0)  (one zero)", lambda x: x.prod(0), [In("x", x0)],
      {"dim": 0, "keepdim": False})
    for c in (0, 1, 2):
        R(f"var_dim1_correction{c}", "var", f"var(x, dim=1, correction={c})",
          lambda x, c=c: torch.var(x, 1, unbiased=bool(c)) if c < 2 else x.var(1, unbiased=False) * 4 / 2,
          [In("x", r(3, 4))], {"dim": 1, "correction": c, "keepdim": False})
    R("var_all", "var", "var(x)", torch.var, [In("x", r(3, 4))], {"dim": None, "correction": 1, "keepdim": False})
    R("std_dim0_keepdim", "std", "std(x, dim=0, keepdim=True)", lambda x: x.std(0, keepdim=True),
      [In("x", r(4, 3))], {"dim": 0, "correction": 1, "keepdim": True})
    R("std_all_correction0", "std", "std(x, unbiased=False)", lambda x: x.std(unbiased=False), [In("x", r(3, 4))],
      {"dim": None, "correction": 0, "keepdim": False})
    R("logsumexp_dim1", "logsumexp", "logsumexp(x, dim=1)", lambda x: torch.logsumexp(x, 1), [In("x", r(3, 4))],
      {"dim": 1, "keepdim": False})
    R("logsumexp_all_keepdim", "logsumexp", "logsumexp(x, dim=(0, 1), keepdim=True)",
      lambda x: torch.logsumexp(x, (0, 1), keepdim=True), [In("x", r(3, 4))], {"dim": [0, 1], "keepdim": True})
    R("norm_p1_dim1", "norm", "norm(x, p=1, dim=1)", lambda x: x.norm(p=1, dim=1), [In("x", T.away_from_zero((3, 4)))],
      {"p": 1, "dim": 1}, False)
    R("norm_p3_all", "norm", "norm(x, p=3)", lambda x: x.norm(p=3), [In("x", T.away_from_zero((3, 4)))], {"p": 3, "dim": None})
    R("norm_pinf_dim0", "norm", "norm(x, p=inf, dim=0)", lambda x: x.norm(p=float("inf"), dim=0),
      [In("x", T.distinct((3, 4)))], {"p": "inf", "dim": 0}, False)
    R("cumsum_dim1", "cumsum", "cumsum(x, dim=1)", lambda x: x.cumsum(1), [In("x", r(3, 4))], {"dim": 1}, False)
    R("cumsum_dim0", "cumsum", "cumsum(x, dim=0)", lambda x: x.cumsum(0), [In("x", r(3, 2))], {"dim": 0}, False)
    R("cumprod_dim1", "cumprod", "cumprod(x, dim=1)", lambda x: x.cumprod(1), [In("x", r(2, 4))], {"dim": 1})
    R("cumprod_dim0_zero", "cumprod", "cumprod(x, dim=0)  (one zero)", lambda x: x.cumprod(0), [In("x", x0.t().contiguous())],
      {"dim": 0})

    # ---- neural-network functions ----
    R("softmax_dim1", "softmax", "softmax(x, dim=1)", lambda x: F.softmax(x, 1), [In("x", r(3, 4))], {"dim": 1})
    R("softmax_dim0", "softmax", "softmax(x, dim=0)", lambda x: F.softmax(x, 0), [In("x", r(3, 4))], {"dim": 0})
    R("log_softmax_dim-1", "log_softmax", "log_softmax(x, dim=-1)", lambda x: F.log_softmax(x, -1), [In("x", r(2, 5))],
      {"dim": -1})
    R("log_softmax_large_logits", "log_softmax", "log_softmax(x + 1000, dim=1)", lambda x: F.log_softmax(x, 1),
      [In("x", r(2, 4) * 3 + 1000)], {"dim": 1})
    t_idx = torch.tensor([2, 0, 3])
    for red in ("mean", "sum", "none"):
        R(f"cross_entropy_indices_{red}", "cross_entropy", f"cross_entropy(x, target, reduction={red})",
          lambda x, red=red: F.cross_entropy(x, t_idx, reduction=red), [In("x", r(3, 4))],
          {"target": T.enc(t_idx), "reduction": red, "label_smoothing": 0.0})
    R("cross_entropy_label_smoothing", "cross_entropy", "cross_entropy(x, target, label_smoothing=0.1)",
      lambda x: F.cross_entropy(x, t_idx, label_smoothing=0.1), [In("x", r(3, 4))],
      {"target": T.enc(t_idx), "reduction": "mean", "label_smoothing": 0.1})
    t_ign = torch.tensor([2, -100, 1])
    R("cross_entropy_ignore_index", "cross_entropy", "cross_entropy(x, target)  (target -100 ignored)",
      lambda x: F.cross_entropy(x, t_ign), [In("x", r(3, 4))],
      {"target": T.enc(t_ign), "reduction": "mean", "label_smoothing": 0.0})
    t_prob = F.softmax(r(3, 4), 1)
    R("cross_entropy_probabilities", "cross_entropy", "cross_entropy(x, probabilities, label_smoothing=0.2)",
      lambda x: F.cross_entropy(x, t_prob, label_smoothing=0.2), [In("x", r(3, 4))],
      {"target": T.enc(t_prob), "reduction": "mean", "label_smoothing": 0.2})
    R("cross_entropy_large_logits", "cross_entropy", "cross_entropy(1000 * x, target)",
      lambda x: F.cross_entropy(x, t_idx), [In("x", r(3, 4) * 1000)],
      {"target": T.enc(t_idx), "reduction": "mean", "label_smoothing": 0.0})
    R("nll_loss_mean", "nll_loss", "nll_loss(logp, target)", lambda x: F.nll_loss(x, t_idx), [In("x", r(3, 4))],
      {"target": T.enc(t_idx), "reduction": "mean"}, False)
    R("nll_loss_sum", "nll_loss", "nll_loss(logp, target, reduction=sum)", lambda x: F.nll_loss(x, t_idx, reduction="sum"),
      [In("x", r(3, 4))], {"target": T.enc(t_idx), "reduction": "sum"}, False)
    R("mse_loss", "mse_loss", "mse_loss(x, y)", F.mse_loss, [In("x", r(2, 3)), In("y", r(2, 3))], {"reduction": "mean"})
    R("mse_loss_sum", "mse_loss", "mse_loss(x, y, reduction=sum)", lambda x, y: F.mse_loss(x, y, reduction="sum"),
      [In("x", r(2, 3)), In("y", r(2, 3))], {"reduction": "sum"})
    y1 = r(2, 3)
    R("l1_loss", "l1_loss", "l1_loss(x, y)", F.l1_loss, [In("x", y1 + T.away_from_zero((2, 3), 0.3)), In("y", y1)],
      {"reduction": "mean"}, False)
    y2 = r(2, 4)
    R("huber_loss", "huber_loss", "huber_loss(x, y, delta=0.8)", lambda x, y: F.huber_loss(x, y, delta=0.8),
      [In("x", y2 + torch.tensor([[0.1, -0.3, 1.5, -2.0], [0.5, -0.6, 2.5, 0.05]])), In("y", y2)],
      {"reduction": "mean", "delta": 0.8})
    tb = torch.rand(2, 3)
    R("binary_cross_entropy", "binary_cross_entropy", "binary_cross_entropy(p, t)",
      lambda p: F.binary_cross_entropy(p, tb), [In("p", torch.rand(2, 3) * 0.8 + 0.1)],
      {"target": T.enc(tb), "reduction": "mean"})
    R("bce_with_logits", "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits(x, t)",
      lambda x: F.binary_cross_entropy_with_logits(x, tb), [In("x", r(2, 3) * 3)], {"target": T.enc(tb), "reduction": "mean"})
    pw = torch.tensor([0.5, 2.0, 3.0])
    R("bce_with_logits_pos_weight", "binary_cross_entropy_with_logits",
      "binary_cross_entropy_with_logits(x, t, pos_weight, reduction=sum)",
      lambda x: F.binary_cross_entropy_with_logits(x, tb, pos_weight=pw, reduction="sum"), [In("x", r(2, 3) * 3)],
      {"target": T.enc(tb), "reduction": "sum", "pos_weight": T.enc(pw)})
    R("bce_with_logits_large", "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits(±1000, t)",
      lambda x: F.binary_cross_entropy_with_logits(x, tb), [In("x", torch.tensor([[1000.0, -1000.0, 3.0], [-999.0, 998.0, 0.0]]))],
      {"target": T.enc(tb), "reduction": "mean"})

    # ---- cross_entropy weight= (appended last, so the rows above keep their random data) ----
    cw = torch.tensor([0.5, 2.0, 1.5, 0.75])
    t_w = torch.tensor([2, 0, 3, 1])
    for red in ("mean", "sum", "none"):
        R(f"cross_entropy_weight_{red}", "cross_entropy", f"cross_entropy(x, target, weight=w, reduction={red})",
          lambda x, red=red: F.cross_entropy(x, t_w, weight=cw, reduction=red), [In("x", r(4, 4))],
          {"target": T.enc(t_w), "reduction": red, "label_smoothing": 0.0, "weight": T.enc(cw)})
    t_wi = torch.tensor([2, -100, 3, 1])
    R("cross_entropy_weight_ignore_smoothing", "cross_entropy",
      "cross_entropy(x, target, weight=w, label_smoothing=0.2)  (target -100 ignored)",
      lambda x: F.cross_entropy(x, t_wi, weight=cw, label_smoothing=0.2), [In("x", r(4, 4))],
      {"target": T.enc(t_wi), "reduction": "mean", "label_smoothing": 0.2, "weight": T.enc(cw)})
    t_wp = F.softmax(r(3, 4), 1)
    R("cross_entropy_weight_probabilities", "cross_entropy", "cross_entropy(x, probabilities, weight=w, label_smoothing=0.1)",
      lambda x: F.cross_entropy(x, t_wp, weight=cw, label_smoothing=0.1), [In("x", r(3, 4))],
      {"target": T.enc(t_wp), "reduction": "mean", "label_smoothing": 0.1, "weight": T.enc(cw)})
    t_ws = torch.tensor([[0, 3], [1, 1]])
    R("cross_entropy_weight_spatial", "cross_entropy", "cross_entropy(x [N, C, d], target, weight=w)",
      lambda x: F.cross_entropy(x, t_ws, weight=cw), [In("x", r(2, 4, 2))],
      {"target": T.enc(t_ws), "reduction": "mean", "label_smoothing": 0.0, "weight": T.enc(cw)})
    R("nll_loss_weight_mean", "nll_loss", "nll_loss(logp, target, weight=w)", lambda x: F.nll_loss(x, t_w, weight=cw),
      [In("x", r(4, 4))], {"target": T.enc(t_w), "reduction": "mean", "weight": T.enc(cw)}, False)
    # std of a constant row: PyTorch's gradient there is 0 (the norm's rule), not sqrt's 0/0
    xc = r(3, 4)
    xc[1] = 2.0
    rows.append(dict(name="std_dim1_constant_row", op="std", expr="std(x, dim=1)  (a constant row)", fn=lambda x: x.std(1),
                     inputs=[In("x", xc)], attrs={"dim": 1, "correction": 1, "keepdim": False}, second_order=False,
                     note="a kink at the constant row: finite differences of order 1 only", extra=None))
    return rows


def case_registry_ops(T):
    return T.op_entries("registry_ops",
                        "The registry's ops (elementwise, reductions, nn): output, VJP for cotangent v and second order, "
                        "in the ops case's entry format.",
                        registry_rows(T), T.run_op, 3000)
