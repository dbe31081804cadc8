/**
 * How the kernel shows values: the last expression of a cell and `display(value, mime?)`. Tensors
 * show shape, dtype and a short form of their values; models show their summary; the rest is
 * `util.inspect` as Node's REPL shows it.
 */
import { inspect } from 'node:util';
import { MIME_BUNDLE_KEY } from '../protocol/kernelHooks';

/** MIME bundle: MIME type → data (strings for text types, objects for JSON types, base64 for images). */
export type MimeBundle = Record<string, unknown>;

interface TensorLike {
  shape: number[];
  dtype: string;
  isDisposed: boolean;
  toString(verbose?: boolean): string;
}

interface ModelLike {
  layers: unknown[];
  summary(lineLength?: number, positions?: number[], printFn?: (message?: unknown) => void): void;
}

function isTensor(v: unknown): v is TensorLike {
  return typeof v === 'object' && v !== null && Array.isArray((v as TensorLike).shape) &&
    typeof (v as TensorLike).dtype === 'string' && typeof (v as { dataSync?: unknown }).dataSync === 'function';
}

function isModel(v: unknown): v is ModelLike {
  return typeof v === 'object' && v !== null && Array.isArray((v as ModelLike).layers) &&
    typeof (v as ModelLike).summary === 'function';
}

/** Short text of a tensor: `Tensor float32 [2,3]` then its values (tfjs elides the middle of big ones). */
export function formatTensor(t: TensorLike): string {
  if (t.isDisposed) return `Tensor ${t.dtype} [${t.shape.join(',')}] (disposed)`;
  const values = t.toString().replace(/^Tensor\s*\n?/, '');
  return `Tensor ${t.dtype} [${t.shape.join(',')}]\n${values.replace(/^ {4}/gm, '')}`;
}

/** Plain-text representation of any value. */
export function formatText(value: unknown): string {
  if (isTensor(value)) return formatTensor(value);
  if (isModel(value)) {
    const lines: string[] = [];
    try {
      value.summary(undefined, undefined, (m) => lines.push(String(m)));
      return lines.join('\n');
    } catch {
      // an unbuilt model cannot summarize itself; inspect it instead
    }
  }
  if (typeof value === 'string') return value;
  return inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 });
}

function toBase64(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return Buffer.from(data).toString('base64');
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data)).toString('base64');
  throw new TypeError('binary display data must be a base64 string, a Uint8Array or an ArrayBuffer');
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

/** The MIME bundle a value provides itself (see MIME_BUNDLE_KEY), when it does and it is well formed. */
function bundleOf(value: unknown): MimeBundle | undefined {
  const make = (value as { [MIME_BUNDLE_KEY]?: unknown } | null | undefined)?.[MIME_BUNDLE_KEY];
  if (typeof make !== 'function') return undefined;
  const b = (make as () => unknown).call(value);
  return b !== null && typeof b === 'object' && !Array.isArray(b) && Object.keys(b).length ? (b as MimeBundle) : undefined;
}

/**
 * The MIME bundle for `display(value, mime?)`. With a MIME type the value is that type's data; without,
 * PNG bytes become an image, plain objects and arrays become JSON (with a text fallback), and anything
 * else becomes text.
 */
export function toMimeBundle(value: unknown, mime?: string): MimeBundle {
  if (mime) {
    if (mime.startsWith('image/') && !mime.includes('svg')) return { [mime]: toBase64(value) };
    if (mime === 'application/json' || mime.endsWith('+json')) {
      return { [mime]: typeof value === 'string' ? JSON.parse(value) : JSON.parse(JSON.stringify(value)) };
    }
    return { [mime]: typeof value === 'string' ? value : formatText(value) };
  }
  const own = bundleOf(value);
  if (own) return own;
  if (value instanceof Uint8Array && PNG_SIGNATURE.every((b, i) => value[i] === b)) return { 'image/png': toBase64(value) };
  if (!isTensor(value) && !isModel(value) && value !== null && typeof value === 'object' &&
      (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
    try {
      return { 'application/json': JSON.parse(JSON.stringify(value)), 'text/plain': formatText(value) };
    } catch {
      // cyclic or not JSON-able: text only
    }
  }
  return { 'text/plain': formatText(value) };
}
