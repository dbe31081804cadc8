/**
 * BatchMatMul and _FusedMatMul over the wasm backend's, for transposed operands.
 *
 * tfjs-backend-wasm 4.22.0 runs a matmul on XNNPACK only when neither operand is transposed; any
 * transpose falls to a blocked scalar loop, many times slower (test/bench/wasm.bench.ts), whose
 * _FusedMatMul gets bias and activations wrong. Both overrides transpose the flagged operand with
 * the backend's own Transpose kernel and call the stock kernel with the flags off, so every matmul
 * takes the XNNPACK path (fast, and correct with bias and activation). The transposed copy is freed
 * before returning.
 */
import type { KernelArgs, KernelConfig, TensorInfo, WasmBackend } from './types';

/** The stock wasm kernels the overrides delegate to. */
export interface StockMatMulKernels {
  batchMatMul: KernelConfig;
  fusedMatMul: KernelConfig;
  transpose: KernelConfig;
  /** The cpu backend's BatchMatMul, for int32 operands (stock wasm throws on them). */
  intBatchMatMul?: KernelConfig['kernelFunc'];
}

/** Transposes the last two axes of `x` with the stock Transpose kernel (a new tensor the caller frees). */
function transposeLastTwo(stockTranspose: KernelConfig, x: TensorInfo, backend: WasmBackend): TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return stockTranspose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/**
 * Whether to compute C = op(A)·Bᵀ as (B·op(A)ᵀ)ᵀ instead: fewer elements moved when B is the larger
 * operand. The fast path packs its right operand on every call, so the costs counted are
 * transposes plus packing, per batch: direct 2nk (+km with Aᵀ), swapped 2mk + mn (mn with Aᵀ).
 */
function swapIsCheaper(transposeA: boolean, a: TensorInfo, b: TensorInfo): boolean {
  const r = a.shape.length;
  const m = transposeA ? a.shape[r - 1] : a.shape[r - 2];
  const k = transposeA ? a.shape[r - 2] : a.shape[r - 1];
  const n = b.shape[b.shape.length - 2];
  return transposeA ? n * m < 2 * n * k : 2 * m * k + m * n < 2 * n * k;
}

/**
 * Runs `kernel` with operands made untransposed; `inputs` and `attrs` are the call's own.
 * Operands that are not float32 or have rank below 2 go to the stock kernel unchanged (it raises
 * its own error message for them). Without bias or activation (plain BatchMatMul), A·Bᵀ and Aᵀ·Bᵀ
 * may be computed as the transpose of B·Aᵀ or B·A when that moves fewer elements.
 */
function untransposed(stock: StockMatMulKernels, kernel: KernelConfig, args: KernelArgs): TensorInfo {
  const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  const { a, b } = args.inputs;
  const backend = args.backend as WasmBackend;
  const eligible = a != null && b != null && a.dtype === 'float32' && b.dtype === 'float32' &&
    a.shape.length >= 2 && b.shape.length >= 2;
  if (!eligible || (!attrs.transposeA && !attrs.transposeB)) {
    return kernel.kernelFunc(args) as TensorInfo;
  }
  const ta = !!attrs.transposeA;
  const temps: TensorInfo[] = [];
  const flagsOff = { ...attrs, transposeA: false, transposeB: false };
  try {
    if (kernel === stock.batchMatMul && attrs.transposeB && swapIsCheaper(ta, a, b)) {
      // (op(A)·Bᵀ)ᵀ = B·op(A)ᵀ: B is used as stored, op(A)ᵀ is A itself when A was transposed.
      const aT = ta ? a : transposeLastTwo(stock.transpose, a, backend);
      if (aT !== a) temps.push(aT);
      const ct = kernel.kernelFunc({ inputs: { a: b, b: aT }, backend, attrs: flagsOff }) as TensorInfo;
      temps.push(ct);
      return transposeLastTwo(stock.transpose, ct, backend);
    }
    const a2 = ta ? transposeLastTwo(stock.transpose, a, backend) : a;
    if (a2 !== a) temps.push(a2);
    const b2 = attrs.transposeB ? transposeLastTwo(stock.transpose, b, backend) : b;
    if (b2 !== b) temps.push(b2);
    return kernel.kernelFunc({ inputs: { ...args.inputs, a: a2, b: b2 }, backend, attrs: flagsOff }) as TensorInfo;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** Kernel configs for BatchMatMul and _FusedMatMul that route transposed operands to XNNPACK. */
export function matMulOverrides(stock: StockMatMulKernels): KernelConfig[] {
  return [
    {
      kernelName: 'BatchMatMul',
      backendName: 'wasm',
      setupFunc: stock.batchMatMul.setupFunc,
      kernelFunc: (args) => {
        const { a, b } = args.inputs;
        if (stock.intBatchMatMul && a?.dtype === 'int32' && b?.dtype === 'int32') {
          return stock.intBatchMatMul(args) as TensorInfo;
        }
        return untransposed(stock, stock.batchMatMul, args);
      },
    },
    {
      kernelName: '_FusedMatMul',
      backendName: 'wasm',
      setupFunc: stock.fusedMatMul.setupFunc,
      kernelFunc: (args) => untransposed(stock, stock.fusedMatMul, args),
    },
  ];
}
