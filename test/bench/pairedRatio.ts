/**
 * Estimates of a time ratio from paired runs (a variant and its baseline, side by side), with 95 %
 * confidence intervals, for the benchmarks: the ratios of a shared VM are heavy-tailed, so the robust
 * one is the headline and the mean is shown beside it.
 */

/** An estimate of the ratio with its 95 % interval. */
export interface RatioInterval {
  mean: number;
  low: number;
  high: number;
}

/** Geometric mean of `ratios` and its 95 % confidence interval (Student t on the logs). */
export function interval(ratios: number[]): RatioInterval {
  const logs = ratios.map(Math.log);
  const n = logs.length;
  const m = logs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, n - 1));
  // t quantile 0.975 by its Cornish–Fisher expansion around z = 1.96 (within 0.01 for ≥ 5 degrees of freedom).
  const z = 1.96;
  const df = Math.max(1, n - 1);
  const t = z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
  const half = (t * sd) / Math.sqrt(n);
  return { mean: Math.exp(m), low: Math.exp(m - half), high: Math.exp(m + half) };
}

/**
 * Hodges–Lehmann estimate of the ratio (median of the Walsh averages of the log ratios) with its 95 %
 * Wilcoxon signed-rank interval: robust to the odd pair that a burst of load hit in one run only.
 */
export function robustInterval(ratios: number[]): RatioInterval {
  const logs = ratios.map(Math.log);
  const n = logs.length;
  const walsh: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push((logs[i] + logs[j]) / 2);
  walsh.sort((a, b) => a - b);
  const m = walsh.length;
  const k = wilcoxonK(n);
  const mid = m % 2 ? walsh[(m - 1) / 2] : (walsh[m / 2 - 1] + walsh[m / 2]) / 2;
  return { mean: Math.exp(mid), low: Math.exp(walsh[Math.min(k, m - 1)]), high: Math.exp(walsh[Math.max(0, m - 1 - k)]) };
}

/**
 * How many Walsh averages lie below the 95 % interval of n pairs: the two-sided 5 % critical value of
 * the signed-rank statistic, by its normal approximation (8, 52 and 137 for n = 10, 20, 30, as the
 * tables).
 */
export function wilcoxonK(n: number): number {
  return Math.max(0, Math.floor(n * (n + 1) / 4 - 1.96 * Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24)));
}
