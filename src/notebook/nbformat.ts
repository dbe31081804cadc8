/**
 * The `.tfnb` notebook file: nbformat 4 JSON that Jupyter tooling and GitHub read, with the Gradscope
 * TypeScript kernelspec. Pure (no `vscode`): the editor's serializer and the headless CLI share it.
 * Files are written with Jupyter's conventions (sorted keys, 1-space indent, multi-line text as lists of
 * lines, non-ASCII unescaped, trailing newline), so a file Jupyter or Gradscope wrote comes back byte
 * for byte when nothing changed; unknown metadata and fields are kept.
 *
 * ```ts
 * const nb = parseNotebook(fs.readFileSync('train.tfnb', 'utf8'), 'train.tfnb');
 * nb.cells.push({ kind: 'code', source: 'await model.fit(xs, ys)', language: 'typescript', executionCount: null, outputs: [], metadata: {} });
 * fs.writeFileSync('train.tfnb', serializeNotebook(nb));
 * ```
 */

import { JsonSyntaxError, parseJson, stringifyJupyter } from './nbformatJson';
import { joinText, splitLines, type NbOutput, type MimeBundle, readOutput, writeOutput } from './nbformatOutputs';

export * from './nbformatOutputs';
export { parseJson, stringifyJupyter, respell, JsonSyntaxError } from './nbformatJson';

/** Kinds of cells in nbformat 4. */
export type CellKind = 'code' | 'markdown' | 'raw';

/** One cell. Text fields are whole strings here; lists of lines exist only in the file. */
export interface NotebookCell {
  kind: CellKind;
  source: string;
  /** `typescript` for code cells (unless `metadata.vscode.languageId` says otherwise), `markdown`, or `raw`. */
  language: string;
  /**
   * nbformat ≥ 4.5 cell id. {@link parseNotebook} gives a 4.5 cell that has none a new one, once, so
   * every later save writes the same id; a cell made in code without one gets one when written.
   */
  id?: string;
  /** Code cells: the execution count, null when not run. */
  executionCount?: number | null;
  /** Code cells: outputs in nbformat form; empty for other kinds. */
  outputs: NbOutput[];
  /** Cell metadata, unknown keys included. */
  metadata: Record<string, unknown>;
  /** Markdown and raw cells: attachments by file name. */
  attachments?: Record<string, MimeBundle>;
  /** Fields of the cell JSON that nbformat does not define, kept as read. */
  extra?: Record<string, unknown>;
}

/** A whole notebook. */
export interface NotebookModel {
  /** Notebook metadata (kernelspec, language_info, anything else). */
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformatMinor: number;
  cells: NotebookCell[];
  /** Top-level fields nbformat does not define, kept as read. */
  extra?: Record<string, unknown>;
  /** `\r\n` when the file's lines end so (it is written back so); absent for `\n`. */
  lineEnding?: '\r\n';
  /** True when the file starts with a UTF-8 byte order mark (it is written back with one). */
  bom?: true;
}

/** The kernelspec every `.tfnb` names. */
export const GRADSCOPE_KERNELSPEC = { name: 'gradscope', display_name: 'Gradscope (TypeScript)', language: 'typescript' } as const;
/** `metadata.language_info` of a new notebook. */
export const GRADSCOPE_LANGUAGE_INFO = { name: 'typescript', file_extension: '.ts' } as const;

/** A new, empty notebook with the Gradscope kernelspec. */
export function emptyNotebook(): NotebookModel {
  return {
    metadata: { kernelspec: { ...GRADSCOPE_KERNELSPEC }, language_info: { ...GRADSCOPE_LANGUAGE_INFO } },
    nbformat: 4, nbformatMinor: 5, cells: [],
  };
}

const CELL_KEYS = new Set(['cell_type', 'source', 'metadata', 'id', 'execution_count', 'outputs', 'attachments']);
const NOTEBOOK_KEYS = new Set(['cells', 'metadata', 'nbformat', 'nbformat_minor']);

/** A notebook file that cannot be read; the message says what is wrong and where. */
export class NotebookFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotebookFormatError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads notebook text. `where` (a file name) prefixes error messages; defaults to `notebook`. An empty
 * or blank text is a new empty notebook; anything else malformed throws {@link NotebookFormatError}.
 */
