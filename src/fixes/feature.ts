/**
 * The editor side of the findings: squiggles on the layers that caused them, code lenses above the
 * model definition and the fit call, and quick fixes that apply the standard remedies to the cells.
 * Thin by design: every decision is made by the pure functions of plan.ts; this file only turns them
 * into VS Code objects, keeps the latest report per run cell (and every run's report until its cell
 * runs again, for the panels' "Apply" buttons) and refreshes when cells change.
 */
import * as vscode from 'vscode';
import type { FindingsReport, Severity } from '../protocol/health';
import { diagnosticsOfReports, editedRange, quickFixesAt, whyFixUnavailable } from './editorPlan';
import { EXPLANATION_SCHEME, explanationOf, explanationPath, parseExplanationPath } from './explanations';
import { fixesFor, lensesFor, type ApplyFixArgs, type CellRange, type CellTexts, type PlannedEdit } from './plan';
import { CELL_LANGUAGE } from '../language/languageId';

/** TypeScript cells of Gradscope and Jupyter notebooks. */
export const FIX_SELECTOR: vscode.DocumentSelector = [
  { notebookType: 'gradscope', language: CELL_LANGUAGE },
  { notebookType: 'gradscope', language: 'typescript' },
  { notebookType: 'jupyter-notebook', language: 'typescript' },
];

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * Internal command a quick fix carries (not in the command palette): VS Code runs it once the quick
 * fix's edit is applied, since a code action's edit gives no other notice.
 */
export const QUICK_FIX_APPLIED = 'gradscope.quickFixApplied';

/** What {@link QUICK_FIX_APPLIED} is called with. */
interface QuickFixApplied { fix: ApplyFixArgs['fix']; runs: { runId: string; reportCell: string }[] }

function toRange(r: CellRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

function toWorkspaceEdit(edits: readonly PlannedEdit[]): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(vscode.Uri.parse(e.cell), toRange(e), e.newText);
  return we;
}

/**
 * Shows the findings of training runs on the cells. The controller calls {@link update} with each
 * findings report and {@link clearCell} when a cell is run again; the instance owns its providers and
 * commands (`gradscope.applyFix`, `gradscope.showHealth`) and disposes them in {@link dispose}.
 *
 * @example
 * const fixes = new FixesFeature();
 * context.subscriptions.push(
 *   fixes,
 *   controller.onFindings((report) => fixes.update(report)),
 *   controller.onCellRun((cell) => fixes.clearCell(cell.document.uri.toString())),
 * );
 */
