/** Number and time formatting for the panel: exact enough for practitioners who check the math. */

/** Formats a number with 3 significant digits; scientific notation outside [1e-3, 1e5). */
export function fmtNum(v: number | null | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'non-finite';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}

/** Formats a fraction in [0, 1] as a percentage with one decimal. */
export function fmtPct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(1)} %`;
}

/** Formats an integer with thin-space thousands separators (locale independent, so tests are stable). */
export function fmtInt(v: number): string {
  return Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}

/** Formats a duration in ms as `1 h 02 min`, `3 min 05 s` or `12 s`. */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}

/** Last finite value of a series, with its step. */
export function lastFinite(steps: number[], values: (number | null)[]): { step: number; value: number } | undefined {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && Number.isFinite(v)) return { step: steps[i], value: v };
  }
  return undefined;
}
