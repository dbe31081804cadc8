/**
 * Conv2DBackpropFilter (the weight gradient of a 2-D convolution) on the wasm backend itself, for
 * NHWC float32, as matmuls on XNNPACK instead of the cpu fallback's scalar JavaScript loop:
 *
 *   dW[kh, kw] = Σ_{n,oh,ow} x̃[n, oh·sh + kh, ow·sw + kw, :]ᵀ · dy[n, oh, ow, :]   (x̃ = x zero-padded)
 *
 * i.e. for each filter tap, (window of x̃ as an [M, Cin] matrix)ᵀ · (dy as [M, Cout]), M = N·OH·OW,
 * through the BatchMatMul override (window transposed, dy the packed operand: the faster order than
 * dyᵀ·window on small-CNN shapes). Other layouts and dtypes go to the cpu
 * fallback. Every temporary is freed.
 */
import { Scratch } from './scratch';
import { offsetOf } from './simd';
import type { ConvGradAttrs, KernelArgs, KernelConfig, TensorInfo, Tf, WasmBackend } from './types';

/** The kernels the fast path is built from (the installed Slice/StridedSlice/BatchMatMul overrides). */
export interface ConvFilterParts {
  pad: KernelConfig;
  slice: KernelConfig;
  stridedSlice: KernelConfig;
  batchMatMul: KernelConfig;
  transpose: KernelConfig;
}

interface ConvAttrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

function filterGrad(tf: Tf, parts: ConvFilterParts, fallback: KernelConfig, args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const attrs = args.attrs as unknown as ConvAttrs;
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32') {
    return fallback.kernelFunc(args) as TensorInfo;
  }
  const backend = args.backend as WasmBackend;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape,
    attrs.strides, 1, attrs.pad as 'same', attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, inChannels: cin, outChannels: cout,
    filterHeight: fh, filterWidth: fw, padInfo } = info;
  const m = n * oh * ow;
  const out = backend.makeOutput([fh, fw, cin, cout], 'float32');
  if (m === 0 || cin === 0 || cout === 0) {
    backend.wasm.HEAPU8.fill(0, offsetOf(backend, out), offsetOf(backend, out) + fh * fw * cin * cout * 4);
    return out;
  }
  const scratch = new Scratch(backend);
  const run = scratch.run.bind(scratch);
  try {
    const { top, bottom, left, right } = padInfo;
    // Padding needed so every window fits: SAME may ask for less than the last window reads.
    const hp = Math.max(x.shape[1] + top + bottom, (oh - 1) * sh + fh);
    const wp = Math.max(x.shape[2] + left + right, (ow - 1) * sw + fw);
    const padded = hp === x.shape[1] && wp === x.shape[2] ? x : run(parts.pad, { x }, {
      paddings: [[0, 0], [top, hp - x.shape[1] - top], [left, wp - x.shape[2] - left], [0, 0]], constantValue: 0,
    });
    const heap0 = offsetOf(backend, out);
    const mark = scratch.mark;
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        const window = sh === 1 && sw === 1
          ? run(parts.slice, { x: padded }, { begin: [0, kh, kw, 0], size: [n, oh, ow, cin] })
          : run(parts.stridedSlice, { x: padded }, {
            begin: [0, kh, kw, 0], end: [n, kh + (oh - 1) * sh + 1, kw + (ow - 1) * sw + 1, cin], strides: [1, sh, sw, 1],
            beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
          });
        const g = run(parts.batchMatMul, { a: { ...window, shape: [m, cin] }, b: { ...dy, shape: [m, cout] } },
          { transposeA: true, transposeB: false });
        const from = offsetOf(backend, g);
        const to = heap0 + (kh * fw + kw) * cin * cout * 4;
        backend.wasm.HEAPU8.copyWithin(to, from, from + cin * cout * 4);
        scratch.freeSince(mark);
      }
    }
    return out;
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  } finally {
    scratch.free();
  }
}

/** A Conv2DBackpropFilter config computing on XNNPACK, handing other cases to `fallback`. */
export function convFilterOverride(tf: Tf, parts: ConvFilterParts, fallback: KernelConfig): KernelConfig {
  return {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: (args) => filterGrad(tf, parts, fallback, args),
  };
}
