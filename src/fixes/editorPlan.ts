/**
 * The editor's view over several findings reports at once, as pure functions: the squiggles of all
 * shown runs without repeats, the Ctrl+. quick fixes of a cell without repeats, the range a fix leaves
 * to reveal and select (so Ctrl+Z undoes it where the user looks), and why a fix asked for by id (from
 * a code lens or the panel) cannot be applied. feature.ts turns these into VS Code calls.
 */
import { fixInfo, fixTitle } from '../protocol/fixCatalogue';
import type { FindingsReport, FixId } from '../protocol/health';
import { diagnosticsFor, fixesFor, type CellRange, type CellTexts, type PlannedDiagnostic, type PlannedEdit, type Pos } from './plan';

/** A squiggle of one of the shown reports. */
export interface ShownDiagnostic extends PlannedDiagnostic {
  /** The run cell of the report it comes from. */
  reportCell: string;
}

const rangeKey = (r: CellRange): string => `${r.cell}#${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

/**
 * The squiggles of all `reports`. The same message on the same range is shown once: runs that build
 * their model with one helper point at the same calls.
 */
export function diagnosticsOfReports(reports: Iterable<FindingsReport>, texts: CellTexts): ShownDiagnostic[] {
  const out: ShownDiagnostic[] = [];
  const seen = new Set<string>();
  for (const report of reports) {
    for (const d of diagnosticsFor(report, texts)) {
      const key = `${rangeKey(d)}#${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...d, reportCell: report.cell });
    }
  }
  return out;
}

/** A squiggle as the editor hands it back to the code-action provider. */
export interface DiagnosticAt { message: string; start: Pos; end: Pos }

/** One entry of the Ctrl+. menu. */
export interface PlannedQuickFix {
  fix: FixId;
  title: string;
  /** At most one entry of the menu is preferred: the first finding's most recommended fix. */
  preferred: boolean;
  edits: PlannedEdit[];
  /** Indices into the given diagnostics that this entry fixes. */
  diagnostics: number[];
  /** The runs (and their run cells) whose findings this entry fixes: what a later run is compared with. */
  runs: { runId: string; reportCell: string }[];
}

/**
 * The quick fixes for the gradscope squiggles `diagnostics` of `cell`. Two findings that offer the
 * same edit (vanishing gradients and saturated sigmoid both switch the layer to ReLU) give one entry.
 */
export function quickFixesAt(reports: Iterable<FindingsReport>, cell: string, diagnostics: readonly DiagnosticAt[], texts: CellTexts): PlannedQuickFix[] {
  const out: PlannedQuickFix[] = [];
  const byEdit = new Map<string, PlannedQuickFix>();
  const all = [...reports];
  diagnostics.forEach((d, di) => {
    for (const report of all) {
      for (const p of diagnosticsFor(report, texts)) {
        if (p.cell !== cell || p.message !== d.message || !samePos(p.start, d.start) || !samePos(p.end, d.end)) continue;
        for (const fix of fixesFor(report, p.findingIndex, texts)) {
          const key = `${fix.title}\n${JSON.stringify(fix.edits)}`;
          const run = { runId: report.runId, reportCell: report.cell };
          const known = byEdit.get(key);
          if (known) {
            if (!known.diagnostics.includes(di)) known.diagnostics.push(di);
            if (!known.runs.some((r) => r.runId === run.runId)) known.runs.push(run);
            continue;
          }
          const entry: PlannedQuickFix = { fix: fix.id, title: fix.title, preferred: fix.preferred && !out.some((q) => q.preferred), edits: fix.edits, diagnostics: [di], runs: [run] };
          byEdit.set(key, entry);
          out.push(entry);
        }
      }
    }
  });
  return out;
}

function samePos(a: Pos, b: Pos): boolean {
  return a.line === b.line && a.character === b.character;
}

function offsetAt(text: string, p: Pos): number {
  let offset = 0;
  for (let line = 0; line < p.line; line++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return offset + p.character;
}

function posAt(text: string, offset: number): Pos {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

const isImport = (e: PlannedEdit): boolean => /^\s*import\b/.test(e.newText) && e.start.line === e.end.line && e.start.character === e.end.character;

/**
 * Where a fix's edits are once applied, in the new text of the first cell it edits: from the first to
 * the last edit of that cell, leaving out an added import line when the cell has other edits (the
 * import sits at the top, the change the user asked for further down). Undefined without edits or
 * when the cell is not open.
 */
export function editedRange(edits: readonly PlannedEdit[], texts: CellTexts): CellRange | undefined {
  if (!edits.length) return undefined;
  const cell = edits[0].cell;
  const text = texts(cell);
  if (text === undefined) return undefined;
  const sorted = edits.filter((e) => e.cell === cell)
    .map((e) => ({ e, start: offsetAt(text, e.start), end: offsetAt(text, e.end) }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let newText = '';
  let at = 0;
  const spans: { e: PlannedEdit; start: number; end: number }[] = [];
  for (const s of sorted) {
    newText += text.slice(at, s.start);
    spans.push({ e: s.e, start: newText.length, end: newText.length + s.e.newText.length });
    newText += s.e.newText;
    at = s.end;
  }
  newText += text.slice(at);
  const main = spans.some((s) => !isImport(s.e)) ? spans.filter((s) => !isImport(s.e)) : spans;
  return { cell, start: posAt(newText, main[0].start), end: posAt(newText, main[main.length - 1].end) };
}

/** What a code lens or the panel asks for: a fix of one finding of one run. */
export interface FixRequest { findingIndex: number; fix: FixId; code?: string; layers?: readonly string[] }

/**
 * Why `request` cannot be applied to the cells as they are now, in words a user reads; undefined
 * when it can. The cases are told apart: a finding of another run, a cell edited or closed since the
 * run, and a fix that does not fit the code as written (the cell is unchanged).
 */
export function whyFixUnavailable(report: FindingsReport | undefined, request: FixRequest, texts: CellTexts): string | undefined {
  const title = fixInfo(request.fix) ? `“${fixTitle(request.fix)}”` : `the fix '${request.fix}'`;
  const finding = report?.findings[request.findingIndex];
  if (!report || !finding || (request.code !== undefined && finding.code !== request.code)
    || (request.layers !== undefined && finding.layers.join(',') !== request.layers.join(','))) {
    return 'this finding is from an earlier run of the cell; run the cell again.';
  }
  if (!finding.fixes.includes(request.fix)) return `${title} is not one of the fixes of this finding.`;
  if (fixesFor(report, request.findingIndex, texts).some((f) => f.id === request.fix)) return undefined;
  const cells = Object.keys(report.cellText);
  const closed = cells.filter((c) => texts(c) === undefined);
  if (closed.length) return `${title} cannot be applied: a cell of this run is not open any more.`;
  if (cells.some((c) => texts(c) !== report.cellText[c])) {
    return `${title} no longer applies: the cells were edited since the run. Run the cell again for fixes that match the code as it is now.`;
  }
  const edits = fixInfo(request.fix)?.edits;
  const layers = finding.layers.length ? ` (${finding.layers.join(', ')})` : '';
  const why = edits === 'model'
    ? `none of the flagged layers${layers} is written where it can change it: a hidden layer's \`tf.layers.x({ … })\` call with the activation as a string, in a \`layers: [...]\` list or \`model.add(...)\` stack of the cells`
    : edits === 'fit'
      ? 'no training call it can edit was found in the cells, or it already has that setting'
      : 'the learning rate or the optimizer is not written in the cells where it can change it';
  return `${title} does not fit this code: ${why}.`;
}
