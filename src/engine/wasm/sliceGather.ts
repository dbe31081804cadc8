/**
 * Slice and GatherV2 over the wasm backend's, copying only the selected elements within the
 * wasm heap.
 *
 * The stock 4.22.0 Slice first copies the WHOLE source tensor out of the heap into JavaScript
 * (`readSync`) on every call, so slicing a batch from an 8192-row dataset costs as much as copying the
 * dataset; it also checks no bounds and returns uninitialised memory past the end. The stock gather
 * loops element by element (and is wrong with batch dims, see below). Both overrides read the source through a view of the heap and move rows
 * with one memmove each (`HEAPU8.copyWithin`).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { offsetOf } from './simd';
import type { KernelArgs, KernelConfig, TensorInfo, Tf, WasmBackend } from './types';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

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
  const strides = [...tf.util.computeStrides(x.shape), 1]; // tfjs omits the innermost stride
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const flat = tf.slice_util.computeFlatOffset(begin, strides);
    heap.copyWithin(dst, src + flat * bytes, src + (flat + n) * bytes);
    return out;
  }
  // Strided: trailing axes taken whole merge into one contiguous row; copy rows, stepping an
  // odometer over the outer axes.
  let rank = x.shape.length;
  let row = size[rank - 1];
  while (rank > 1 && size[rank - 1] === x.shape[rank - 1] && begin[rank - 1] === 0) {
    rank--;
    row *= size[rank - 1];
  }
  const last = rank - 1;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o += row) {
    let flat = begin[last] * strides[last];
    for (let d = 0; d < last; d++) flat += (begin[d] + idx[d]) * strides[d];
    heap.copyWithin(dst + o * bytes, src + flat * bytes, src + (flat + row) * bytes);
    for (let d = last - 1; d >= 0; d--) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * StridedSlice: where all strides are 1 the stock kernel hands over to its own Slice, which copies
 * the whole source out of the heap; those go to the Slice above instead. Others stay stock (C++).
 */
function stridedSlice(tf: Tf, stock: KernelConfig, stockSlice: KernelConfig, args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const a = args.attrs as { begin: number[]; end: number[]; strides: number[]; beginMask: number; endMask: number;
    ellipsisMask: number; newAxisMask: number; shrinkAxisMask: number };
  if (BYTES[x.dtype] === undefined) return stock.kernelFunc(args) as TensorInfo;
  const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask,
    a.newAxisMask, a.shrinkAxisMask);
  if (info.isIdentity || !(info.sliceDim0 || info.isSimpleSlice)) return stock.kernelFunc(args) as TensorInfo;
  const size = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
  const out = slice(tf, stockSlice, { inputs: { x }, backend: args.backend, attrs: { begin: info.begin, size } });
  return { ...out, shape: info.finalShape };
}

/**
 * GatherV2 on any axis and batch dims: one memmove per gathered slice. The stock 4.22.0 kernel loops
 * element by element and, with batch dims and one-element slices, returns uninitialised memory for
 * every batch after the first. Strings and non-int32 indices go to the stock kernel.
 */
function gather(tf: Tf, stock: KernelConfig, args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const indices = args.inputs.indices as TensorInfo;
  const attrs = (args.attrs ?? {}) as { axis?: number; batchDims?: number };
  const bytes = BYTES[x.dtype];
  if (bytes === undefined || indices.dtype !== 'int32') return stock.kernelFunc(args) as TensorInfo;
  const backend = args.backend as WasmBackend;
  const axis = tf.util.parseAxisParam(attrs.axis ?? 0, x.shape)[0];
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(
    x as unknown as Tensor, indices as unknown as Tensor, axis, attrs.batchDims ?? 0);
  const ids = Int32Array.from(backend.typedArrayFromHeap(indices) as Int32Array);
  const dim = x.shape[axis];
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] <= dim - 1)) {
      throw new Error(`GatherV2: the index value ${ids[i]} is not in [0, ${dim - 1}]`);
    }
  }
  const out = backend.makeOutput(info.outputShape, x.dtype);
  const slice = info.sliceSize * bytes;
  if (slice === 0 || ids.length === 0 || info.outerSize === 0) return out;
  const perBatch = ids.length / info.batchSize;
  const heap = backend.wasm.HEAPU8;
  const src = offsetOf(backend, x);
  let dst = offsetOf(backend, out);
  for (let b = 0; b < info.batchSize; b++) {
    for (let o = 0; o < info.outerSize; o++) {
      const base = src + (b * info.outerSize + o) * info.dimSize * slice;
      for (let i = 0; i < perBatch; i++, dst += slice) {
        const from = base + ids[b * perBatch + i] * slice;
        heap.copyWithin(dst, from, from + slice);
      }
    }
  }
  return out;
}

/**
 * Identity sharing its input's buffer, as the stock Reshape and the cpu backend's Identity do. The
 * stock wasm Identity copies, and tfjs runs Identity for every tensor it saves for the backward pass
 * (about 30 per MLP training step, weight matrices included) and for every `tf.clone`. Nothing
 * writes into a tensor's buffer after it is made (our kernels write only their fresh outputs), so a
 * shared buffer is as good as a copy. Strings go to the stock kernel.
 */
function identity(stock: KernelConfig, args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  if (BYTES[x.dtype] === undefined) return stock.kernelFunc(args) as TensorInfo;
  (args.backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Kernel configs for Slice, StridedSlice, GatherV2 and Identity that copy within the wasm heap, or not at all. */
export function sliceGatherOverrides(tf: Tf, stockSlice: KernelConfig, stockGather: KernelConfig,
  stockStrided: KernelConfig, stockIdentity: KernelConfig): KernelConfig[] {
  return [
    { kernelName: 'Identity', backendName: 'wasm', setupFunc: stockIdentity.setupFunc, kernelFunc: (a) => identity(stockIdentity, a) },
    { kernelName: 'Slice', backendName: 'wasm', setupFunc: stockSlice.setupFunc, kernelFunc: (a) => slice(tf, stockSlice, a) },
    {
      kernelName: 'StridedSlice', backendName: 'wasm', setupFunc: stockStrided.setupFunc,
      kernelFunc: (a) => stridedSlice(tf, stockStrided, stockSlice, a),
    },
    { kernelName: 'GatherV2', backendName: 'wasm', setupFunc: stockGather.setupFunc, kernelFunc: (a) => gather(tf, stockGather, a) },
  ];
}
