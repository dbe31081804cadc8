/**
 * Number formatting and XML escaping of the static health rendering: the same conventions as the
 * panel (3 significant digits, scientific notation outside [1e-3, 1e5), `non-finite` for null).
 */
import { formatNumber } from '../../protocol/numberFormat';

/** Formats a number with 3 significant digits; scientific notation outside [1e-3, 1e5) (shared with every view). */
export const num = formatNumber;

/** An integer with thin-space thousands separators. */
export function int(v: number): string {
  return Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}

/** Escapes text for XML content and attribute values. */
export function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Cuts a string to `max` characters with an ellipsis. */
export function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
