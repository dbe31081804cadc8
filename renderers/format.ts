/** Number and time formatting for the panel: exact enough for practitioners who check the math. */
import { formatNumber } from '../src/protocol/numberFormat';

/** Formats a number with 3 significant digits; scientific notation outside [1e-3, 1e5) (shared with every view). */
export const fmtNum = formatNumber;

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
