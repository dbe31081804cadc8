/**
 * Cell outputs: nbformat's JSON form ({@link NbOutput}) and the editor's form ({@link CellOutputData},
 * a list of MIME items as VS Code's `NotebookCellOutput` holds them), converted both ways the way
 * VS Code's Jupyter support does, so the controller and the headless CLI share one mapping and a round
 * trip nbformat → editor → nbformat gives the same output back.
 *
 * ```ts
 * const item = toCellOutput({ output_type: 'stream', name: 'stdout', text: 'epoch 1\n' });
 * // { items: [{ mime: 'application/vnd.code.notebook.stdout', data: <utf-8 bytes> }], metadata: { outputType: 'stream' } }
 * fromCellOutput(item); // the stream output again
 * ```
 */

import { parseJson, stringifyJupyter } from './nbformatJson';

/** MIME type → data: a string (text, base64) or, for JSON MIME types, any JSON value. */
export type MimeBundle = Record<string, unknown>;

/** An nbformat 4 output with text joined into strings; unknown fields are kept. */
export type NbOutput =
  | { output_type: 'stream'; name: string; text: string; [extra: string]: unknown }
  | { output_type: 'display_data'; data: MimeBundle; metadata: Record<string, unknown>; transient?: unknown; [extra: string]: unknown }
  | { output_type: 'execute_result'; data: MimeBundle; metadata: Record<string, unknown>; execution_count: number | null; [extra: string]: unknown }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[]; [extra: string]: unknown };

/** One item of an editor output (`vscode.NotebookCellOutputItem`). */
export interface OutputItemData { mime: string; data: Uint8Array }
/** An editor output (`vscode.NotebookCellOutput`): its items and metadata. */
export interface CellOutputData { items: OutputItemData[]; metadata?: Record<string, unknown> }

/** VS Code's MIME types for streams and errors. */
export const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
export const STDERR_MIME = 'application/vnd.code.notebook.stderr';
export const ERROR_MIME = 'application/vnd.code.notebook.error';

/** `application/json` and every `…+json` type hold JSON values, not text. */
export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || /\+json$/.test(mime);
}
/** Types nbformat stores as base64 text and the editor holds as bytes. */
export function isBinaryMime(mime: string): boolean {
  return (mime.startsWith('image/') && mime !== 'image/svg+xml') || /^(audio|video)\//.test(mime) || mime === 'application/pdf' || mime === 'application/octet-stream';
}
/** nbformat writes these as lists of lines (its `_split_mimebundle`). */
function isSplitMime(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'application/javascript' || mime === 'image/svg+xml';
}

// Python's str.splitlines boundaries: \n, \r\n, \r, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029.
const LINE_END = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/g;

/** `text.splitlines(keepends=True)`, as nbformat does before writing. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (const m of text.matchAll(LINE_END)) {
    const end = m.index! + m[0].length;
    lines.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** A multi-line field as read: a string or a list of strings, joined. */
