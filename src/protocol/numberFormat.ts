/**
 * How every Gradscope view writes a number (the panel, the static SVG and text rendering): 3
 * significant digits, scientific notation outside [1e-3, 1e5), `non-finite` for the null that JSON
 * makes of NaN and ±Infinity, `—` for a missing value. One function so the views always agree.
 */

/** Formats a number with 3 significant digits; scientific notation outside [1e-3, 1e5). */
export function formatNumber(v: number | null | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'non-finite';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}
