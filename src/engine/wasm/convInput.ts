/**
 * Conv2DBackpropInput (the input gradient of a 2-D convolution) on wasm for stride 1, NHWC float32,
 * as a forward convolution on XNNPACK instead of the stock kernel's scalar loop (a large share of a
 * small CNN's step; test/bench/wasm.bench.ts compares them):
 *
 *   dx[n, i, j, ci] = Σ_{a,b,co} dyP[n, i + a, j + b, co] · W'[a, b, co, ci]
 *
 * with dyP = dy zero-padded by (fh − 1 − top) above and (H − OH + top) below (likewise for width)
 * and W'[a, b, co, ci] = W[fh − 1 − a, fw − 1 − b, ci, co]: the filter reversed in space with its
 * channel axes swapped. Strided and NCHW cases stay with the stock kernel. Every temporary is freed.
 */
import { Scratch } from './scratch';
import type { ConvGradAttrs, KernelArgs, KernelConfig, TensorInfo, Tf, WasmBackend } from './types';

/** The stock wasm kernels the fast path is built from. */
export interface ConvInputParts {
  conv2d: KernelConfig;
  pad: KernelConfig;
  reverse: KernelConfig;
  transpose: KernelConfig;
}

interface Attrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

function inputGrad(tf: Tf, parts: ConvInputParts, stock: KernelConfig, args: KernelArgs): TensorInfo {
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const attrs = args.attrs as unknown as Attrs;
  const [sh, sw] = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || sh !== 1 || sw !== 1 || dy.dtype !== 'float32' ||
    filter.dtype !== 'float32') {
    return stock.kernelFunc(args) as TensorInfo;
  }
  const backend = args.backend as WasmBackend;
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as [number, number, number, number],
    1, 1, attrs.pad as 'same', attrs.dimRoundingMode, false, 'channelsLast');
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw, padInfo } = info;
  const pads = [fh - 1 - padInfo.top, h - oh + padInfo.top, fw - 1 - padInfo.left, w - ow + padInfo.left];
  if (pads.some((p) => p < 0) || info.batchSize * h * w * info.inChannels === 0) return stock.kernelFunc(args) as TensorInfo;
  const scratch = new Scratch(backend);
  const run = scratch.run.bind(scratch);
  try {
    const padded = pads.every((p) => p === 0) ? dy : run(parts.pad, { x: dy }, {
      paddings: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]], constantValue: 0,
    });
    const reversed = run(parts.reverse, { x: filter }, { dims: [0, 1] });
    const flipped = run(parts.transpose, { x: reversed }, { perm: [0, 1, 3, 2] });
    const dx = parts.conv2d.kernelFunc({
      inputs: { x: padded, filter: flipped }, backend,
      attrs: { strides: 1, pad: 'valid', dilations: 1, dataFormat: 'NHWC' },
    }) as TensorInfo;
    return { ...dx, shape: attrs.inputShape };
  } finally {
    scratch.free();
  }
}

/** A Conv2DBackpropInput config computing stride-1 cases on XNNPACK, handing others to `stock`. */
export function convInputOverride(tf: Tf, parts: ConvInputParts, stock: KernelConfig): KernelConfig {
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: (args) => inputGrad(tf, parts, stock, args),
  };
}
