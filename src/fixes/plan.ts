/**
 * Every decision of the editor feature, as pure functions of a findings report and the cells' current
 * text: where each finding's squiggle goes and what it says, which quick fixes apply and which one is
 * preferred, and which code lenses show above the model definition and the fit call. The `vscode`
 * side (feature.ts) only turns these plans into API objects.
 */
import type { Finding, FindingsReport, FixId, Severity, SourceLocation } from '../protocol/health';
import { fixInfo, fixTitle } from '../protocol/fixCatalogue';
import { applyFix } from './applyFix';
import { allCalls, callAt, callName, objectArg, parse, stringProperty } from './ast';
import { findLearningRate } from './learningRateFixes';
import { locate } from './locate';
import type { FixTarget } from './types';

export { fixTitle };

/** The current text of a cell document, or undefined when it is not open. */
export type CellTexts = (cell: string) => string | undefined;

/** 0-based line/character position, as VS Code counts. */
export interface Pos { line: number; character: number }
/** A range in one cell. */
export interface CellRange { cell: string; start: Pos; end: Pos }

/** A squiggle to show. */
export interface PlannedDiagnostic extends CellRange {
  message: string;
  severity: Severity;
  code: Finding['code'];
  findingIndex: number;
}

/** One replacement of a planned fix. */
export interface PlannedEdit extends CellRange { newText: string }

/** A fix that applies to the cells as they are now. */
export interface PlannedFix {
  id: FixId;
  title: string;
  /** The most recommended applicable fix of its finding. */
  preferred: boolean;
  edits: PlannedEdit[];
}

/** Arguments of the `gradscope.applyFix` command (JSON-serializable, so lenses can carry them). */
export interface ApplyFixArgs { reportCell: string; runId: string; findingIndex: number; fix: FixId }

/** A code lens to show: applies a fix, or reveals the health output of the run cell. */
export interface PlannedLens {
  cell: string;
  line: number;
  title: string;
  command: 'gradscope.applyFix' | 'gradscope.showHealth';
  args: ApplyFixArgs | { cell: string };
}

