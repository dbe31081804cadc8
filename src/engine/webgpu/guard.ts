/**
 * No silent wrong numbers on WebGPU. A buffer larger than the device allows is not refused by
 * tfjs-backend-webgpu: the dispatch fails validation, Dawn raises only an `uncapturederror` event
 * and the tensor reads back as zeros or stale values. So:
 *
 * - every tensor's byte size is checked against `maxStorageBufferBindingSize` and `maxBufferSize`
 *   before its buffer is made; a tensor over the limit throws, naming the operation, the shape, the
 *   bytes and the limit; a shader that would bind more buffers than `maxStorageBuffersPerShaderStage`
 *   throws before dispatch, naming the operation;
 * - validation errors, out-of-memory errors and device loss are recorded as they arrive and
 *   reported through `onError`; the next read (`data()`, `dataSync()`, …) throws them, since the
 *   values computed since are not trustworthy. After device loss every read throws.
 */
import type { GpuDevice, Tf, WebGpuBackend } from './types';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 4, complex64: 8 };

/** Bytes as people read them: `1.5 GiB (1610612736 bytes)`. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 2 : 1).replace(/\.?0+$/, '')} ${units[u]} (${n} bytes)`;
}

/** Watches one backend's device; see the file comment. */
export class GpuGuard {
  private pending: string[] = [];
  private lostReason: string | undefined;
  /** The tfjs kernel running now (the outermost one), for messages. */
  private currentProgram: string | undefined;

  constructor(private readonly tf: Tf, private readonly backend: WebGpuBackend, private readonly onError: (e: Error) => void = () => undefined) {}

  /** Wraps the backend's buffer creation and reads, and listens to the device. */
  install(): void {
    const b = this.backend;
    const device: GpuDevice = b.device;
    device.addEventListener('uncapturederror', (e) => {
      const text = `${e.error?.constructor?.name ?? 'GPUError'}: ${String(e.error?.message ?? e).split('\n')[0]}`;
      this.pending.push(text);
      this.onError(new Error(`WebGPU reported an error${this.currentProgram ? ` in ${this.currentProgram}` : ''}: ${text}. Values computed on the GPU since are not trustworthy; the next read of a tensor throws this error.`));
    });
    void device.lost.then((info) => {
      // 'destroyed' is the backend being disposed on purpose (tf.removeBackend), not a failure.
      if (b.device !== device || info.reason === 'destroyed') return;
      this.lostReason = `${info.reason}${info.message ? `: ${info.message}` : ''}`;
      this.onError(new Error(`the GPU device was lost (${this.lostReason}); restart the kernel`));
    });
    // The operation running, for messages: tfjs's kernel name (e.g. `MatMul`), outermost first.
    const engine = this.tf.engine() as unknown as { runKernelFunc(p: { kernelName?: string }): unknown };
    const runKernelFunc = engine.runKernelFunc.bind(engine);
    engine.runKernelFunc = (params) => {
      const before = this.currentProgram;
      this.currentProgram ??= params.kernelName;
      try {
        return runKernelFunc(params);
      } finally {
        this.currentProgram = before;
      }
    };
    const run = b.runWebGPUProgram.bind(b);
    b.runWebGPUProgram = (program, ...rest) => {
      const bindings = program.variableNames.length + 1;
      const max = b.device.limits.maxStorageBuffersPerShaderStage;
      if (max !== undefined && bindings > max) {
        throw new Error(`${this.currentProgram ?? program.shaderKey} needs ${bindings} storage buffers in one shader, more than this adapter's maxStorageBuffersPerShaderStage of ${max}; use fewer inputs per op or another backend (gradscope.backend).`);
      }
      return run(program, ...rest);
    };
    const upload = b.uploadToGPU.bind(b);
    b.uploadToGPU = (dataId: object) => {
      const data = b.tensorMap.get(dataId);
      if (data && data.resource == null) this.checkSize(data.shape, data.dtype);
      upload(dataId);
    };
    const readSync = b.readSync.bind(b);
    b.readSync = (dataId: object) => {
      this.throwPending();
      const v = readSync(dataId);
      this.throwPending();
      return v;
    };
    const read = b.read.bind(b);
    b.read = async (dataId: object) => {
      this.throwPending();
      const v = await read(dataId);
      this.throwPending();
      return v;
    };
  }

  /** Throws when a tensor of `shape` and `dtype` cannot have a buffer on this device. */
  checkSize(shape: number[], dtype: string): void {
    const bytes = (BYTES[dtype] ?? 4) * shape.reduce((a, n) => a * n, 1);
    const limits = this.backend.device.limits;
    const [name, limit] = limits.maxStorageBufferBindingSize <= limits.maxBufferSize
      ? ['maxStorageBufferBindingSize', limits.maxStorageBufferBindingSize]
      : ['maxBufferSize', limits.maxBufferSize];
    if (bytes <= limit) return;
    const op = this.currentProgram ? ` (in ${this.currentProgram})` : '';
    throw new Error(
      `a ${dtype} tensor of shape [${shape.join(', ')}]${op} needs ${formatBytes(bytes)} on the GPU, more than this adapter's ` +
      `${name} of ${formatBytes(limit)}. Split it (smaller batches, fewer units) or use another backend (gradscope.backend).`,
    );
  }

  private throwPending(): void {
    if (this.lostReason) throw new Error(`the GPU device was lost (${this.lostReason}); restart the kernel`);
    if (this.pending.length === 0) return;
    const errors = this.pending.splice(0);
    throw new Error(`WebGPU reported ${errors.length === 1 ? 'an error' : `${errors.length} errors`} since the last read, so the values computed since are not trustworthy: ${errors.join('; ')}`);
  }
}