export function parseNotebook(text: string, where = 'notebook'): NotebookModel {
  if (typeof text !== 'string') throw new TypeError(`parseNotebook: text must be a string, got ${typeof text}`);
  if (text.trim() === '') return emptyNotebook();
  const problem = (what: string) => new NotebookFormatError(`${where}: ${what}`);
  let json: unknown;
  try {
    json = parseJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw problem(e.message);
    throw e;
  }
  if (!isObject(json)) throw problem('the file must hold a JSON object (an nbformat 4 notebook)');
  if (json.nbformat !== 4) {
    throw problem(json.nbformat === undefined ? 'missing "nbformat" (expected 4)' : `nbformat ${JSON.stringify(json.nbformat)} is not supported; only nbformat 4 is`);
  }
  const minor = json.nbformat_minor ?? 0;
  if (!Number.isInteger(minor)) throw problem('nbformat_minor must be an integer');
  if (!('cells' in json)) throw problem('missing "cells" (a list of cells)');
  if (!Array.isArray(json.cells)) throw problem('"cells" must be a list');
  const metadata = json.metadata ?? {};
  if (!isObject(metadata)) throw problem('"metadata" must be an object');
  const language = codeLanguage(metadata);
  const cells = json.cells.map((c, i) => readCell(c, `cells[${i}]`, language, problem));
  if ((minor as number) >= 5) giveMissingIds(cells);
  const extra = pickExtra(json, NOTEBOOK_KEYS);
  const lineEnding = /\r?\n/.exec(text)?.[0] === '\r\n' ? { lineEnding: '\r\n' as const } : {};
  const bom = text.charCodeAt(0) === 0xfeff ? { bom: true as const } : {};
  return { metadata, nbformat: 4, nbformatMinor: minor as number, cells, ...(extra ? { extra } : {}), ...lineEnding, ...bom };
}

/**
 * nbformat 4.5 requires cell ids: a cell read without one gets a new id here, distinct from the
 * others, and keeps it (the editor holds it in the cell's metadata; the CLI writes it).
 */
function giveMissingIds(cells: NotebookCell[]): void {
  const taken = new Set(cells.map((c) => c.id).filter((id) => id !== undefined));
  for (const cell of cells) {
    if (cell.id !== undefined) continue;
    let id = newCellId();
    while (taken.has(id)) id = newCellId();
    taken.add(id);
    cell.id = id;
  }
}

/**
 * Notebook file bytes as text. Invalid UTF-8 throws {@link NotebookFormatError} naming the first bad
 * byte and its line, instead of turning it into U+FFFD (saving that would change the file). A leading BOM stays in the text; parseNotebook notes it (`bom`) and serializeNotebook writes it back.
 */
export function decodeNotebook(bytes: Uint8Array, where = 'notebook'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // Up to the first bad byte, the lenient decoding re-encodes to the same bytes.
    const again = new TextEncoder().encode(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
    let at = 0;
    while (at < bytes.length && bytes[at] === again[at]) at++;
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    const hex = bytes[at].toString(16).padStart(2, '0');
    throw new NotebookFormatError(`${where}: not UTF-8 text (invalid byte 0x${hex} at offset ${at}, line ${line}); the file was left as it is`);
  }
}

/** The language of code cells: the notebook's `language_info.name`, else `typescript`. */
function codeLanguage(metadata: Record<string, unknown>): string {
  const info = metadata.language_info;
  return isObject(info) && typeof info.name === 'string' ? info.name : 'typescript';
}

