"""The coefficients of runtime/ops/registry/tanh64.ts, and test/fixtures/tanh64.json (tanh at 50 digits).

Run with Debian's python3-mpmath:  /usr/bin/python3 scripts/tanh64-coefficients.py [--fixture FILE]
Prints the two coefficient lists (highest degree first) as tanh64.ts holds them, with the fit errors; with
--fixture, writes x and tanh(x) rounded to float64 for the points test/runtime/kernels.test.ts checks.
"""

import argparse
import json
import random

import mpmath as mp

mp.mp.dps = 50
SPLIT = mp.mpf("0.625")


def small(s):
    # (tanh a - a) / a^3 as a function of s = a^2 (-1/3 at 0)
    if s == 0:
        return mp.mpf(-1) / 3
    a = mp.sqrt(s)
    return (mp.tanh(a) - a) / a**3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixture")
    a = ap.parse_args()
    p, e1 = mp.chebyfit(small, [0, SPLIT**2], 12, error=True)
    h = mp.log(2) / 2
    q, e2 = mp.chebyfit(mp.exp, [-h, h], 13, error=True)
    print("TANH64_SMALL", [float(c) for c in p], "error", mp.nstr(e1, 3))
    print("TANH64_EXP", [float(c) for c in q], "error", mp.nstr(e2, 3))
    if a.fixture:
        rng = random.Random(64)
        xs = [0.0, 1e-300, 1e-20, 1e-8, 0.1, 0.5, 0.6249999999999999, 0.625, 0.6250000000000001, 1.0, 19.0, 19.1, 22.0, 43.9]
        xs += [rng.uniform(0, 1.5) for _ in range(600)] + [rng.uniform(1.5, 25) for _ in range(200)]
        xs += [10 ** rng.uniform(-12, -1) for _ in range(100)]
        xs += [-x for x in xs[:200]]
        rows = [[x, float(mp.tanh(mp.mpf(x)))] for x in xs]
        with open(a.fixture, "w") as f:
            json.dump({"about": "x, tanh(x) to 50 digits rounded to float64 (scripts/tanh64-coefficients.py)", "points": rows}, f)


if __name__ == "__main__":
    main()
