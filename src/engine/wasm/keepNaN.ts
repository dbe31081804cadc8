/**
 * ClipByValue, Relu6 and the fused ReLU/ReLU6 activations over the wasm backend's, keeping NaN.
 *
 * The stock 4.22.0 kernels clamp with XNNPACK's min/max, which return the non-NaN operand: clipping
 * NaN gives the lower bound, ReLU6 and a fused ReLU give 0. The cross-entropy losses clip their
 * predictions to [ε, 1 − ε], so a model whose weights went NaN reports a finite loss of −ln ε ≈
 * 16.118 on wasm instead of NaN: training that diverged looks like a plateau, and nothing that
 * watches for NaN loss ever fires. These overrides compute what the cpu backend computes
 * (`x > hi ? hi : x < lo ? lo : x`, so NaN stays NaN) with one SIMD pass (simd.wat `clamp`): ClipByValue
 * and Relu6 directly, the fused kernels by running the stock kernel with a linear activation and
 * clamping its fresh output in place.
 */
import { offsetOf, type SimdKernels } from './simd';
import type { KernelArgs, KernelConfig, TensorInfo, WasmBackend } from './types';

/** The bounds of each clamping activation. */
const CLAMPS: Record<string, [number, number]> = { relu: [0, Infinity], relu6: [0, 6] };

function clampInto(simd: SimdKernels, backend: WasmBackend, x: TensorInfo, out: TensorInfo, lo: number, hi: number): TensorInfo {
  const size = x.shape.reduce((a, b) => a * b, 1);
  if (size > 0) simd.clamp(offsetOf(backend, x), offsetOf(backend, out), size, lo, hi);
  return out;
}

function clamped(simd: SimdKernels, stock: KernelConfig, args: KernelArgs, bounds: (a: Record<string, unknown>) => [number, number]): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype !== 'float32') return stock.kernelFunc(args) as TensorInfo;
  const backend = args.backend as WasmBackend;
  const [lo, hi] = bounds(args.attrs ?? {});
  return clampInto(simd, backend, x, backend.makeOutput(x.shape, 'float32'), lo, hi);
}

/** `inner` (a fused matmul or convolution) with relu/relu6 run linear and clamped afterwards. */
function fusedKeepingNaN(simd: SimdKernels, inner: KernelConfig): KernelConfig {
  return {
    ...inner,
    kernelFunc: (args) => {
      const attrs = (args.attrs ?? {}) as { activation?: string };
      const bounds = attrs.activation ? CLAMPS[attrs.activation] : undefined;
      if (!bounds) return inner.kernelFunc(args);
      const out = inner.kernelFunc({ ...args, attrs: { ...attrs, activation: 'linear' } }) as TensorInfo;
      if (out.dtype !== 'float32') return out;
      return clampInto(simd, args.backend as WasmBackend, out, out, bounds[0], bounds[1]);
    },
  };
}

/** The kernels (stock or already overridden) these wrap or replace. */
export interface ClampingKernels {
  clipByValue: KernelConfig;
  relu6: KernelConfig;
  fusedMatMul: KernelConfig;
  fusedConv2D: KernelConfig;
  fusedDepthwiseConv2D: KernelConfig;
}

/** Configs for ClipByValue, Relu6, _FusedMatMul, FusedConv2D and FusedDepthwiseConv2D that keep NaN. */
export function keepNaNOverrides(simd: SimdKernels, k: ClampingKernels): KernelConfig[] {
  return [
    {
      kernelName: 'ClipByValue',
      backendName: 'wasm',
      setupFunc: k.clipByValue.setupFunc,
      kernelFunc: (args) => clamped(simd, k.clipByValue, args, (a) => [a.clipValueMin as number, a.clipValueMax as number]),
    },
    { kernelName: 'Relu6', backendName: 'wasm', setupFunc: k.relu6.setupFunc, kernelFunc: (args) => clamped(simd, k.relu6, args, () => [0, 6]) },
    fusedKeepingNaN(simd, k.fusedMatMul),
    fusedKeepingNaN(simd, k.fusedConv2D),
    fusedKeepingNaN(simd, k.fusedDepthwiseConv2D),
  ];
}
