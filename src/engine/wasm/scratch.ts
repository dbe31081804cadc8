/**
 * The temporaries of one override call. Kernels run through {@link Scratch.run} are remembered and
 * freed together, so an override built from several stock kernels frees every intermediate on every
 * path, a thrown error included.
 */
import type { KernelConfig, TensorInfo, WasmBackend } from './types';

/** Runs kernels on one backend and frees their outputs on {@link Scratch.free}. */
export class Scratch {
  private readonly temps: TensorInfo[] = [];

  constructor(private readonly backend: WasmBackend) {}

  /** Runs `kernel` and keeps its output for freeing. */
  run(kernel: KernelConfig, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo {
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs }) as TensorInfo;
    this.temps.push(out);
    return out;
  }

  /** How many temporaries are held: a mark for {@link Scratch.freeSince}. */
  get mark(): number {
    return this.temps.length;
  }

  /** Frees the temporaries made since `mark` (a loop's per-iteration ones). */
  freeSince(mark: number): void {
    for (const t of this.temps.splice(mark)) this.backend.disposeData(t.dataId);
  }

  /** Frees every temporary. */
  free(): void {
    this.freeSince(0);
  }
}