export class FixesFeature implements vscode.Disposable {
  /** Latest report per cell that ran the training: what the squiggles and lenses show. */
  private readonly reports = new Map<string, FindingsReport>();
  /** Every run's report until its cell runs again: a cell with several gs.fit calls has a panel each. */
  private readonly runs = new Map<string, FindingsReport>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('gradscope');
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  private readonly applied = new vscode.EventEmitter<{ runId: string; reportCell: string; fix: ApplyFixArgs['fix'] }>();
  /** Fires after a fix was applied (panel button, code lens or Ctrl+. quick fix): the run it fixed and its cell, once per run. */
  readonly onDidApplyFix = this.applied.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      this.diagnostics,
      this.lensesChanged,
      this.applied,
      vscode.languages.registerCodeLensProvider(FIX_SELECTOR, {
        onDidChangeCodeLenses: this.lensesChanged.event,
        provideCodeLenses: (doc) => this.codeLenses(doc),
      }),
      vscode.languages.registerCodeActionsProvider(
        FIX_SELECTOR,
        { provideCodeActions: (doc, _range, context) => this.codeActions(doc, context) },
        { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
      ),
      vscode.commands.registerCommand('gradscope.applyFix', (args: ApplyFixArgs) => this.applyFix(args)),
      vscode.commands.registerCommand(QUICK_FIX_APPLIED, (args: QuickFixApplied) => this.quickFixApplied(args)),
      vscode.commands.registerCommand('gradscope.showHealth', (args?: { cell?: string }) => this.showHealth(args?.cell)),
      vscode.workspace.registerTextDocumentContentProvider(EXPLANATION_SCHEME, {
        provideTextDocumentContent: (uri) => {
          const { code, fixes } = parseExplanationPath(uri.path, uri.query);
          return explanationOf(code, fixes);
        },
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.involves(e.document.uri.toString())) this.refresh();
      }),
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        for (const cell of nb.getCells()) this.forget(cell.document.uri.toString());
        this.refresh();
      }),
    );
  }

  /** Shows a run's findings (replacing the previous report of the same run cell). */
  update(report: FindingsReport): void {
    this.reports.set(report.cell, report);
    this.runs.set(report.runId, report);
    this.refresh();
  }

  /**
   * Applies a fix that the gradient-health panel's "Apply" button asked for, by run and finding;
   * `code` and `layers` (when given) must still be the finding's.
   */
  applyFromPanel(message: { runId: string; findingIndex: number; fix: ApplyFixArgs['fix']; code?: string; layers?: string[] }): Promise<boolean> {
    return this.apply(this.runs.get(message.runId), message);
  }

  /** Removes what a previous run of this cell showed (the cell is being run again). */
  clearCell(cellUri: string): void {
    if (this.forget(cellUri)) this.refresh();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.reports.clear();
    this.runs.clear();
  }

  private forget(cellUri: string): boolean {
    for (const [id, r] of this.runs) if (r.cell === cellUri) this.runs.delete(id);
    return this.reports.delete(cellUri);
  }

  private readonly texts: CellTexts = (cell) =>
    vscode.workspace.textDocuments.find((d) => d.uri.toString() === cell)?.getText();

  private involves(cell: string): boolean {
    for (const r of this.runs.values()) if (r.cell === cell || cell in r.cellText) return true;
    return false;
  }

  private refresh(): void {
    const byCell = new Map<string, vscode.Diagnostic[]>();
    for (const p of diagnosticsOfReports(this.reports.values(), this.texts)) {
      const d = new vscode.Diagnostic(toRange(p), p.message, SEVERITY[p.severity]);
      d.source = 'gradscope';
      const fixes = this.reports.get(p.reportCell)?.findings[p.findingIndex]?.fixes ?? [];
      d.code = { value: p.code, target: vscode.Uri.from({ scheme: EXPLANATION_SCHEME, ...explanationPath(p.code, fixes) }) };
      (byCell.get(p.cell) ?? byCell.set(p.cell, []).get(p.cell)!).push(d);
    }
    this.diagnostics.clear();
    for (const [cell, diags] of byCell) this.diagnostics.set(vscode.Uri.parse(cell), diags);
    this.lensesChanged.fire();
  }

  private codeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const cell = doc.uri.toString();
    const out: vscode.CodeLens[] = [];
    for (const report of this.reports.values()) {
      for (const l of lensesFor(report, this.texts)) {
        if (l.cell !== cell) continue;
        out.push(new vscode.CodeLens(new vscode.Range(l.line, 0, l.line, 0), { title: l.title, command: l.command, arguments: [l.args] }));
      }
    }
    return out;
  }

  private codeActions(doc: vscode.TextDocument, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === 'gradscope');
    const at = ours.map((d) => ({ message: d.message, start: d.range.start, end: d.range.end }));
    return quickFixesAt(this.reports.values(), doc.uri.toString(), at, this.texts).map((q) => {
      const action = new vscode.CodeAction(q.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = q.diagnostics.map((i) => ours[i]);
      action.isPreferred = q.preferred;
      action.edit = toWorkspaceEdit(q.edits);
      // VS Code runs the command after it applied the edit: the fix counts as applied, as from a lens.
      const applied: QuickFixApplied = { fix: q.fix, runs: q.runs };
      action.command = { command: QUICK_FIX_APPLIED, title: q.title, arguments: [applied] };
      return action;
    });
  }

  /** A quick fix's edit was applied by VS Code: announce it for each run it fixed. */
  private quickFixApplied(args: QuickFixApplied): void {
    if (!args || typeof args.fix !== 'string' || !Array.isArray(args.runs)) return;
    for (const r of args.runs) {
      if (typeof r?.runId === 'string' && typeof r.reportCell === 'string') this.applied.fire({ runId: r.runId, reportCell: r.reportCell, fix: args.fix });
    }
  }

  /** A code lens's fix: only for the latest run of its cell. */
  private applyFix(args: ApplyFixArgs): Promise<boolean> {
    const report = args && this.reports.get(args.reportCell);
    return this.apply(report && report.runId === args.runId ? report : undefined, args);
  }

  /**
   * Applies a fix, then shows where it edited: the edited cell revealed in its notebook and the
   * change selected, so the user sees it and Ctrl+Z there undoes it. When the fix cannot be applied,
   * says why.
   */
  private async apply(report: FindingsReport | undefined, request: { findingIndex: number; fix: ApplyFixArgs['fix']; code?: string; layers?: string[] }): Promise<boolean> {
    const why = whyFixUnavailable(report, request, this.texts);
    const fix = !why && report ? fixesFor(report, request.findingIndex, this.texts).find((f) => f.id === request.fix) : undefined;
    if (!fix) {
      void vscode.window.showWarningMessage(`Gradscope: ${why ?? 'the fix does not apply.'}`);
      return false;
    }
    // Computed on the text before the edit: the range the change occupies after it.
    const range = editedRange(fix.edits, this.texts);
    if (!(await vscode.workspace.applyEdit(toWorkspaceEdit(fix.edits)))) return false;
    this.applied.fire({ runId: report!.runId, reportCell: report!.cell, fix: fix.id });
    if (range) await this.reveal(range);
    return true;
  }

  private async reveal(range: CellRange): Promise<void> {
    const uri = range.cell;
    const nb = vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document.uri.toString() === uri));
    const index = nb?.getCells().findIndex((c) => c.document.uri.toString() === uri) ?? -1;
    try {
      if (nb && index >= 0) {
        const cells = new vscode.NotebookRange(index, index + 1);
        const editor = await vscode.window.showNotebookDocument(nb, { selections: [cells], preserveFocus: false });
        editor.revealRange(cells, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
      }
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
      if (!doc) return;
      const selection = new vscode.Selection(range.start.line, range.start.character, range.end.line, range.end.character);
      const editor = await vscode.window.showTextDocument(doc, { selection, preserveFocus: false });
      editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } catch {
      // Revealing is a courtesy: the edit is made either way.
    }
  }

  private async showHealth(cell: string | undefined): Promise<void> {
    if (!cell) return;
    for (const nb of vscode.workspace.notebookDocuments) {
      const index = nb.getCells().findIndex((c) => c.document.uri.toString() === cell);
      if (index < 0) continue;
      const range = new vscode.NotebookRange(index, index + 1);
      const editor = await vscode.window.showNotebookDocument(nb, { selections: [range] });
      editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
      return;
    }
  }
}
