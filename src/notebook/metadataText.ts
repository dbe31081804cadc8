/**
 * Metadata through VS Code without losing how its numbers were written. VS Code copies notebook and
 * cell metadata as plain JSON, which forgets spellings (`1.0`, `1e-05`) and turns `-0` into `0` and
 * `1e400` (Infinity) into `null`. The serializer keeps the spelled text beside the metadata
 * ({@link spelledText}); on save every number still equal as JSON gets its spelling back
 * ({@link respelled}); the values the user changed are written as they now are.
 *
 * @example
 * const meta = { metadata: m, ...spelledText(m) };               // into vscode.NotebookCellData.metadata
 * const back = respelled(copy.metadata, copy.metadataText);      // out of it, at save
 */
import { parseJson, respell, stringifyJupyter } from './nbformatJson';

/** `{ metadataText }` when JSON.stringify would spell `metadata` differently from the file, else `{}`. */
export function spelledText(metadata: Record<string, unknown>): { metadataText?: string } {
  const text = stringifyJupyter(metadata, { compact: true });
  return text === JSON.stringify(metadata) ? {} : { metadataText: text };
}

/** The metadata VS Code returned, with the file's number spellings wherever the number is unchanged. */
export function respelled(metadata: Record<string, unknown> | undefined, text: string | undefined): Record<string, unknown> | undefined {
  if (metadata === undefined || typeof text !== 'string') return metadata;
  return respell(metadata, parseJson(text)) as Record<string, unknown>;
}
