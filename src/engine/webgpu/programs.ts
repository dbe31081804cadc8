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
              var best = 0.0;
              var bestR = -1;
              var bestC = -1;
              for (var wr = rFrom; wr < rTo; wr++) {
                for (var wc = cFrom; wc < cTo; wc++) {
                  let v = getX(b, wr, wc, d);
                  if (!isnan(v) && (bestR < 0 || v > best)) {
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

/**
 * The gradient of a nearest-neighbour resize (NHWC) with respect to its images: each input pixel
 * sums dy over the output pixels that the forward shader read it for, the source index computed
 * with the forward shader's own f32 expression (so ties at pixel borders go where the forward pass
 * went). Uniforms: adjustH, adjustW, roundBase (f32); inH, inW, outH, outW (i32).
 */
export function resizeNearestGrad(util: DispatchUtil, imagesShape: number[], halfPixelCenters: boolean): WebGpuProgram {
  const frac = (o: string, ratio: string) => (halfPixelCenters ? `max((f32(${o}) + 0.5) * ${ratio}, 0.0)` : `f32(${o}) * ${ratio}`);
  return {
    ...flat(util, imagesShape),
    shaderKey: `gradscopeResizeNearestGrad_${halfPixelCenters}`,
    variableNames: ['dy'],
    uniforms: 'adjustH : f32, adjustW : f32, roundBase : f32, inH : i32, inW : i32, outH : i32, outW : i32,',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let b = coords[0];
          let r = coords[1];
          let c = coords[2];
          let d = coords[3];
          let ratioH = (f32(uniforms.inH) - uniforms.adjustH) / (f32(uniforms.outH) - uniforms.adjustH);
          let ratioW = (f32(uniforms.inW) - uniforms.adjustW) / (f32(uniforms.outW) - uniforms.adjustW);
          var acc = 0.0;
          for (var yr = 0; yr < uniforms.outH; yr++) {
            let sr = i32(min(f32(uniforms.inH) - 1.0, floor(${frac('yr', 'ratioH')} + uniforms.roundBase)));
            if (sr != r) { continue; }
            for (var yc = 0; yc < uniforms.outW; yc++) {
              let sc = i32(min(f32(uniforms.inW) - 1.0, floor(${frac('yc', 'ratioW')} + uniforms.roundBase)));
              if (sc == c) {
                acc = acc + getDy(b, yr, yc, d);
              }
            }
          }
          setOutputAtIndex(index, acc);
        }
      }`,
  };
}
