/**
 * Shared by the webgpu tests: the webgpu backend started once per test file on whatever adapter
 * this machine has. `GRADSCOPE_DAWN_OPTIONS` picks Dawn's backend when set; otherwise Dawn's default
 * (Vulkan, Metal, D3D12: on CI Mesa 25's lavapipe) is tried first, then OpenGL ES, which stock Mesa
 * (llvmpipe) provides on every Linux machine here. Without any adapter the tests skip and say why.
 */
import * as tf from '@tensorflow/tfjs';
import { startWebGpu, type StartedWebGpu } from '../../../src/engine/webgpu';
import { dawnOptionsFromEnv } from '../../../src/engine/webgpu/dawn';
import { installCpuCorrections } from '../../../src/engine/corrections/resizeNearestNeighborGrad';

export { tf };

/** The started backend, or why there is none. */
export type Gpu = { started: StartedWebGpu; errors: Error[] } | { skip: string };

let gpu: Promise<Gpu> | undefined;

/** Starts webgpu once (then switches back to it); errors reported by the guard collect in `errors`. */
export function useWebGpu(): Promise<Gpu> {
  gpu ??= (async () => {
    installCpuCorrections(tf);
    const fromEnv = dawnOptionsFromEnv();
    const tries = fromEnv.length ? [fromEnv] : [[], ['backend=opengles']];
    const errors: Error[] = [];
    const why: string[] = [];
    for (const dawnOptions of tries) {
      try {
        const started = await startWebGpu(tf, {
          dawnIndex: require.resolve('webgpu/index.js'), backendModule: require.resolve('@tensorflow/tfjs-backend-webgpu'),
          dawnOptions, onError: (e) => errors.push(e),
        });
        return { started, errors };
      } catch (e) {
        why.push(`${dawnOptions.join(',') || 'Dawn default'}: ${(e as Error).message}`);
      }
    }
    return { skip: `no WebGPU adapter on this machine (${why.join('; ')})` };
  })();
  return gpu.then(async (g) => {
    if ('started' in g) await tf.setBackend('webgpu');
    return g;
  });
}

/** Deterministic pseudo-random values in [-1, 1) (the same LCG as test/unit/engine/helpers.ts). */
export { values } from '../engine/helpers';

/** max |got − want| / max(max |want|, 1e-3): the relative error of a whole tensor. */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let err = 0;
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    const d = Math.abs(got[i] - want[i]);
    err = Math.max(err, Number.isNaN(d) ? (Number.isNaN(got[i]) && Number.isNaN(want[i]) ? 0 : Infinity) : d);
  }
  return got.length === want.length ? err / scale : Infinity;
}