function readCell(c: unknown, at: string, language: string, problem: (w: string) => Error): NotebookCell {
  if (!isObject(c)) throw problem(`${at} must be an object`);
  const kind = c.cell_type;
  if (kind !== 'code' && kind !== 'markdown' && kind !== 'raw') {
    throw problem(`${at}.cell_type must be "code", "markdown" or "raw", got ${JSON.stringify(kind)}`);
  }
  const source = joinText(c.source, `${at}.source`, problem);
  const metadata = c.metadata ?? {};
  if (!isObject(metadata)) throw problem(`${at}.metadata must be an object`);
  if (c.id !== undefined && typeof c.id !== 'string') throw problem(`${at}.id must be a string`);
  const vscodeMeta = metadata.vscode;
  const languageId = isObject(vscodeMeta) && typeof vscodeMeta.languageId === 'string' ? vscodeMeta.languageId : undefined;
  const cell: NotebookCell = {
    kind, source, metadata, outputs: [],
    language: kind === 'code' ? languageId ?? language : kind,
    ...(c.id !== undefined ? { id: c.id as string } : {}),
  };
  if (kind === 'code') {
    const count = c.execution_count ?? null;
    if (count !== null && !Number.isInteger(count)) throw problem(`${at}.execution_count must be an integer or null`);
    cell.executionCount = count as number | null;
    const outputs = c.outputs ?? [];
    if (!Array.isArray(outputs)) throw problem(`${at}.outputs must be a list`);
    cell.outputs = outputs.map((o, j) => readOutput(o, `${at}.outputs[${j}]`, problem));
  } else if (c.attachments !== undefined) {
    if (!isObject(c.attachments)) throw problem(`${at}.attachments must be an object`);
    cell.attachments = {};
    for (const [name, bundle] of Object.entries(c.attachments)) {
      if (!isObject(bundle)) throw problem(`${at}.attachments[${JSON.stringify(name)}] must be an object`);
      cell.attachments[name] = bundle as MimeBundle;
    }
  }
  const extra = pickExtra(c, CELL_KEYS);
  if (extra) cell.extra = extra;
  return cell;
}

function pickExtra(obj: Record<string, unknown>, known: Set<string>): Record<string, unknown> | undefined {
  const keys = Object.keys(obj).filter((k) => !known.has(k));
  return keys.length ? Object.fromEntries(keys.map((k) => [k, obj[k]])) : undefined;
}

/** Writes a notebook as Jupyter does (see the module doc), ending in a newline, with the line ending it was read with. */
export function serializeNotebook(model: NotebookModel): string {
  if (!model || !Array.isArray(model.cells)) throw new TypeError('serializeNotebook: model.cells must be an array');
  const language = codeLanguage(model.metadata ?? {});
  const needsIds = model.nbformat === 4 && model.nbformatMinor >= 5;
  const cells = model.cells.map((cell) => {
    const out: Record<string, unknown> = { ...cell.extra, cell_type: cell.kind, metadata: cellMetadata(cell, language), source: splitLines(cell.source) };
    const id = cell.id ?? (needsIds ? newCellId() : undefined);
    if (id !== undefined) out.id = id;
    if (cell.kind === 'code') {
      out.execution_count = cell.executionCount ?? null;
      out.outputs = cell.outputs.map(writeOutput);
    } else if (cell.attachments) {
      out.attachments = Object.fromEntries(Object.entries(cell.attachments).map(([k, b]) => [k, writeOutput({ output_type: 'display_data', data: b, metadata: {} }).data]));
    }
    return out;
  });
  const nb = { ...model.extra, cells, metadata: model.metadata ?? {}, nbformat: model.nbformat ?? 4, nbformat_minor: model.nbformatMinor ?? 5 };
  const text = stringifyJupyter(nb) + '\n';
  // Raw line breaks occur only between JSON tokens (strings escape theirs), so this keeps contents.
  const ended = model.lineEnding === '\r\n' ? text.replace(/\n/g, '\r\n') : text;
  return model.bom ? `\uFEFF${ended}` : ended;
}

/** A code cell in another language than the notebook's records it where VS Code's Jupyter support does. */
function cellMetadata(cell: NotebookCell, language: string): Record<string, unknown> {
  const metadata = cell.metadata ?? {};
  if (cell.kind !== 'code' || cell.language === language) return metadata;
  const vscode = isObject(metadata.vscode) ? metadata.vscode : {};
  if (vscode.languageId === cell.language) return metadata;
  return { ...metadata, vscode: { ...vscode, languageId: cell.language } };
}

/** An id like Jupyter's (8 hex digits of a random UUID). */
function newCellId(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 8);
}
