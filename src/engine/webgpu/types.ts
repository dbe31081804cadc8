/**
 * The slice of WebGPU (as Dawn's Node bindings expose it) and of tfjs-backend-webgpu 4.22.0's
 * internals that this folder touches, typed once. Nothing here is public tfjs API; {@link
 * checkWebGpuInternals} (backend.ts) verifies the backend members at start.
 */
import type * as tfTypes from '@tensorflow/tfjs';

/** The tfjs module the kernel uses (one engine shared with the user's cells). */
export type Tf = typeof tfTypes;

/** A tensor as kernels see it. */
export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** `GPUAdapterInfo`, the fields read here. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

/** `GPUSupportedLimits`, the fields read here. */
export interface DeviceLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  [name: string]: number;
}

/** `GPUBuffer`. */
export interface GpuBuffer {
  size: number;
  usage: number;
  mapState: 'unmapped' | 'pending' | 'mapped';
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

/** `GPUDevice`. */
export interface GpuDevice {
  limits: DeviceLimits;
  features: Set<string>;
  lost: Promise<{ reason: string; message: string }>;
  addEventListener(type: 'uncapturederror', listener: (e: { error: { message: string; constructor: { name: string } } }) => void): void;
  destroy(): void;
}

/** `GPUAdapter`. */
export interface GpuAdapter {
  info: AdapterInfo;
  isFallbackAdapter?: boolean;
  limits: DeviceLimits;
  features: Set<string>;
  requestDevice(descriptor?: unknown): Promise<GpuDevice>;
}

/** `GPU` (navigator.gpu). */
export interface Gpu {
  requestAdapter(options?: { powerPreference?: string; featureLevel?: string }): Promise<GpuAdapter | null>;
}

/** What tfjs-backend-webgpu keeps per tensor (DataStorage entry). */
export interface WebGpuTensorData {
  values?: unknown;
  dtype: string;
  shape: number[];
  refCount: number;
  resource?: GpuBuffer | null;
  complexTensorInfos?: { real: TensorInfo; imag: TensorInfo };
}

/** A program for {@link WebGpuBackend.runWebGPUProgram} (tfjs-backend-webgpu's WebGPUProgram). */
export interface WebGpuProgram {
  outputShape: number[];
  shaderKey: string;
  variableNames: string[];
  uniforms?: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size?: boolean;
  getUserCode(): string;
}

/** `WebGPUBackend` of tfjs-backend-webgpu 4.22.0, the members used here. */
export interface WebGpuBackend {
  device: GpuDevice;
  tensorMap: { get(dataId: object): WebGpuTensorData; has(dataId: object): boolean };
  bufferManager: {
    acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GpuBuffer;
    releaseBuffer(buffer: GpuBuffer, reuse?: boolean): void;
  };
  commandEncoder: { copyBufferToBuffer(src: GpuBuffer, so: number, dst: GpuBuffer, dO: number, size: number): void } | null;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
  uploadToGPU(dataId: object): void;
  convertAndCacheOnCPU(dataId: object, data: unknown): unknown;
  runWebGPUProgram(program: WebGpuProgram, inputs: TensorInfo[], outputDtype: string, uniforms?: { type: string; data: number[] }[], output?: TensorInfo): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Arguments tfjs hands a kernel function. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

/** A kernel registry entry (`tf.getKernel` returns this shape). */
export interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: (args: KernelArgs) => TensorInfo | TensorInfo[];
  setupFunc?: (backend: unknown) => void;
  disposeFunc?: (backend: unknown) => void;
}
