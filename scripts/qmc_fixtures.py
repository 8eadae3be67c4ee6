"""Writes test/fixtures/qmc.json: SciPy's unscrambled Sobol and Halton points and their L2-star
discrepancies, which test/pde/sampling.test.ts compares with Nabla's samplers.
Run with Debian's python3 (SciPy 1.10): /usr/bin/python3 scripts/qmc_fixtures.py"""
import json, pathlib
from scipy.stats import qmc

out = {}
sobol = qmc.Sobol(8, scramble=False).random(256)
out["sobol8"] = sobol.tolist()
out["sobol2_l2star_256"] = float(qmc.discrepancy(sobol[:, :2], method="L2-star"))
halton = qmc.Halton(5, scramble=False).random(201)[1:]  # Nabla starts at index 1 (index 0 is the origin)
out["halton5"] = halton.tolist()
out["halton5_l2star_200"] = float(qmc.discrepancy(halton, method="L2-star"))
path = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "qmc.json"
path.write_text(json.dumps(out))
print("wrote", path)
