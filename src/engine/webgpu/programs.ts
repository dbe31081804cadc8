/**
 * WGSL programs for the corrected kernels (overrides.ts), in tfjs-backend-webgpu's program format:
 * the backend adds the bindings, the uniform block (with `size`), the accessors (`getX(b, r, c, d)`,
 * `getAByOutputIndex`), `setOutputAtIndex`, `isnan` and the entry point around `getUserCode`.
 */
import type { WebGpuProgram } from './types';

/** webgpu_util's dispatch helpers (exported by tfjs-backend-webgpu as `webgpu_util`). */
export interface DispatchUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(layout: { x: number[] }, shape: number[], workgroupSize: [number, number, number]): [number, number, number];
}

const WORKGROUP: [number, number, number] = [64, 1, 1];

function flat(util: DispatchUtil, outputShape: number[]): Pick<WebGpuProgram, 'outputShape' | 'dispatchLayout' | 'dispatch' | 'workgroupSize' | 'size'> {
  const dispatchLayout = util.flatDispatchLayout(outputShape);
  return { outputShape, dispatchLayout, dispatch: util.computeDispatch(dispatchLayout, outputShape, WORKGROUP), workgroupSize: [...WORKGROUP], size: true };
}

/**
 * `x > hi ? hi : x < lo ? lo : x` elementwise, NaN staying NaN (WGSL's `clamp` and `max` may return
 * either operand for NaN). Uniforms: lo, hi (f32).
 */
export function clampKeepingNaN(util: DispatchUtil, shape: number[]): WebGpuProgram {
  return {
    ...flat(util, shape),
    shaderKey: 'gradscopeClampKeepingNaN',
    variableNames: ['A'],
    uniforms: 'lo : f32, hi : f32,',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let a = getAByOutputIndex(index);
          var v = a;
          if (a > uniforms.hi) { v = uniforms.hi; }
          if (a < uniforms.lo) { v = uniforms.lo; }
          setOutputAtIndex(index, select(v, a, isnan(a)));
        }
      }`,
  };
}

/**
 * The gradient of a 2-D max pool (NHWC) with respect to its input: each output element sums dy over
 * the windows whose first strictly greatest input it is (NaN never wins, padding never wins).
 * Uniforms: strides, pads (top, left), filterDims, inDims (h, w), outDims (h, w), all vec2<i32>.
 */
export function maxPoolGrad(util: DispatchUtil, inShape: number[]): WebGpuProgram {
  return {
    ...flat(util, inShape),
    shaderKey: 'gradscopeMaxPoolGrad',
    variableNames: ['dy', 'x'],
    uniforms: 'strides : vec2<i32>, pads : vec2<i32>, filterDims : vec2<i32>, inDims : vec2<i32>, outDims : vec2<i32>,',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let b = coords[0];
          let r = coords[1];
          let c = coords[2];
          let d = coords[3];
          let s = uniforms.strides;
          let p = uniforms.pads;
          let f = uniforms.filterDims;
          // Windows yr whose rows [yr * s - p, yr * s - p + f) contain r.
          let yr0 = max(0, (r + p.x - f.x + s.x) / s.x);
          let yr1 = min(uniforms.outDims.x - 1, (r + p.x) / s.x);
          let yc0 = max(0, (c + p.y - f.y + s.y) / s.y);
          let yc1 = min(uniforms.outDims.y - 1, (c + p.y) / s.y);
          var acc = 0.0;
          for (var yr = yr0; yr <= yr1; yr++) {
            let rFrom = max(0, yr * s.x - p.x);
            let rTo = min(uniforms.inDims.x, yr * s.x - p.x + f.x);
            for (var yc = yc0; yc <= yc1; yc++) {
              let cFrom = max(0, yc * s.y - p.y);
              let cTo = min(uniforms.inDims.y, yc * s.y - p.y + f.y);
              var best = bitcast<f32>(0xff800000u);
              var bestR = -1;
              var bestC = -1;
              for (var wr = rFrom; wr < rTo; wr++) {
                for (var wc = cFrom; wc < cTo; wc++) {
                  let v = getX(b, wr, wc, d);
                  if (!isnan(v) && v > best) {
                    best = v;
                    bestR = wr;
                    bestC = wc;
                  }
                }
              }
              if (bestR == r && bestC == c) {
                acc = acc + getDy(b, yr, yc, d);
              }
            }
          }
          setOutputAtIndex(index, acc);
        }
      }`,
  };
}
