/**
 * Learning-rate schedules: functions of the optimizer step t (0-based, counted over the whole run)
 * that `gs.fit` applies to the optimizer before each step. Each schedule is callable (`s(t)`), has
 * `s.lr(t)` (the same function) and a `kind` that the health view shows in its legend.
 *
 * @example
 * ```ts
 * const s = gs.schedules.exponential({ initial: 0.01, steps: 1000 });
 * s.lr(0);    // 0.01
 * s.lr(1000); // 0.001 (÷10 every 1000 steps)
 * await gs.fit(model, x, y, { epochs: 10, schedule: s });
 * ```
 */

/** A learning-rate schedule: `lr(t)` for the optimizer step t (0-based). */
export interface Schedule {
  (step: number): number;
  /** The learning rate used for step t. */
  lr(step: number): number;
  /** `power`, `exponential`, `piecewise`, `cosine`, `oneCycle` or `custom`. */
  readonly kind: string;
}

/** Anything `gs.fit` accepts as `schedule`: a schedule, a plain `(step) => lr` function, or `{ lr(t) }`. */
export type ScheduleLike = Schedule | ((step: number) => number) | { lr(step: number): number; kind?: string };

function positive(name: string, kind: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`gs.schedules.${kind}: \`${name}\` must be a positive finite number, got ${String(v)}`);
  }
  return v;
}

function nonNegative(name: string, kind: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new Error(`gs.schedules.${kind}: \`${name}\` must be a finite number ≥ 0, got ${String(v)}`);
  }
  return v;
}

function make(kind: string, f: (t: number) => number): Schedule {
  const lr = (step: number): number => {
    if (typeof step !== 'number' || Number.isNaN(step) || step < 0) {
      throw new Error(`gs.schedules.${kind}: the step must be a number ≥ 0, got ${String(step)}`);
    }
    return f(step);
  };
  return Object.assign((step: number) => lr(step), { lr, kind });
}

/** Arguments of {@link power}. */
export interface PowerArgs {
  /** η0, the learning rate at t = 0. Required. */
  initial: number;
  /** s: after s steps the learning rate is η0 / 2^c. Required. */
  steps: number;
  /** c, the power. Defaults to 1. */
  power?: number;
}

/**
 * Power scheduling: η(t) = η0 / (1 + t/s)^c. The learning rate drops quickly at first, then more
 * and more slowly (with c = 1: η0/2 after s steps, η0/3 after 2s, …).
 *
 * @example
 * ```ts
 * const s = gs.schedules.power({ initial: 0.01, steps: 500 }); // s.lr(500) === 0.005
 * ```
 */
export function power(args: PowerArgs): Schedule {
  const eta0 = positive('initial', 'power', args?.initial);
  const s = positive('steps', 'power', args.steps);
  const c = nonNegative('power', 'power', args.power ?? 1);
  return make('power', (t) => eta0 / Math.pow(1 + t / s, c));
}

/** Arguments of {@link exponential}. */
export interface ExponentialArgs {
  /** η0, the learning rate at t = 0. Required. */
  initial: number;
  /** s: the learning rate is divided by 10 every s steps. Required. */
  steps: number;
}

/**
 * Exponential scheduling: η(t) = η0 · 0.1^(t/s), i.e. the learning rate is divided by 10 every s
 * steps (smoothly, not in stairs).
 *
 * @example
 * ```ts
 * const s = gs.schedules.exponential({ initial: 0.01, steps: 2000 }); // s.lr(4000) ≈ 0.0001
 * ```
 */
export function exponential(args: ExponentialArgs): Schedule {
  const eta0 = positive('initial', 'exponential', args?.initial);
  const s = positive('steps', 'exponential', args.steps);
  return make('exponential', (t) => eta0 * Math.pow(0.1, t / s));
}

/** Arguments of {@link piecewise}. */
export interface PiecewiseArgs {
  /** Increasing step numbers b0 < b1 < … where the learning rate changes. Required. */
  boundaries: number[];
  /** One more value than boundaries: values[i] is used while b(i-1) < t ≤ b(i). Required. */
  values: number[];
}

/**
 * Piecewise constant scheduling (as Keras `PiecewiseConstantDecay`): values[0] while t ≤ b0,
 * values[i] while b(i-1) < t ≤ b(i), and the last value after the last boundary.
 *
 * @example
 * ```ts
 * const s = gs.schedules.piecewise({ boundaries: [1000, 3000], values: [0.01, 0.005, 0.001] });
 * s.lr(1000); // 0.01
 * s.lr(1001); // 0.005
 * ```
 */
