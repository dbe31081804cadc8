/**
 * Structural validation of a comparison payload before anything is drawn: a notebook may hold one
 * from an older kernel or edited by hand, so every field the view reads is checked and the first
 * problem is reported as a short path-based message.
 */
import { COMPARE_SCHEMA_VERSION, type ComparePayload } from '../src/protocol/runs';

/** Result of {@link validateComparison}. */
export type CompareValidation = { ok: true; payload: ComparePayload } | { ok: false; error: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function seriesError(v: unknown, path: string): string | undefined {
  if (!isObj(v) || !Array.isArray(v.step) || !Array.isArray(v.value)) return `${path} must be a series ({ step: [], value: [] })`;
  if (v.step.length !== v.value.length) return `${path}: step and value have different lengths (${v.step.length} vs ${v.value.length})`;
  return undefined;
}

/** Checks the fields the comparison view reads. */
export function validateComparison(p: unknown): CompareValidation {
  if (!isObj(p)) return { ok: false, error: 'the payload must be an object' };
  if (p.version !== COMPARE_SCHEMA_VERSION) return { ok: false, error: `unsupported comparison version ${String(p.version)} (this renderer reads version ${COMPARE_SCHEMA_VERSION})` };
  if (!Array.isArray(p.runs) || p.runs.length === 0) return { ok: false, error: 'runs must be a non-empty array' };
  for (const [i, r] of p.runs.entries()) {
    const at = `runs[${i}]`;
    if (!isObj(r)) return { ok: false, error: `${at} must be an object` };
    for (const k of ['runId', 'label', 'status'] as const) if (typeof r[k] !== 'string') return { ok: false, error: `${at}.${k} must be a string` };
    const bad = seriesError(r.loss, `${at}.loss`) ?? seriesError(r.epochLoss, `${at}.epochLoss`) ?? (r.epochValLoss === undefined ? undefined : seriesError(r.epochValLoss, `${at}.epochValLoss`));
    if (bad) return { ok: false, error: bad };
    if (!Array.isArray(r.profile) || !r.profile.every((x) => isObj(x) && typeof x.layer === 'string' && (x.median === null || typeof x.median === 'number'))) {
      return { ok: false, error: `${at}.profile must be an array of { layer, median }` };
    }
    if (!Array.isArray(r.findings) || !r.findings.every((f) => isObj(f) && typeof f.code === 'string' && typeof f.message === 'string')) {
      return { ok: false, error: `${at}.findings must be an array of { code, severity, message }` };
    }
    if (!isObj(r.lr)) return { ok: false, error: `${at}.lr must be an object` };
    if (r.options !== undefined && !isObj(r.options)) return { ok: false, error: `${at}.options must be an object` };
  }
  return { ok: true, payload: p as unknown as ComparePayload };
}