export function joinText(value: unknown, at: string, problem: (what: string) => Error): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
  throw problem(`${at} must be a string or a list of strings`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates one output of the file and joins its text fields. */
export function readOutput(o: unknown, at: string, problem: (what: string) => Error): NbOutput {
  if (!isObject(o)) throw problem(`${at} must be an object`);
  switch (o.output_type) {
    case 'stream':
      if (typeof o.name !== 'string') throw problem(`${at}.name must be "stdout" or "stderr"`);
      return { ...o, output_type: 'stream', name: o.name, text: joinText(o.text, `${at}.text`, problem) };
    case 'display_data':
    case 'execute_result': {
      if (!isObject(o.data)) throw problem(`${at}.data must be an object of MIME types`);
      const data: MimeBundle = {};
      for (const [mime, v] of Object.entries(o.data)) {
        data[mime] = isJsonMime(mime) || typeof v === 'string' ? v : joinText(v, `${at}.data[${JSON.stringify(mime)}]`, problem);
      }
      const metadata = o.metadata ?? {};
      if (!isObject(metadata)) throw problem(`${at}.metadata must be an object`);
      if (o.output_type === 'display_data') return { ...o, output_type: 'display_data', data, metadata };
      const count = o.execution_count ?? null;
      if (count !== null && !Number.isInteger(count)) throw problem(`${at}.execution_count must be an integer or null`);
      return { ...o, output_type: 'execute_result', data, metadata, execution_count: count as number | null };
    }
    case 'error':
      if (!Array.isArray(o.traceback) || !o.traceback.every((l) => typeof l === 'string')) throw problem(`${at}.traceback must be a list of strings`);
      return { ...o, output_type: 'error', ename: String(o.ename ?? ''), evalue: String(o.evalue ?? ''), traceback: o.traceback as string[] };
    default:
      throw problem(`${at}.output_type must be "stream", "display_data", "execute_result" or "error", got ${JSON.stringify(o.output_type)}`);
  }
}

/** An output as nbformat writes it: text MIME types and stream text as lists of lines. */
export function writeOutput(o: NbOutput): Record<string, unknown> {
  if (o.output_type === 'stream') return { ...o, text: splitLines(o.text) };
  if (o.output_type === 'display_data' || o.output_type === 'execute_result') {
    const data: MimeBundle = {};
    for (const [mime, v] of Object.entries(o.data)) data[mime] = typeof v === 'string' && isSplitMime(mime) ? splitLines(v) : v;
    return { ...o, data };
  }
  return { ...o };
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** nbformat output → editor output: stream/error as VS Code's MIME types, one item per MIME type of a bundle. */
export function toCellOutput(o: NbOutput): CellOutputData {
  const { output_type: outputType, ...rest } = o;
  if (o.output_type === 'stream') {
    const { name, text, ...extra } = rest as { name: string; text: string };
    return {
      items: [{ mime: name === 'stderr' ? STDERR_MIME : STDOUT_MIME, data: utf8.encode(text) }],
      metadata: { outputType, ...(name !== 'stdout' && name !== 'stderr' ? { streamName: name } : {}), ...extraOf(extra) },
    };
  }
  if (o.output_type === 'error') {
    const { ename, evalue, traceback, ...extra } = rest as { ename: string; evalue: string; traceback: string[] };
    const shown = { name: ename, message: evalue, stack: traceback.join('\n') };
    return { items: [{ mime: ERROR_MIME, data: utf8.encode(JSON.stringify(shown)) }], metadata: { outputType, originalError: { ename, evalue, traceback }, ...extraOf(extra) } };
  }
  const { data, metadata, execution_count: executionCount, transient, ...extra } = rest as {
    data: MimeBundle; metadata: Record<string, unknown>; execution_count?: number | null; transient?: unknown;
  };
  const items: OutputItemData[] = [];
  const base64: Record<string, string> = {};
  for (const [mime, value] of Object.entries(data)) {
    if (typeof value !== 'string' || isJsonMime(mime)) {
      // Compact JSON that keeps numbers spelled as read (`1e-05`, `2.0`), so the file is written back unchanged.
      items.push({ mime, data: utf8.encode(stringifyJupyter(value, { compact: true })) });
    } else if (isBinaryMime(mime)) {
      const bytes = Buffer.from(value, 'base64');
      const layout = base64Layout(value, bytes);
      if (layout) base64[mime] = layout;
      items.push({ mime, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    } else {
      items.push({ mime, data: utf8.encode(value) });
    }
  }
  return {
    items,
    metadata: {
      outputType, metadata,
      ...(outputType === 'execute_result' ? { executionCount: executionCount ?? null } : {}),
      ...(transient !== undefined ? { transient } : {}),
      ...(Object.keys(base64).length ? { base64 } : {}),
      ...extraOf(extra),
    },
  };
}

const extraOf = (extra: Record<string, unknown>) => (Object.keys(extra).length ? { extra } : {});

/**
 * How a base64 text differs from the plain encoding of its bytes: `'\n'` for a trailing newline
 * (IPython's PNGs), `'76\n'` for lines of 76 characters, each ending in a newline; the text itself
 * when no layout rebuilds it (not canonical base64), so the file is still written back unchanged.
 */
function base64Layout(text: string, bytes: Buffer): string | undefined {
  const plain = bytes.toString('base64');
  if (text === plain) return undefined;
  const trailing = text.endsWith('\n') ? '\n' : '';
  const lines = (trailing ? text.slice(0, -1) : text).split('\n');
  const layout = (lines.length > 1 ? String(lines[0].length) : '') + trailing;
  return layout && wrapBase64(plain, layout) === text ? layout : `=${text}`;
}

function wrapBase64(plain: string, layout: string | undefined): string {
  if (!layout) return plain;
  if (layout.startsWith('=')) {
    const original = layout.slice(1);
    return Buffer.from(original, 'base64').toString('base64') === plain ? original : plain;
  }
  const width = parseInt(layout, 10);
  const body = width > 0 ? plain.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n') : plain;
  return body + (layout.endsWith('\n') ? '\n' : '');
}

/**
 * Editor output → nbformat output. Outputs that came from {@link toCellOutput} come back as they were;
 * new ones (from the kernel) are read from their items and `metadata.outputType` (`execute_result`
 * with `metadata.executionCount` for a cell's value; default `display_data`, or stream/error by MIME type).
 */
export function fromCellOutput(o: CellOutputData): NbOutput {
  const meta = o.metadata ?? {};
  const extra = isObject(meta.extra) ? meta.extra : {};
  const stream = o.items.find((i) => i.mime === STDOUT_MIME || i.mime === STDERR_MIME);
  const error = o.items.find((i) => i.mime === ERROR_MIME);
  const type = meta.outputType ?? (stream ? 'stream' : error ? 'error' : 'display_data');
  if (type === 'stream' && stream) {
    const name = typeof meta.streamName === 'string' ? meta.streamName : stream.mime === STDERR_MIME ? 'stderr' : 'stdout';
    return { ...extra, output_type: 'stream', name, text: fromUtf8.decode(stream.data) };
  }
  if (type === 'error' && error) {
    if (isObject(meta.originalError)) {
      const e = meta.originalError as { ename: string; evalue: string; traceback: string[] };
      return { ...extra, output_type: 'error', ename: e.ename, evalue: e.evalue, traceback: e.traceback };
    }
    const shown = JSON.parse(fromUtf8.decode(error.data)) as { name?: string; message?: string; stack?: string };
    return { ...extra, output_type: 'error', ename: shown.name ?? 'Error', evalue: shown.message ?? '', traceback: (shown.stack ?? '').split('\n') };
  }
  const base64 = isObject(meta.base64) ? (meta.base64 as Record<string, string>) : {};
  const data: MimeBundle = {};
  for (const item of o.items) {
    if (isJsonMime(item.mime)) data[item.mime] = parseJson(fromUtf8.decode(item.data));
    else if (isBinaryMime(item.mime)) data[item.mime] = wrapBase64(Buffer.from(item.data).toString('base64'), base64[item.mime]);
    else data[item.mime] = fromUtf8.decode(item.data);
  }
  const metadata = isObject(meta.metadata) ? meta.metadata : {};
  const transient = meta.transient !== undefined ? { transient: meta.transient } : {};
  if (type === 'execute_result') {
    const count = typeof meta.executionCount === 'number' ? meta.executionCount : null;
    return { ...extra, output_type: 'execute_result', data, metadata, execution_count: count, ...transient };
  }
  return { ...extra, output_type: 'display_data', data, metadata, ...transient };
}