export function piecewise(args: PiecewiseArgs): Schedule {
  const { boundaries, values } = args ?? ({} as PiecewiseArgs);
  if (!Array.isArray(boundaries) || !Array.isArray(values)) {
    throw new Error('gs.schedules.piecewise: `boundaries` and `values` must be arrays of numbers');
  }
  if (values.length !== boundaries.length + 1) {
    throw new Error(
      `gs.schedules.piecewise: \`values\` must have one more entry than \`boundaries\` ` +
        `(got ${values.length} values for ${boundaries.length} boundaries)`,
    );
  }
  boundaries.forEach((b, i) => {
    nonNegative(`boundaries[${i}]`, 'piecewise', b);
    if (i > 0 && b <= boundaries[i - 1]) {
      throw new Error(`gs.schedules.piecewise: \`boundaries\` must be strictly increasing (${boundaries.join(', ')})`);
    }
  });
  values.forEach((v, i) => nonNegative(`values[${i}]`, 'piecewise', v));
  const bs = boundaries.slice();
  const vs = values.slice();
  return make('piecewise', (t) => {
    let i = 0;
    while (i < bs.length && t > bs[i]) i++;
    return vs[i];
  });
}

/** Arguments of {@link cosine}. */
export interface CosineArgs {
  /** η0, the learning rate at t = 0. Required. */
  initial: number;
  /** Number of steps over which the learning rate decays to `min`. Required. */
  steps: number;
  /** The learning rate reached at t = steps and kept afterwards. Defaults to 0. */
  min?: number;
}

/**
 * Cosine decay (as Keras `CosineDecay` with `alpha = min/initial`):
 * η(t) = min + (η0 − min) · (1 + cos(π · min(t, s) / s)) / 2.
 *
 * @example
 * ```ts
 * const s = gs.schedules.cosine({ initial: 0.1, steps: 1000, min: 0.001 }); // s.lr(500) = 0.0505
 * ```
 */
export function cosine(args: CosineArgs): Schedule {
  const eta0 = positive('initial', 'cosine', args?.initial);
  const s = positive('steps', 'cosine', args.steps);
  const min = nonNegative('min', 'cosine', args.min ?? 0);
  if (min > eta0) throw new Error(`gs.schedules.cosine: \`min\` (${min}) must not exceed \`initial\` (${eta0})`);
  return make('cosine', (t) => min + ((eta0 - min) * (1 + Math.cos((Math.PI * Math.min(t, s)) / s))) / 2);
}

/** Arguments of {@link oneCycle}. */
export interface OneCycleArgs {
  /** The peak learning rate, reached halfway through the cycle. Required. */
  max: number;
  /** Total number of steps of the run (epochs × steps per epoch). Required. */
  steps: number;
  /** Learning rate at t = 0 and at the end of the cycle. Defaults to max / 10. */
  start?: number;
  /** Length of the final annihilation phase. Defaults to floor(steps / 10) + 1. */
  lastSteps?: number;
  /** Learning rate reached at t = steps. Defaults to start / 1000. */
  last?: number;
}

/**
 * 1cycle scheduling (Smith 2018, as in Géron's `OneCycleScheduler`): with h = floor((steps −
 * lastSteps) / 2), the rate rises linearly from `start` to `max` over [0, h], falls linearly back to
 * `start` over [h, 2h], then falls linearly to `last` over [2h, steps]; after `steps` it stays at
 * `last`. (Only the learning rate cycles; momentum is left alone.)
 *
 * @example
 * ```ts
 * const s = gs.schedules.oneCycle({ max: 0.05, steps: 25 * stepsPerEpoch });
 * ```
 */
export function oneCycle(args: OneCycleArgs): Schedule {
  const max = positive('max', 'oneCycle', args?.max);
  const n = positive('steps', 'oneCycle', args.steps);
  const start = positive('start', 'oneCycle', args.start ?? max / 10);
  const lastSteps = nonNegative('lastSteps', 'oneCycle', args.lastSteps ?? Math.floor(n / 10) + 1);
  const last = positive('last', 'oneCycle', args.last ?? start / 1000);
  const half = Math.floor((n - lastSteps) / 2);
  if (half <= 0) {
    throw new Error(`gs.schedules.oneCycle: \`steps\` (${n}) is too small for \`lastSteps\` (${lastSteps})`);
  }
  const lerp = (t: number, t1: number, t2: number, r1: number, r2: number) => ((r2 - r1) * (t - t1)) / (t2 - t1) + r1;
  return make('oneCycle', (t) => {
    if (t < half) return lerp(t, 0, half, start, max);
    if (t < 2 * half) return lerp(t, half, 2 * half, max, start);
    if (t < n) return lerp(t, 2 * half, n, start, last);
    return last;
  });
}

/** Normalizes what a user passed as `schedule` to a {@link Schedule}; undefined stays undefined. */
export function toSchedule(s: ScheduleLike | undefined): Schedule | undefined {
  if (s == null) return undefined;
  if (typeof s === 'function') {
    if (typeof (s as Schedule).lr === 'function' && typeof (s as Schedule).kind === 'string') return s as Schedule;
    const f = s as (t: number) => number;
    return make('custom', f);
  }
  if (typeof s === 'object' && typeof s.lr === 'function') {
    const o = s;
    return make(o.kind ?? 'custom', (t) => o.lr(t));
  }
  throw new Error('gs.fit: `schedule` must be a function (step) => lr or an object with lr(step)');
}
