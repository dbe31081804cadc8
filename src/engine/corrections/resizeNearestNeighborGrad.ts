/**
 * ResizeNearestNeighborGrad over the cpu backend's. The stock 4.22.0 kernel reads dy at the *image*
 * batch offset (`b × inHeight × inWidth × depth`) instead of dy's own, so for a batch of more than
 * one image every image after the first gets the gradient of the wrong pixels (or of none). It also
 * ignores `halfPixelCenters`.
 *
 * This one scatters each dy element onto the input pixel that the forward kernel read for it, with
 * the forward kernel's own index formula, so it is the gradient of what the forward pass computed.
 *
 * @example
 * installCpuCorrections(tf); // once; a second call finds it in place
 * tf.grad((x) => tf.image.resizeNearestNeighbor(x, [4, 4]).sum())(tf.ones([2, 2, 2, 1]));
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;

interface CpuBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): { dataId: object; shape: number[]; dtype: string };
}

interface Args {
  inputs: { images: { shape: number[] }; dy: { dataId: object; shape: number[] } };
  backend: CpuBackend;
  attrs: { alignCorners: boolean; halfPixelCenters?: boolean };
}

/** The source index the forward kernel reads for output index `o` along one axis. */
function sourceIndex(o: number, inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): number {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effIn / effOut;
  const frac = halfPixel ? ratio * (o + 0.5) : ratio * o;
  const nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  return halfPixel ? Math.max(0, nearest) : nearest;
}

function resizeNearestNeighborGrad({ inputs, backend, attrs }: Args) {
  const [batch, inH, inW, depth] = inputs.images.shape;
  const [, outH, outW] = inputs.dy.shape;
  const dy = backend.data.get(inputs.dy.dataId).values;
  const dx = new Float64Array(batch * inH * inW * depth);
  const halfPixel = attrs.halfPixelCenters === true;
  const rows = Array.from({ length: outH }, (_, r) => sourceIndex(r, inH, outH, attrs.alignCorners, halfPixel));
  const cols = Array.from({ length: outW }, (_, c) => sourceIndex(c, inW, outW, attrs.alignCorners, halfPixel));
  let g = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      for (let c = 0; c < outW; c++) {
        const base = ((b * inH + rows[r]) * inW + cols[c]) * depth;
        for (let d = 0; d < depth; d++) dx[base + d] += dy[g++];
      }
    }
  }
  return backend.makeTensorInfo(inputs.images.shape, 'float32', Float32Array.from(dx));
}

const MARK = Symbol.for('gradscope.cpuCorrection');

/** Registers the corrected cpu kernel(s); returns their names. Idempotent. */
export function installCpuCorrections(tf: Tf): string[] {
  const name = 'ResizeNearestNeighborGrad';
  const current = tf.getKernel(name, 'cpu') as unknown as Record<symbol, unknown> | undefined;
  if (current == null) return [];
  if (!current[MARK]) {
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel({ kernelName: name, backendName: 'cpu', kernelFunc: resizeNearestNeighborGrad as never, [MARK]: true } as never);
  }
  return [name];
}
