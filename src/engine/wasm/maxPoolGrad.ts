/**
 * MaxPoolGrad over the wasm backend's: each window's gradient goes to the window's maximum.
 *
 * The stock 4.22.0 kernel is wrong and slow. It starts each window's search at
 * `numeric_limits<float>::min()` (the smallest positive float, not the lowest), so a window whose
 * values are all ≤ 0 sends its gradient to element 0 of the whole tensor or loses it, and it breaks
 * ties towards the last element where TensorFlow and the cpu backend take the first. Networks that
 * pool after ELU, SELU, tanh or a linear convolution get wrong gradients. It is also slow (see
 * test/bench/wasm.bench.ts).
 *
 * This one follows the cpu backend exactly: windows clipped to the input (padding never wins), the
 * first strictly greatest value wins, NaN never does, and overlapping windows' contributions are
 * summed in float64 and rounded once. One pass over the input in memory order, channels innermost.
 */
import { offsetOf } from './simd';
import type { KernelArgs, KernelConfig, TensorInfo, Tf, WasmBackend } from './types';

// Reused between calls: allocating (and zeroing) megabytes per call cost more than the pass itself.
let scratch = new Float64Array(0);

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function maxPoolGrad(tf: Tf, stock: KernelConfig, args: KernelArgs): TensorInfo {
  const { dy, input: x } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4) return stock.kernelFunc(args) as TensorInfo;
  const backend = args.backend as WasmBackend;
  const a = args.attrs as unknown as PoolAttrs;
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize, a.strides, 1,
    a.pad, a.dimRoundingMode);
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh,
    strideWidth: sw, filterHeight: fh, filterWidth: fw, padInfo } = info;
  const out = backend.makeOutput(x.shape, 'float32');
  const size = nb * h * w * c;
  // Views after makeOutput: its malloc may grow the heap and replace the buffer.
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const at = (t: TensorInfo) => offsetOf(backend, t) >> 2;
  const [xs, dys, dxs] = [at(x), at(dy), at(out)];
  const overlapping = sh < fh || sw < fw;
  // Non-overlapping windows give each element at most one contribution: add straight into the output.
  if (overlapping && scratch.length < size) scratch = new Float64Array(size);
  const acc = overlapping ? scratch.subarray(0, size) : heap.subarray(dxs, dxs + size);
  acc.fill(0);
  const best = new Float32Array(c);
  const pos = new Int32Array(c);
  for (let b = 0; b < nb; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const r0 = yr * sh - padInfo.top;
      const rFrom = Math.max(0, r0), rTo = Math.min(h, r0 + fh);
      for (let yc = 0; yc < ow; yc++) {
        const c0 = yc * sw - padInfo.left;
        const cFrom = Math.max(0, c0), cTo = Math.min(w, c0 + fw);
        best.fill(-Infinity);
        pos.fill(-1);
        for (let r = rFrom; r < rTo; r++) {
          for (let col = cFrom; col < cTo; col++) {
            const base = ((b * h + r) * w + col) * c;
            for (let d = 0; d < c; d++) {
              const v = heap[xs + base + d];
              if (v > best[d]) {
                best[d] = v;
                pos[d] = base + d;
              }
            }
          }
        }
        const g = dys + ((b * oh + yr) * ow + yc) * c;
        for (let d = 0; d < c; d++) if (pos[d] >= 0) acc[pos[d]] += heap[g + d];
      }
    }
  }
  if (overlapping) heap.set(acc, dxs);
  return out;
}

/** A MaxPoolGrad config (NHWC float32; anything else goes to `stock`). */
export function maxPoolGradOverride(tf: Tf, stock: KernelConfig): KernelConfig {
  return {
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: (args) => maxPoolGrad(tf, stock, args),
  };
}
