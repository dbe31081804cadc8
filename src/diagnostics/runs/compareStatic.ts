/**
 * The static fallback of a comparison output, stored next to its JSON for viewers without the
 * Gradscope renderer (Jupyter, GitHub, nbconvert, terminals): `text/plain` (per run its status,
 * final losses, profile ends and findings, then the option diff) and `image/svg+xml` (training loss
 * per step overlaid, one colour per run, and the sensitivity-by-layer profiles side by side on a log
 * axis). Pure functions of the payload; every string from it is XML-escaped.
 */
import { diffOptions, runColor, type ComparePayload, type CompareRun } from '../../protocol/runs';
import type { Series } from '../../protocol/health';
import { formatNumber as num } from '../../protocol/numberFormat';

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function lastFinite(s: Series | undefined): number | null {
  if (!s) return null;
  for (let i = s.value.length - 1; i >= 0; i--) {
    const v = s.value[i];
    if (v !== null && Number.isFinite(v)) return v;
  }
  return null;
}

/**
 * The text summary.
 * @example compareText(payload) // 'Gradscope comparison of 3 runs\n[1] sigmoid (finished): …'
 */
export function compareText(p: ComparePayload): string {
  const lines = [`Gradscope comparison of ${p.runs.length} run${p.runs.length === 1 ? '' : 's'}`];
  p.runs.forEach((r, i) => {
    const prof = r.profile.filter((x) => x.median !== null);
    const ends = prof.length ? `sensitivity median RMS first layer ${num(prof[0].median)}, last layer ${num(prof[prof.length - 1].median)}` : 'no sensitivity probes';
    lines.push(`[${i + 1}] ${r.label} (${r.status}): loss ${num(lastFinite(r.epochLoss) ?? lastFinite(r.loss))}, validation loss ${r.epochValLoss ? num(lastFinite(r.epochValLoss)) : '—'}; ${ends}`);
    if (r.error) lines.push(`    error: ${cut(r.error, 200)}`);
    for (const f of r.findings.slice(0, 6)) lines.push(`    ${f.code}: ${cut(f.message, 160)}`);
    if (!r.findings.length) lines.push('    no findings');
  });
  const diff = diffOptions(p.runs);
  if (!diff.length) lines.push('Options: the same in every run.');
  else {
    lines.push('Options that differ:');
    for (const row of diff) lines.push(`  ${row.label}: ${row.values.map((v, i) => `[${i + 1}] ${v}`).join(' · ')}`);
  }
  return lines.join('\n');
}

const W = 720, H = 200, LEFT = 60, RIGHT = 12, TOP = 28, BOTTOM = 26;

/** Finite positive points of a series (at most ~300, evenly thinned). */
function points(s: Series, positive: boolean): [number, number][] {
  const out: [number, number][] = [];
  const stride = Math.max(1, Math.ceil(s.step.length / 300));
  for (let i = 0; i < s.step.length; i += stride) {
    const v = s.value[i];
    if (v !== null && Number.isFinite(v) && (!positive || v > 0)) out.push([s.step[i], v]);
  }
  return out;
}

function axisBox(y0: number, title: string): string {
  return `<text x="${LEFT}" y="${y0 + 16}" font-size="13" fill="#333">${xml(title)}</text>` +
    `<rect x="${LEFT}" y="${y0 + TOP}" width="${W - LEFT - RIGHT}" height="${H - TOP - BOTTOM}" fill="none" stroke="#ddd"/>`;
}

