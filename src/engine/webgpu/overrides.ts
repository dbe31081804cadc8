/**
 * Corrected kernels over tfjs-backend-webgpu 4.22.0's, the same corrections the wasm overrides make:
 *
 * - Relu, Relu6 and the fused ReLU/ReLU6 activations of _FusedMatMul, FusedConv2D and
 *   FusedDepthwiseConv2D keep NaN. The stock shaders use WGSL `max`/`clamp`, which return 0 for NaN
 *   on common drivers, so a model whose weights went NaN reports a finite loss and training that
 *   diverged looks like a plateau. The cpu backend keeps NaN; these compute what it computes.
 * - MaxPoolGrad sends each window's gradient to the window's first strictly greatest input, as the
 *   cpu backend and TensorFlow do; the stock shader breaks ties towards the last one.
 * - ResizeNearestNeighborGrad honours `halfPixelCenters` (the stock shader ignores it, so with it
 *   on the gradient goes to pixels the forward pass never read).
 *
 * - AddN sums more inputs than one shader may bind (`maxStorageBuffersPerShaderStage` − 1, often 7)
 *   in groups; the stock kernel binds them all at once, the dispatch fails validation and the sum
 *   reads back as garbage (gradients of a weight used by many ops, e.g. an unrolled RNN, are AddNs).
 *
 * ClipByValue needs no override: the stock shader already tests `isnan` first.
 */
import { clampKeepingNaN, maxPoolGrad, resizeNearestGrad, type DispatchUtil } from './programs';
import type { KernelArgs, KernelConfig, TensorInfo, Tf, WebGpuBackend } from './types';

/** The bounds of each clamping activation. */
const CLAMPS: Record<string, [number, number]> = { relu: [0, Infinity], relu6: [0, 6] };

/** The kernel names {@link installWebGpuOverrides} replaces. */
export const WEBGPU_OVERRIDDEN_KERNELS: readonly string[] = ['Relu', 'Relu6', '_FusedMatMul', 'FusedConv2D', 'FusedDepthwiseConv2D', 'MaxPoolGrad', 'ResizeNearestNeighborGrad', 'AddN'];

function clampOn(util: DispatchUtil, backend: WebGpuBackend, x: TensorInfo, lo: number, hi: number): TensorInfo {
  return backend.runWebGPUProgram(clampKeepingNaN(util, x.shape), [x], 'float32', [{ type: 'float32', data: [lo] }, { type: 'float32', data: [hi] }]);
}

function clamping(util: DispatchUtil, stock: KernelConfig, lo: number, hi: number): KernelConfig {
  return {
    ...stock,
    kernelFunc: (args: KernelArgs) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype !== 'float32') return stock.kernelFunc(args);
      return clampOn(util, args.backend as WebGpuBackend, x, lo, hi);
    },
  };
}

/** `inner` with relu/relu6 run linear and clamped afterwards. */
function fusedKeepingNaN(util: DispatchUtil, inner: KernelConfig): KernelConfig {
  return {
    ...inner,
    kernelFunc: (args: KernelArgs) => {
      const attrs = (args.attrs ?? {}) as { activation?: string };
      const bounds = attrs.activation ? CLAMPS[attrs.activation] : undefined;
      if (!bounds) return inner.kernelFunc(args);
      const linear = inner.kernelFunc({ ...args, attrs: { ...attrs, activation: 'linear' } }) as TensorInfo;
      if (linear.dtype !== 'float32') return linear;
      const backend = args.backend as WebGpuBackend;
      const out = clampOn(util, backend, linear, bounds[0], bounds[1]);
      backend.disposeData(linear.dataId);
      return out;
    },
  };
}

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function maxPoolGradConfig(tf: Tf, util: DispatchUtil, stock: KernelConfig): KernelConfig {
  return {
    ...stock,
    kernelFunc: (args: KernelArgs) => {
      const { dy, input: x } = args.inputs as { dy: TensorInfo; input: TensorInfo };
      if (x.dtype !== 'float32' || x.shape.length !== 4) return stock.kernelFunc(args);
      const a = args.attrs as unknown as PoolAttrs;
      const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
      const uniforms = [
        [info.strideHeight, info.strideWidth], [info.padInfo.top, info.padInfo.left], [info.filterHeight, info.filterWidth],
        [info.inHeight, info.inWidth], [info.outHeight, info.outWidth],
      ].map((data) => ({ type: 'int32', data }));
      return (args.backend as WebGpuBackend).runWebGPUProgram(maxPoolGrad(util, x.shape), [dy, x], 'float32', uniforms);
    },
  };
}

