"""Reference training step for test/bench/wasm.bench.ts: a dense network trained with softmax
cross-entropy and Adam (tfjs defaults: beta1 0.9, beta2 0.999, epsilon 1e-7) in float32 numpy on
its BLAS, batches gathered from a shuffled permutation as model.fit does.

Usage: python3 numpyMlp.py '{"sizes": [784, 256, 256, 10], "activation": "relu", "batch": 128,
        "steps": 20, "repeats": 5}'
Prints one JSON line: {"msPerStep": wall-clock median over repeats, "cpuMsPerStep": the same in
process CPU time (steadier when other processes load the machine), "matmulCpuMsPerStep": the step's
matmuls alone on fixed operands, "blas": "...", "threads": "..."}.
"""
import json
import os
import sys
import time

import numpy as np


def main():
    cfg = json.loads(sys.argv[1])
    sizes, batch, steps = cfg["sizes"], cfg["batch"], cfg["steps"]
    act = cfg.get("activation", "relu")
    rng = np.random.default_rng(0)
    n = batch * steps
    x = rng.standard_normal((n, sizes[0]), dtype=np.float32)
    y = np.eye(sizes[-1], dtype=np.float32)[rng.integers(0, sizes[-1], n)]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros(fan_out, dtype=np.float32))
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, b1, b2, eps = np.float32(1e-3), np.float32(0.9), np.float32(0.999), np.float32(1e-7)
    t = 0

    def step(xb, yb):
        nonlocal t
        acts, pre = [xb], []
        h = xb
        layers = len(params) // 2
        for i in range(layers):
            z = h @ params[2 * i] + params[2 * i + 1]
            pre.append(z)
            if i < layers - 1:
                h = np.maximum(z, 0) if act == "relu" else np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
            else:
                z = z - z.max(axis=1, keepdims=True)
                e = np.exp(z)
                h = e / e.sum(axis=1, keepdims=True)
            acts.append(h)
        loss = -np.mean(np.sum(yb * np.log(np.maximum(h, 1e-7)), axis=1))
        grads = [None] * len(params)
        dz = (h - yb) / np.float32(xb.shape[0])
        for i in reversed(range(layers)):
            grads[2 * i] = acts[i].T @ dz
            grads[2 * i + 1] = dz.sum(axis=0)
            if i > 0:
                da = dz @ params[2 * i].T
                z = pre[i - 1]
                dz = da * (z > 0) if act == "relu" else da * np.where(z > 0, np.float32(1), np.exp(np.minimum(z, 0)))
        t += 1
        c1 = np.float32(1 - b1 ** t)
        c2 = np.float32(1 - b2 ** t)
        for p, g, mi, vi in zip(params, grads, m, v):
            mi *= b1
            mi += (1 - b1) * g
            vi *= b2
            vi += (1 - b2) * g * g
            p -= lr * (mi / c1) / (np.sqrt(vi / c2) + eps)
        return loss

    times, cpu = [], []
    for r in range(cfg.get("repeats", 5) + 1):
        perm = rng.permutation(n)
        start, start_cpu = time.perf_counter(), time.process_time()
        for s in range(steps):
            idx = perm[s * batch:(s + 1) * batch]
            step(x[idx], y[idx])
        if r > 0:  # the first pass warms caches and BLAS threads
            times.append((time.perf_counter() - start) * 1000 / steps)
            cpu.append((time.process_time() - start_cpu) * 1000 / steps)
    # The step's matmuls alone (forward, weight and input gradients), on fixed operands: BLAS's share.
    mats = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        mats.append((rng.standard_normal((batch, fan_in), dtype=np.float32), rng.standard_normal((fan_in, fan_out), dtype=np.float32)))
        mats.append((rng.standard_normal((fan_in, batch), dtype=np.float32), rng.standard_normal((batch, fan_out), dtype=np.float32)))
        if fan_in != sizes[0]:
            mats.append((rng.standard_normal((batch, fan_out), dtype=np.float32), rng.standard_normal((fan_out, fan_in), dtype=np.float32)))
    mm = []
    for r in range(cfg.get("repeats", 5) + 1):
        start_cpu = time.process_time()
        for _ in range(steps):
            for a, b in mats:
                a @ b
        if r > 0:
            mm.append((time.process_time() - start_cpu) * 1000 / steps)
    blas = "unknown"
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except Exception:
        pass
    print(json.dumps({"msPerStep": float(np.median(times)), "cpuMsPerStep": float(np.median(cpu)), "blas": blas,
                      "matmulCpuMsPerStep": float(np.median(mm)),
                      "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}))


if __name__ == "__main__":
    main()