/** The loss chart: every run's training loss per step, log scale when all are positive. */
function lossChart(p: ComparePayload, y0: number): string {
  const lines = p.runs.map((r) => points(r.loss, false));
  const all = lines.flat();
  if (!all.length) return axisBox(y0, 'Training loss per step: no steps');
  const log = all.every(([, v]) => v > 0);
  const f = (v: number) => (log ? Math.log10(v) : v);
  const xs = all.map(([x]) => x), ys = all.map(([, v]) => f(v));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const px = (x: number) => LEFT + ((x - x0) / (x1 - x0)) * (W - LEFT - RIGHT);
  const py = (v: number) => y0 + H - BOTTOM - ((f(v) - lo) / (hi - lo)) * (H - TOP - BOTTOM);
  const paths = lines.map((pts, i) => pts.length
    ? `<polyline fill="none" stroke="${runColor(i)}" stroke-width="1.5" points="${pts.map(([x, v]) => `${px(x).toFixed(1)},${py(v).toFixed(1)}`).join(' ')}"/>` : '').join('');
  const ticks = `<text x="${LEFT - 4}" y="${y0 + TOP + 10}" font-size="10" text-anchor="end" fill="#666">${num(log ? 10 ** hi : hi)}</text>` +
    `<text x="${LEFT - 4}" y="${y0 + H - BOTTOM}" font-size="10" text-anchor="end" fill="#666">${num(log ? 10 ** lo : lo)}</text>` +
    `<text x="${W - RIGHT}" y="${y0 + H - 8}" font-size="10" text-anchor="end" fill="#666">step ${x1}</text>`;
  return axisBox(y0, `Training loss per step${log ? ' (log)' : ''}`) + paths + ticks;
}

/** The profiles: median RMS of s^k per layer, layer index on x, log y. */
function profileChart(p: ComparePayload, y0: number): string {
  const vals = p.runs.flatMap((r) => r.profile.map((x) => x.median).filter((v): v is number => v !== null && v > 0));
  if (!vals.length) return axisBox(y0, 'Sensitivity by layer: no probes');
  let lo = Math.floor(Math.log10(Math.min(...vals))), hi = Math.ceil(Math.log10(Math.max(...vals)));
  if (hi === lo) hi = lo + 1;
  const n = Math.max(...p.runs.map((r) => r.profile.length), 2);
  const px = (i: number) => LEFT + (i / (n - 1)) * (W - LEFT - RIGHT);
  const py = (v: number) => y0 + H - BOTTOM - ((Math.log10(v) - lo) / (hi - lo)) * (H - TOP - BOTTOM);
  const paths = p.runs.map((r, i) => {
    const pts = r.profile.map((x, k) => [k, x.median] as const).filter((e): e is readonly [number, number] => e[1] !== null && e[1] > 0);
    return pts.length ? `<polyline fill="none" stroke="${runColor(i)}" stroke-width="2" points="${pts.map(([k, v]) => `${px(k).toFixed(1)},${py(v).toFixed(1)}`).join(' ')}"/>` +
      pts.map(([k, v]) => `<circle cx="${px(k).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.5" fill="${runColor(i)}"/>`).join('') : '';
  }).join('');
  const ticks = `<text x="${LEFT - 4}" y="${y0 + TOP + 10}" font-size="10" text-anchor="end" fill="#666">1e${hi}</text>` +
    `<text x="${LEFT - 4}" y="${y0 + H - BOTTOM}" font-size="10" text-anchor="end" fill="#666">1e${lo}</text>` +
    `<text x="${LEFT}" y="${y0 + H - 8}" font-size="10" fill="#666">input side</text>` +
    `<text x="${W - RIGHT}" y="${y0 + H - 8}" font-size="10" text-anchor="end" fill="#666">output side (layer ${n})</text>`;
  return axisBox(y0, 'Sensitivity by layer: median RMS of ∂L/∂net over the probes (log)') + paths + ticks;
}

/**
 * The SVG rendering.
 * @example compareSvg(payload).startsWith('<svg') // true
 */
export function compareSvg(p: ComparePayload): string {
  const legendH = 18 * Math.ceil(p.runs.length / 3) + 8;
  const legend = p.runs.map((r: CompareRun, i) => {
    const x = LEFT + (i % 3) * 220, y = 2 * H + 16 + Math.floor(i / 3) * 18;
    return `<rect x="${x}" y="${y - 9}" width="14" height="4" fill="${runColor(i)}"/><text x="${x + 20}" y="${y}" font-size="12" fill="#333">${xml(cut(r.label, 28))}</text>`;
  }).join('');
  const height = 2 * H + legendH;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="#fff"/>${lossChart(p, 0)}${profileChart(p, H)}${legend}</svg>`;
}