function resizeNearestGradConfig(util: DispatchUtil, stock: KernelConfig): KernelConfig {
  return {
    ...stock,
    kernelFunc: (args: KernelArgs) => {
      const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
      if (images.shape.length !== 4 || dy.dtype !== 'float32') return stock.kernelFunc(args);
      const { alignCorners, halfPixelCenters } = args.attrs as { alignCorners: boolean; halfPixelCenters?: boolean };
      const [, inH, inW] = images.shape;
      const [, outH, outW] = dy.shape;
      const uniforms = [
        { type: 'float32', data: [alignCorners && outH > 1 ? 1 : 0] }, { type: 'float32', data: [alignCorners && outW > 1 ? 1 : 0] },
        { type: 'float32', data: [alignCorners ? 0.5 : 0] },
        ...[inH, inW, outH, outW].map((n) => ({ type: 'int32', data: [n] })),
      ];
      return (args.backend as WebGpuBackend).runWebGPUProgram(resizeNearestGrad(util, images.shape, halfPixelCenters === true), [dy], 'float32', uniforms);
    },
  };
}

function addNInGroups(stock: KernelConfig): KernelConfig {
  return {
    ...stock,
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as WebGpuBackend;
      const inputs = args.inputs as unknown as TensorInfo[];
      const group = Math.max(2, (backend.device.limits.maxStorageBuffersPerShaderStage ?? 8) - 1);
      if (inputs.length <= group) return stock.kernelFunc(args);
      const sum = (part: TensorInfo[]) => stock.kernelFunc({ ...args, inputs: part as never }) as TensorInfo;
      // Partial sums this call made (never the caller's inputs), disposed once summed again.
      const mine = new Set<object>();
      let level = inputs;
      while (level.length > group) {
        const next: TensorInfo[] = [];
        for (let i = 0; i < level.length; i += group) {
          const part = level.slice(i, i + group);
          if (part.length === 1) {
            next.push(part[0]);
            continue;
          }
          const s = sum(part);
          for (const t of part) if (mine.delete(t.dataId)) backend.disposeData(t.dataId);
          mine.add(s.dataId);
          next.push(s);
        }
        level = next;
      }
      if (level.length === 1) return level[0];
      const out = sum(level);
      for (const t of level) if (mine.has(t.dataId)) backend.disposeData(t.dataId);
      return out;
    },
  };
}

function replace(tf: Tf, config: KernelConfig): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config as unknown as Parameters<Tf['registerKernel']>[0]);
}

/**
 * Registers the corrected kernels on `webgpu`, once (a second call finds them in place). Returns the
 * kernel names replaced; a stock kernel that is missing is left alone.
 */
export function installWebGpuOverrides(tf: Tf, util: DispatchUtil): string[] {
  const done: string[] = [];
  const stock = (name: string) => tf.getKernel(name, 'webgpu') as unknown as (KernelConfig & { gradscope?: true }) | undefined;
  const put = (name: string, make: (k: KernelConfig) => KernelConfig) => {
    const k = stock(name);
    if (!k) return;
    if (!k.gradscope) replace(tf, Object.assign(make(k), { gradscope: true as const }));
    done.push(name);
  };
  put('Relu', (k) => clamping(util, k, 0, Infinity));
  put('Relu6', (k) => clamping(util, k, 0, 6));
  for (const name of ['_FusedMatMul', 'FusedConv2D', 'FusedDepthwiseConv2D']) put(name, (k) => fusedKeepingNaN(util, k));
  put('MaxPoolGrad', (k) => maxPoolGradConfig(tf, util, k));
  put('ResizeNearestNeighborGrad', (k) => resizeNearestGradConfig(util, k));
  put('AddN', (k) => addNInGroups(k));
  return done;
}
