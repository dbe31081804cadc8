/**
 * Number formatting and XML escaping of the static health rendering: the same conventions as the
 * panel (3 significant digits, scientific notation outside [1e-3, 1e5), `non-finite` for null).
 */

/** 3 significant digits; scientific notation outside [1e-3, 1e5). */
export function num(v: number | null | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'non-finite';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}

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
