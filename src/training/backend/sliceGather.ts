/**
 * Slice and axis-0 GatherV2 over the wasm backend's, copying only the selected elements within the
 * wasm heap.
 *
 * The stock 4.22.0 Slice first copies the WHOLE source tensor out of the heap into JavaScript
 * (`readSync`) on every call, so slicing a batch from an 8192-row dataset costs as much as copying the
 * dataset; it also checks no bounds and returns uninitialised memory past the end. The stock gather
 * loops element by element. Both overrides read the source through a view of the heap and move rows
 * with one memmove each (`HEAPU8.copyWithin`).
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { KernelArgs, KernelConfig, TensorInfo, Tf, WasmBackend } from './types';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

function offsetOf(backend: WasmBackend, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** Slice with bounds checks that copies only the slice (strings go to the stock kernel). */
function slice(tf: Tf, stock: KernelConfig, args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const bytes = BYTES[x.dtype];
  if (bytes === undefined) return stock.kernelFunc(args) as TensorInfo;
  const backend = args.backend as WasmBackend;
  const attrs = args.attrs as { begin: number | number[]; size?: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as Tensor, attrs.begin, attrs.size);
  // Same check and message as the cpu backend's Slice; the stock wasm kernel has none.
  tf.slice_util.assertParamsValid(x as unknown as Tensor, begin, size);
  for (let i = 0; i < begin.length; i++) {
    if (!(begin[i] >= 0) || !(size[i] >= 0)) {
      throw new Error(`Error in slice${x.shape.length}D: begin ${begin} and size ${size} must be non-negative ` +
        `for input of shape [${x.shape}]`);
    }
  }
  const out = backend.makeOutput(size, x.dtype);
  const n = tf.util.sizeFromShape(size);
  if (n === 0) return out;
  // Read offsets and the heap only after makeOutput: its malloc may grow (and replace) the heap.
  const heap = backend.wasm.HEAPU8;
  const src = offsetOf(backend, x);
  const dst = offsetOf(backend, out);
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const flat = tf.slice_util.computeFlatOffset(begin, strides);
    heap.copyWithin(dst, src + flat * bytes, src + (flat + n) * bytes);
    return out;
  }
  // Strided: copy innermost rows, stepping an odometer over the outer axes.
  const rank = x.shape.length;
  const row = size[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o += row) {
    let flat = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) flat += (begin[d] + idx[d]) * strides[d];
    heap.copyWithin(dst + o * bytes, src + flat * bytes, src + (flat + row) * bytes);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** GatherV2 along axis 0 without batch dims: one memmove per index. Other cases go to the stock kernel. */
function gather(tf: Tf, stock: KernelConfig, args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const indices = args.inputs.indices as TensorInfo;
  const attrs = (args.attrs ?? {}) as { axis?: number; batchDims?: number };
  const bytes = BYTES[x.dtype];
  const axis = tf.util.parseAxisParam(attrs.axis ?? 0, x.shape)[0];
  if (bytes === undefined || axis !== 0 || (attrs.batchDims ?? 0) !== 0 || indices.dtype !== 'int32') {
    return stock.kernelFunc(args) as TensorInfo;
  }
  const backend = args.backend as WasmBackend;
  const rows = x.shape[0];
  const ids = Int32Array.from(backend.typedArrayFromHeap(indices) as Int32Array);
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] <= rows - 1)) {
      throw new Error(`GatherV2: the index value ${ids[i]} is not in [0, ${rows - 1}]`);
    }
  }
  const rowSize = tf.util.sizeFromShape(x.shape.slice(1)) * bytes;
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  if (rowSize === 0 || ids.length === 0) return out;
  const heap = backend.wasm.HEAPU8;
  const src = offsetOf(backend, x);
  const dst = offsetOf(backend, out);
  for (let i = 0; i < ids.length; i++) {
    const from = src + ids[i] * rowSize;
    heap.copyWithin(dst + i * rowSize, from, from + rowSize);
  }
  return out;
}

/** Kernel configs for Slice and GatherV2 that copy within the wasm heap. */
export function sliceGatherOverrides(tf: Tf, stockSlice: KernelConfig, stockGather: KernelConfig): KernelConfig[] {
  return [
    { kernelName: 'Slice', backendName: 'wasm', setupFunc: stockSlice.setupFunc, kernelFunc: (a) => slice(tf, stockSlice, a) },
    { kernelName: 'GatherV2', backendName: 'wasm', setupFunc: stockGather.setupFunc, kernelFunc: (a) => gather(tf, stockGather, a) },
  ];
}
