"""Executes notebooks with nbclient on the installed Gradscope kernelspec, as CI of a user's
notebooks would (papermill and nbconvert --execute use the same client), and checks what a reader
of the executed .ipynb sees: every code cell ran without an error, printed output arrived as streams, and gradient-health outputs in their final state (live updates arrived as
update_display_data and replaced the first snapshot).

usage: run_samples.py OUT_DIR NOTEBOOK...   (writes OUT_DIR/<name>.ipynb; exit 1 on any failure)
"""
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

HEALTH = "application/vnd.gradscope.health+json"
FINAL = {"finished", "stopped", "failed"}  # RunStatus in src/protocol/health.ts, less "training"


def check(nb, name):
    problems = []
    health = 0
    for i, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if cell.get("execution_count") is None:
            problems.append(f"{name}: cell {i} did not run")
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"{name}: cell {i} failed: {out.ename}: {out.evalue}")
            data = out.get("data", {})
            if HEALTH in data:
                health += 1
                snap = data[HEALTH]
                if isinstance(snap, str):
                    snap = json.loads(snap)
                if snap.get("status") not in FINAL:
                    problems.append(f"{name}: cell {i} kept a live health snapshot (status {snap.get('status')!r}): updates were lost")
    code = "".join(c.source for c in nb.cells if c.cell_type == "code")
    streams = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "stream")
    if "console.log(" in code and streams == 0:
        problems.append(f"{name}: its cells log but no stream output arrived")
    if "gs.fit(" in "".join(c.source for c in nb.cells if c.cell_type == "code") and health == 0:
        problems.append(f"{name}: it trains with gs.fit but shows no gradient-health output")
    return problems, health


def main():
    out_dir, notebooks = sys.argv[1], sys.argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    failures = []
    for path in notebooks:
        name = os.path.splitext(os.path.basename(path))[0]
        nb = nbformat.read(path, as_version=4)
        nb.metadata["kernelspec"] = {"name": os.environ.get("GRADSCOPE_KERNEL_NAME", "gradscope"), "display_name": "Gradscope (TypeScript)", "language": "typescript"}
        start = time.time()
        try:
            NotebookClient(nb, timeout=900, kernel_name=nb.metadata["kernelspec"]["name"], resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}).execute()
        except Exception as e:  # nbclient raises CellExecutionError on the first failing cell
            failures.append(f"{name}: {type(e).__name__}: {str(e)[:2000]}")
        nbformat.write(nb, os.path.join(out_dir, f"{name}.ipynb"))
        problems, health = check(nb, name)
        failures += problems
        print(f"{name}: {len(nb.cells)} cells, {health} health output(s), {time.time() - start:.1f} s, {'ok' if not problems else 'FAILED'}", flush=True)
    for f in failures:
        print(f"FAIL {f}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
