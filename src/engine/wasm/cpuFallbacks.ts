/**
 * Kernels the wasm backend lacks, computed on the cpu backend.
 *
 * tfjs-backend-wasm 4.22.0 has no `Conv2DBackpropFilter`, no depthwise-conv gradients, no
 * `UnsortedSegmentSum` (the gradient of an embedding lookup) and no `Einsum`, so training a CNN or an
 * embedding model, or calling `tf.einsum`, on wasm fails with "kernel not registered". Each fallback copies its inputs out of the wasm
 * heap into the cpu backend, runs the cpu kernel there, and writes the result back as a wasm tensor;
 * the cpu-side copies are freed before returning. Slower than a native kernel, but exactly the cpu
 * backend's numbers.
 */
import type { KernelArgs, KernelConfig, TensorInfo, Tf, WasmBackend } from './types';

/**
 * Kernels found missing on wasm when training small CNN, depthwise-CNN and embedding models, and the
 * one float op of the cpu backend's that wasm lacks (the others missing are complex-number and
 * ragged/string ops).
 */
export const CPU_FALLBACK_KERNELS: readonly string[] = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'Einsum',
];

interface CpuBackend {
  write(values: ArrayLike<number>, shape: number[], dtype: string): object;
  readSync(dataId: object): ArrayLike<number>;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Runs `cpuKernel` on copies of the wasm inputs; returns wasm tensors. */
function runOnCpu(cpuKernel: KernelConfig, cpu: CpuBackend, args: KernelArgs): TensorInfo | TensorInfo[] {
  const wasm = args.backend as WasmBackend;
  const cpuIds: object[] = [];
  try {
    // Einsum's inputs are a list (tf.einsum's tensors); the others are named.
    const inputs: Record<string, TensorInfo> = Array.isArray(args.inputs) ? ([] as unknown as Record<string, TensorInfo>) : {};
    for (const [name, t] of Object.entries(args.inputs)) {
      if (t == null) continue;
      const dataId = cpu.write(wasm.readSync(t.dataId) as ArrayLike<number>, t.shape, t.dtype);
      cpuIds.push(dataId);
      inputs[name] = { dataId, shape: t.shape, dtype: t.dtype };
    }
    const result = cpuKernel.kernelFunc({ inputs, backend: cpu, attrs: args.attrs });
    const outs = Array.isArray(result) ? result : [result];
    const back = outs.map((o) => {
      cpuIds.push(o.dataId);
      return wasm.makeOutput(o.shape, o.dtype, undefined, cpu.readSync(o.dataId));
    });
    return Array.isArray(result) ? back : back[0];
  } finally {
    for (const id of cpuIds) cpu.disposeData(id, true);
  }
}

/** `name`'s cpu kernel run on copies of wasm inputs, or undefined without a cpu backend or kernel. */
export function onCpu(tf: Tf, name: string): KernelConfig['kernelFunc'] | undefined {
  const cpu = tf.engine().findBackend('cpu') as unknown as CpuBackend | null;
  const cpuKernel = tf.getKernel(name, 'cpu') as unknown as KernelConfig | undefined;
  if (cpu == null || cpuKernel == null) return undefined;
  return (args) => runOnCpu(cpuKernel, cpu, args);
}

/**
 * Kernel configs for every name in {@link CPU_FALLBACK_KERNELS} that wasm lacks and cpu has.
 * Returns none when the cpu backend cannot be found (then nothing changes).
 */
export function cpuFallbacks(tf: Tf): KernelConfig[] {
  const cpu = tf.engine().findBackend('cpu') as unknown as CpuBackend | null;
  if (cpu == null) return [];
  const out: KernelConfig[] = [];
  for (const name of CPU_FALLBACK_KERNELS) {
    if (tf.getKernel(name, 'wasm') != null) continue;
    const cpuKernel = tf.getKernel(name, 'cpu') as unknown as KernelConfig | undefined;
    if (cpuKernel == null) continue;
    out.push({ kernelName: name, backendName: 'wasm', kernelFunc: (args) => runOnCpu(cpuKernel, cpu, args) });
  }
  return out;
}
