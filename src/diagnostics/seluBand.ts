/**
 * How far a SELU layer's output may sit from mean 0 / variance 1 while self-normalization still
 * holds, derived from SELU's moment map instead of a fixed tolerance.
 *
 * A dense unit with weights w over inputs of mean μ and variance ν gets a net input of mean ω·μ and
 * variance τ·ν (ω = Σw, τ = Σw²; Klambauer et al. 2017, eq. 3–5); SELU maps that to an output mean
 * and variance g(μ, ν). LeCun normal initialization gives ω ≈ 0, τ ≈ 1 and the fixed point (0, 1);
 * training moves ω and τ, and the fixed point with them. Klambauer et al. prove the variance stays
 * bounded (neither vanishing nor exploding, their theorems 2 and 3) for ω ∈ [−0.1, 0.1] and
 * τ ∈ [0.8, 1.25]: the band of a healthy SELU layer is the hull of the fixed points over that domain
 * (computed here by iterating g to its fixed point at the domain's corners), widened by the standard
 * error of what the probe measures. The probe pools B samples × n units; each sample's variance
 * across n units varies by √(2/n), and in a stack that variation is inherited from the layer below,
 * damped by the slope ρ of the variance map at its fixed point, so at depth d (1 = first SELU layer)
 * the pooled variance's relative standard error is √(2/(nB) · Σ_{k<d} ρ^{2k}); the mean's is
 * √(ν/(nB) · Σ_{k<d} ρ^{2k}). Narrow layers and small probe batches get the wider band they need.
 */

const LAMBDA = 1.0507009873554805;
const ALPHA = 1.6732632423543772;

/** Midpoint quadrature over z ~ N(m, v) within ±9σ: E[selu(z)] and Var[selu(z)]. */
function seluMoments(m: number, v: number): { mean: number; variance: number } {
  const s = Math.sqrt(Math.max(v, 0));
  const n = 800;
  const lo = -9;
  const hi = 9;
  const du = (hi - lo) / n;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const u = lo + (i + 0.5) * du;
    const w = (Math.exp((-u * u) / 2) / Math.sqrt(2 * Math.PI)) * du;
    const z = m + s * u;
    const y = z > 0 ? LAMBDA * z : LAMBDA * ALPHA * (Math.exp(z) - 1);
    m1 += w * y;
    m2 += w * y * y;
  }
  return { mean: m1, variance: m2 - m1 * m1 };
}

/** The fixed point (μ*, ν*) of SELU's moment map for weight statistics ω = Σw, τ = Σw². */
export function seluFixedPoint(omega: number, tau: number): { mean: number; variance: number } {
  let mu = 0;
  let nu = 1;
  for (let i = 0; i < 200; i++) {
    const next = seluMoments(omega * mu, tau * nu);
    const done = Math.abs(next.mean - mu) < 1e-9 && Math.abs(next.variance - nu) < 1e-9;
    mu = next.mean;
    nu = next.variance;
    if (done || !Number.isFinite(nu) || nu > 1e6) break;
  }
  return { mean: mu, variance: nu };
}

/** Slope dν̃/dν of the variance map at the LeCun fixed point (ω = 0, τ = 1, (μ, ν) = (0, 1)). */
function varianceSlope(): number {
  const h = 1e-3;
  return (seluMoments(0, 1 + h).variance - seluMoments(0, 1 - h).variance) / (2 * h);
}

/** Domain of weight statistics over which the band is taken, and the standard errors allowed. */
export interface SeluDomain {
  omega: number;
  tauLow: number;
  tauHigh: number;
  standardErrors: number;
}

/** The healthy range of a SELU layer's output mean and standard deviation. */
export interface SeluBand {
  meanLow: number;
  meanHigh: number;
  stdLow: number;
  stdHigh: number;
}

const hullCache = new Map<string, { meanLow: number; meanHigh: number; varLow: number; varHigh: number }>();
let rho2: number | undefined;

function hull(d: SeluDomain): { meanLow: number; meanHigh: number; varLow: number; varHigh: number } {
  const key = `${d.omega}/${d.tauLow}/${d.tauHigh}`;
  let h = hullCache.get(key);
  if (!h) {
    const corners = [-d.omega, 0, d.omega].flatMap((o) => [d.tauLow, d.tauHigh].map((t) => seluFixedPoint(o, t)));
    h = {
      meanLow: Math.min(...corners.map((c) => c.mean)), meanHigh: Math.max(...corners.map((c) => c.mean)),
      varLow: Math.min(...corners.map((c) => c.variance)), varHigh: Math.max(...corners.map((c) => c.variance)),
    };
    hullCache.set(key, h);
  }
  return h;
}

/**
 * The band for a SELU layer `depth` layers into a SELU stack (1 = first), `width` units wide,
 * measured on `batch` probe samples.
 */
export function seluBand(depth: number, width: number, batch: number, domain: SeluDomain): SeluBand {
  const h = hull(domain);
  rho2 ??= varianceSlope() ** 2;
  let inherited = 0;
  for (let k = 0; k < Math.max(1, depth); k++) inherited += rho2 ** k;
  const values = Math.max(1, width) * Math.max(1, batch);
  const relVar = Math.sqrt((2 / values) * inherited);
  const meanSe = Math.sqrt((h.varHigh / values) * inherited);
  const z = domain.standardErrors;
  return {
    meanLow: h.meanLow - z * meanSe,
    meanHigh: h.meanHigh + z * meanSe,
    stdLow: Math.sqrt(Math.max(0, h.varLow * (1 - z * relVar))),
    stdHigh: Math.sqrt(h.varHigh * (1 + z * relVar)),
  };
}
