"""Executes notebooks with nbclient against the installed kernelspecs and fails on any error output, as CI
does for every notebook in notebooks/. Run by test/kernel/notebooks.test.ts; by hand:

    /usr/bin/python3 test/kernel/run_notebooks.py [--write] notebooks/*.ipynb

(JUPYTER_PATH must reach the nabla and tslab kernelspecs). --write saves the executed notebooks; `npm run
notebooks` (scripts/notebooks.ts) does that for every notebook with the kernelspecs in a temporary prefix.

A cell that demonstrates an error carries the tag `raises-exception` (nbclient then goes on past it) and one
that demonstrates a warning the tag `warns`; such a cell fails the run when it does not raise or warn.
"""

import os
import sys

import nbclient
import nbformat


def run(path, write):
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata["kernelspec"]["name"]
    # record_timing=False: written notebooks carry no per-cell timestamps, so regenerating them changes only outputs
    client = nbclient.NotebookClient(nb, kernel_name=kernel, timeout=120, record_timing=False, resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    errors = []
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as e:
        # an untagged error stops the notebook; its error output is in the cell and is reported below
        errors.append((None, {"ename": "stopped", "evalue": "at the first error that is not tagged raises-exception"}))
    except Exception as e:  # a kernel that died or timed out: this notebook fails, the others still run
        errors.append((None, {"ename": type(e).__name__, "evalue": str(e)}))

    for i, cell in enumerate(nb.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        outs = cell.get("outputs", [])
        raised = [o for o in outs if o.get("output_type") == "error"]
        warned = [o for o in outs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        # a cell that demonstrates an error or a warning says so with a tag, and then must show it
        if "raises-exception" in tags:
            if not raised:
                errors.append((i, {"ename": "ExpectedError", "evalue": "the cell is tagged raises-exception but raised nothing"}))
        else:
            errors += [(i, o) for o in raised]
        if "warns" in tags:
            if not warned:
                errors.append((i, {"ename": "ExpectedWarning", "evalue": "the cell is tagged warns but wrote nothing to stderr"}))
        else:
            errors += [(i, o) for o in warned]
    for i, o in errors:
        print(f"{path}: {'execution' if i is None else f'cell {i}'}: {o.get('ename', 'stderr')}: {o.get('evalue', o.get('text', ''))}", file=sys.stderr)
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
