/**
 * The `.tfnb` serializer VS Code calls to open and save Gradscope notebooks. A thin adapter: the file
 * format, validation and output conversion live in `nbformat.ts` (which the headless CLI shares); this
 * file only moves data between that model and `vscode.NotebookData`.
 *
 * ```ts
 * context.subscriptions.push(vscode.workspace.registerNotebookSerializer('gradscope', new GradscopeSerializer(), { transientOutputs: false }));
 * ```
 */

import * as vscode from 'vscode';
import {
  decodeNotebook, fromCellOutput, parseNotebook, serializeNotebook, toCellOutput, type NotebookCell, type NotebookModel,
} from './nbformat';
import { respelled, spelledText as spelled } from './metadataText';
import { editorLanguage, fileLanguage } from '../language/languageId';

/** What a VS Code cell's metadata carries so that saving writes the nbformat cell back as it was. */
interface CellMetadata { metadata?: Record<string, unknown>; metadataText?: string; id?: string; attachments?: NotebookCell['attachments']; extra?: Record<string, unknown> }
/** What the VS Code notebook's metadata carries for the same reason. */
interface NotebookMetadata {
  metadata?: Record<string, unknown>; metadataText?: string; nbformat?: number; nbformat_minor?: number; extra?: Record<string, unknown>;
  /** The file's line ending when it is `\r\n`, so that saving keeps it. */
  lineEnding?: '\r\n';
  /** True when the file starts with a UTF-8 byte order mark, so that saving keeps it. */
  bom?: true;
}

/** Raw cells have no kind of their own in VS Code: they are code cells in the `raw` language. */
const RAW_LANGUAGE = 'raw';

/** Model → editor data. */
export function toNotebookData(model: NotebookModel): vscode.NotebookData {
  const cells = model.cells.map((cell) => {
    const kind = cell.kind === 'markdown' ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code;
    const data = new vscode.NotebookCellData(kind, cell.source, cell.kind === 'raw' ? RAW_LANGUAGE : editorLanguage(cell.language));
    const metadata: CellMetadata = { metadata: cell.metadata, ...spelled(cell.metadata) };
    if (cell.id !== undefined) metadata.id = cell.id;
    if (cell.attachments) metadata.attachments = cell.attachments;
    if (cell.extra) metadata.extra = cell.extra;
    data.metadata = metadata as Record<string, unknown>;
    if (cell.kind === 'code') {
      data.outputs = cell.outputs.map((o) => {
        const out = toCellOutput(o);
        return new vscode.NotebookCellOutput(out.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)), out.metadata);
      });
      if (typeof cell.executionCount === 'number') data.executionSummary = { executionOrder: cell.executionCount };
    }
    return data;
  });
  const data = new vscode.NotebookData(cells);
  const metadata: NotebookMetadata = { metadata: model.metadata, ...spelled(model.metadata), nbformat: model.nbformat, nbformat_minor: model.nbformatMinor };
  if (model.extra) metadata.extra = model.extra;
  if (model.lineEnding) metadata.lineEnding = model.lineEnding;
  if (model.bom) metadata.bom = true;
  data.metadata = metadata as Record<string, unknown>;
  return data;
}

/** Editor data → model. */
export function fromNotebookData(data: vscode.NotebookData): NotebookModel {
  const nbMeta = (data.metadata ?? {}) as NotebookMetadata;
  const cells = data.cells.map((c): NotebookCell => {
    const meta = (c.metadata ?? {}) as CellMetadata;
    const kind = c.kind === vscode.NotebookCellKind.Markup ? 'markdown' : c.languageId === RAW_LANGUAGE ? 'raw' : 'code';
    const cell: NotebookCell = {
      kind, source: c.value, language: kind === 'code' ? fileLanguage(c.languageId) : kind, outputs: [], metadata: respelled(meta.metadata, meta.metadataText) ?? {},
    };
    if (meta.id !== undefined) cell.id = meta.id;
    if (meta.extra) cell.extra = meta.extra;
    if (kind !== 'code' && meta.attachments) cell.attachments = meta.attachments;
    if (kind === 'code') {
      cell.executionCount = c.executionSummary?.executionOrder ?? null;
      cell.outputs = (c.outputs ?? []).map((o) => fromCellOutput({ items: o.items.map((i) => ({ mime: i.mime, data: i.data })), metadata: o.metadata }));
    }
    return cell;
  });
  const model: NotebookModel = {
    metadata: respelled(nbMeta.metadata, nbMeta.metadataText) ?? parseNotebook('').metadata,
    nbformat: nbMeta.nbformat ?? 4,
    nbformatMinor: nbMeta.nbformat_minor ?? 5,
    cells,
  };
  if (nbMeta.extra) model.extra = nbMeta.extra;
  if (nbMeta.lineEnding === '\r\n') model.lineEnding = '\r\n';
  if (nbMeta.bom === true) model.bom = true;
  return model;
}

/** Reads and writes `.tfnb` files (nbformat 4 JSON). A malformed file fails to open with a message saying what and where. */
export class GradscopeSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array, _token: vscode.CancellationToken): vscode.NotebookData {
    return toNotebookData(parseNotebook(decodeNotebook(content, 'the notebook file'), 'the notebook file'));
  }

  serializeNotebook(data: vscode.NotebookData, _token: vscode.CancellationToken): Uint8Array {
    return new TextEncoder().encode(serializeNotebook(fromNotebookData(data)));
  }
}
