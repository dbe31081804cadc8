/**
 * Messages between the extension host and the language worker (src/language/worker.ts). Each request
 * names a notebook (its URI) and, for positional requests, a cell id and an offset in the cell.
 */
import type {
  CellDiagnostic, CompletionDetail, CompletionList, HoverInfo, Location, SignatureInfo,
} from './service';

/** A cell in a sync: `text` is omitted when the worker has it already (unchanged since the last sync). */
export interface SyncCell {
  id: string;
  text?: string;
}

/** The requests, by method: parameters and result. */
export interface Requests {
  /** Sets a notebook's code cells in document order (opens the notebook in the worker when new). */
  sync: { params: { notebook: string; dir: string; name: string; cells: SyncCell[] }; result: null };
  close: { params: { notebook: string }; result: null };
  diagnostics: { params: { notebook: string; cell: string }; result: CellDiagnostic[] };
  completions: { params: { notebook: string; cell: string; offset: number; trigger?: string }; result: CompletionList };
  completionDetail: { params: { notebook: string; cell: string; offset: number; name: string; source?: string; data?: unknown }; result: CompletionDetail | undefined };
  hover: { params: { notebook: string; cell: string; offset: number }; result: HoverInfo | undefined };
  signatureHelp: { params: { notebook: string; cell: string; offset: number }; result: SignatureInfo | undefined };
  definition: { params: { notebook: string; cell: string; offset: number }; result: Location[] };
  references: { params: { notebook: string; cell: string; offset: number }; result: Location[] };
  rename: { params: { notebook: string; cell: string; offset: number }; result: { locations: Location[]; placeholder: string } | { error: string } };
}

export type Method = keyof Requests;

export interface RequestMessage<M extends Method = Method> {
  id: number;
  method: M;
  params: Requests[M]['params'];
}

export type ResponseMessage = { id: number; result: unknown } | { id: number; error: string };
