"""Executes notebooks with nbclient against the installed kernelspecs and fails on any error output, as CI
does for every notebook in notebooks/. Run by test/kernel/notebooks.test.ts; by hand:

    /usr/bin/python3 test/kernel/run_notebooks.py [--write] notebooks/*.ipynb

(JUPYTER_PATH must reach the nabla and tslab kernelspecs). --write saves the executed notebooks.
"""

import os
import sys

import nbclient
import nbformat


def run(path, write):
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata["kernelspec"]["name"]
    client = nbclient.NotebookClient(nb, kernel_name=kernel, timeout=120, resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    client.execute()
    errors = [
        (i, o)
        for i, cell in enumerate(nb.cells)
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error" or (o.get("output_type") == "stream" and o.get("name") == "stderr")
    ]
    for i, o in errors:
        print(f"{path}: cell {i}: {o.get('ename', 'stderr')}: {o.get('evalue', o.get('text', ''))}", file=sys.stderr)
    if write and not errors:
        nbformat.write(nb, path)
    outputs = sum(len(c.get("outputs", [])) for c in nb.cells)
    print(f"{path}: {kernel}: {len(nb.cells)} cells, {outputs} outputs, {len(errors)} errors")
    return not errors


if __name__ == "__main__":
    write = "--write" in sys.argv
    paths = [p for p in sys.argv[1:] if p != "--write"]
    results = [run(p, write) for p in paths]
    sys.exit(0 if paths and all(results) else 1)
