/**
 * The slice of tfjs-backend-wasm 4.22.0's internals that the overrides touch, typed once so every
 * override reads the same names. {@link checkWasmInternals} (internals.ts) verifies each field at
 * install time; nothing here is public tfjs API.
 */
import type * as tfTypes from '@tensorflow/tfjs';

/** The tfjs module the caller uses (one engine shared with the user's cells). */
export type Tf = typeof tfTypes;

/** A tensor as kernels see it: data id, shape and dtype, no engine bookkeeping. */
export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** One entry of the wasm backend's `dataIdMap`. */
export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: string;
  refCount: number;
  stringBytes?: Uint8Array[];
}

/** The Emscripten module behind the wasm backend. */
export interface WasmModule {
  HEAPU8: Uint8Array;
  cwrap: (...args: unknown[]) => unknown;
  _malloc: (n: number) => number;
  _free: (p: number) => void;
  tfjs: { registerTensor: unknown; disposeData: unknown };
}

/** `BackendWasm` from tfjs-backend-wasm 4.22.0, the members the overrides use. */
export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(id: object): WasmTensorData; has(id: object): boolean };
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: ArrayLike<number>): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): ArrayLike<number> | Uint8Array[];
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: object): void;
}

/** Arguments tfjs hands a kernel function. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

/** A kernel function as tfjs-core's registry holds it. */
export type KernelFn = (args: KernelArgs) => TensorInfo | TensorInfo[];

/** A kernel registry entry (`tf.getKernel` returns this shape). */
export interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: KernelFn;
  setupFunc?: (backend: unknown) => void;
  disposeFunc?: (backend: unknown) => void;
}

/** Marks the kernel functions Gradscope registered (and whether each is an override or a fallback). */
export const GRADSCOPE_KERNEL = Symbol('gradscope.wasmKernel');

/** The attributes the Conv2D gradient kernels share (tfjs-core's Conv2DBackpropFilter/InputAttrs). */
export interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | number[][];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