function posAt(text: string, offset: number): Pos {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** A located call in a cell's current text. */
interface Located { cell: string; start: number; end: number }

function find(report: FindingsReport, loc: SourceLocation | undefined, texts: CellTexts): Located | undefined {
  if (!loc) return undefined;
  const now = texts(loc.cell);
  if (now === undefined) return undefined;
  const r = locate(loc, report.cellText[loc.cell], now);
  return r && { cell: loc.cell, ...r };
}

/** The fit call: from the sources, else the only `.fit(`/`.fitDataset(` call of the cell that ran. */
function findFit(report: FindingsReport, texts: CellTexts): Located | undefined {
  const fromSources = find(report, report.sources?.fit, texts);
  if (fromSources) return fromSources;
  const now = texts(report.cell);
  if (now === undefined || (report.cellText[report.cell] !== undefined && report.cellText[report.cell] !== now)) return undefined;
  const sf = parse(now);
  const fits = allCalls(sf).filter((c) => ['fit', 'fitDataset'].includes(callName(c)?.split('.').pop() ?? ''));
  return fits.length === 1 ? { cell: report.cell, start: fits[0].getStart(sf), end: fits[0].getEnd() } : undefined;
}

/** Everything a finding's fixes may point at, grouped by cell. */
function targets(report: FindingsReport, finding: Finding, texts: CellTexts): Map<string, FixTarget> {
  const byCell = new Map<string, FixTarget>();
  const get = (cell: string): FixTarget => byCell.get(cell) ?? byCell.set(cell, {}).get(cell)!;
  for (const name of finding.layers) {
    const l = find(report, report.sources?.layers[name], texts);
    // Layers made by one factory call in a helper or loop share a call site: edit it once.
    if (l && !get(l.cell).layers?.includes(l.start)) (get(l.cell).layers ??= []).push(l.start);
  }
  const model = find(report, report.sources?.model, texts);
  if (model) get(model.cell).model = model.start;
  // A layer finding never falls back to the whole model (its layers may have been deleted).
  if (model && finding.layers.length) get(model.cell).layers ??= [];
  const compile = find(report, report.sources?.compile, texts);
  if (compile) get(compile.cell).compile = compile.start;
  const fit = findFit(report, texts);
  if (fit) get(fit.cell).fit = fit.start;
  // The rate compiled in another cell, for fixes in the fit cell that restate it.
  if (fit && compile && compile.cell !== fit.cell) {
    const lr = findLearningRate(parse(texts(compile.cell)!), { compile: compile.start });
    if (lr) get(fit.cell).learningRate = lr.value;
  }
  return byCell;
}

/** True for fixes that edit the model definition (their lens goes above it), not the training call. */
export function editsModel(id: FixId): boolean {
  return fixInfo(id)?.edits === 'model';
}

function activationOf(text: string, offset: number | undefined): string | undefined {
  if (offset === undefined) return undefined;
  const call = callAt(parse(text), offset);
  const cfg = call && objectArg(call, 0);
  return cfg && stringProperty(cfg, 'activation');
}

/**
 * The finding's fixes that apply to the cells as they are now, in the finding's order (most
 * recommended first); the first one is the preferred quick fix. A fix may edit several cells (the
 * flagged layers can be defined in different cells).
 */
export function fixesFor(report: FindingsReport, findingIndex: number, texts: CellTexts): PlannedFix[] {
  const finding = report.findings[findingIndex];
  if (!finding) return [];
  const byCell = targets(report, finding, texts);
  const out: PlannedFix[] = [];
  for (const id of finding.fixes) {
    // A payload's id that no fix has (a newer kernel's, a forged one) offers nothing.
    if (!fixInfo(id)) continue;
    let activation: string | undefined;
    const edits: PlannedEdit[] = [];
    // The training call's cell first: its options (schedule, optimizer) override the compiled ones.
    const cells = [...byCell].sort(([, a], [, b]) => Number(b.fit !== undefined) - Number(a.fit !== undefined));
    for (const [cell, target] of cells) {
      const text = texts(cell)!;
      activation ??= activationOf(text, target.layers?.[0]);
      const r = applyFix(id, text, target);
      if (!r) continue;
      for (const e of r.edits) edits.push({ cell, start: posAt(text, e.start), end: posAt(text, e.end), newText: e.newText });
      // A training-call or optimizer fix edits one place: the first cell where it applies.
      if (!editsModel(id)) break;
    }
    if (edits.length) out.push({ id, title: fixTitle(id, activation), preferred: out.length === 0, edits });
  }
  return out;
}

/** Where a finding is shown: its layers' calls; for a run-level finding the fit, compile or model call. */
function anchorsOf(report: FindingsReport, finding: Finding, texts: CellTexts): Located[] {
  // A layer finding whose layers cannot be found any more is dropped, not moved to another line.
  if (finding.layers.length) return finding.layers.map((n) => find(report, report.sources?.layers[n], texts)).filter((l): l is Located => !!l);
  const fallback = findFit(report, texts) ?? find(report, report.sources?.compile, texts) ?? find(report, report.sources?.model, texts);
  return fallback ? [fallback] : [];
}

/**
 * The squiggles of a report: one per finding and call that made a flagged layer, on the first line of
 * the call. Layers made by one call (in a loop or a helper) share one squiggle.
 */
export function diagnosticsFor(report: FindingsReport, texts: CellTexts): PlannedDiagnostic[] {
  const out: PlannedDiagnostic[] = [];
  report.findings.forEach((finding, findingIndex) => {
    const seen = new Set<string>();
    for (const a of anchorsOf(report, finding, texts)) {
      const key = `${a.cell}#${a.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const text = texts(a.cell)!;
      const lineEnd = text.indexOf('\n', a.start);
      const end = lineEnd >= 0 && lineEnd < a.end ? lineEnd : a.end;
      out.push({
        cell: a.cell, start: posAt(text, a.start), end: posAt(text, end),
        message: finding.message, severity: finding.severity, code: finding.code, findingIndex,
      });
    }
  });
  return out;
}

/** Codicons (`$(name)`), which lens titles render in every font; emoji such as ⛔ are missing in many. */
const ICON: Record<Severity, string> = { error: '$(error)', warning: '$(warning)', info: '$(info)' };

/** Longest finding message shown in a lens title before it is cut with an ellipsis. */
const LENS_MESSAGE_MAX = 90;

/**
 * The code lenses of a report: for each finding, "$(warning) <message> — <preferred fix>" and one lens per
 * other applicable fix, above the model definition (fixes that edit the model) or above the fit call;
 * plus one "Show gradient health" above the fit call.
 */
export function lensesFor(report: FindingsReport, texts: CellTexts): PlannedLens[] {
  const out: PlannedLens[] = [];
  const seen = new Set<string>();
  const model = find(report, report.sources?.model, texts);
  const fit = findFit(report, texts);
  const lineOf = (l: Located): number => posAt(texts(l.cell)!, l.start).line;
  report.findings.forEach((finding, findingIndex) => {
    const fixes = fixesFor(report, findingIndex, texts);
    const message = finding.message.length > LENS_MESSAGE_MAX ? `${finding.message.slice(0, LENS_MESSAGE_MAX - 1)}…` : finding.message;
    fixes.forEach((fix, i) => {
      const anchor = (editsModel(fix.id) ? model ?? anchorsOf(report, finding, texts)[0] : fit) ?? anchorsOf(report, finding, texts)[0];
      if (!anchor) return;
      const key = `${anchor.cell}#${lineOf(anchor)}#${fix.id}`;
      if (i > 0 && seen.has(key)) return;
      seen.add(key);
      out.push({
        cell: anchor.cell, line: lineOf(anchor),
        title: i === 0 ? `${ICON[finding.severity]} ${message} — ${fix.title}` : fix.title,
        command: 'gradscope.applyFix',
        args: { reportCell: report.cell, runId: report.runId, findingIndex, fix: fix.id },
      });
    });
    if (!fixes.length) {
      const anchor = anchorsOf(report, finding, texts)[0];
      if (anchor) out.push({ cell: anchor.cell, line: lineOf(anchor), title: `${ICON[finding.severity]} ${message}`, command: 'gradscope.showHealth', args: { cell: report.cell } });
    }
  });
  const healthAnchor = fit ?? model;
  if (report.findings.length && healthAnchor) {
    out.push({ cell: healthAnchor.cell, line: lineOf(healthAnchor), title: 'Show gradient health', command: 'gradscope.showHealth', args: { cell: report.cell } });
  }
  return out;
}
