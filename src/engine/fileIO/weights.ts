/**
 * The weights manifest of a `model.json` (tfjs's documented format): a list of groups, each with
 * the files (`paths`, relative to model.json's folder) whose bytes, concatenated in order, hold the
 * group's weights (`weights`: name, shape, dtype, optional quantization) one after another.
 * Checking it before tfjs decodes turns a missing shard, an unknown dtype or a truncated file into a
 * message that names the file and the weight, instead of a RangeError deep inside tfjs.
 */
import type * as tfc from '@tensorflow/tfjs';

type Manifest = tfc.io.WeightsManifestConfig;
type Entry = tfc.io.WeightsManifestEntry;

/** Bytes per element of each weight dtype tfjs decodes (strings are length-prefixed, see below). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
/** Bytes per element of each quantized storage dtype. */
const QUANT_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** The weights file of a model saved in one piece (what tfjs-node writes). */
export const SINGLE_WEIGHTS_FILE = 'weights.bin';

/** tensorflowjs_converter's shard names: `group1-shard1of2.bin`, … (group and shard 1-based). */
export function shardNames(group: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `group${group}-shard${i + 1}of${count}.bin`);
}

/** Splits `data` into consecutive pieces of at most `size` bytes (one empty piece for no data). */
export function splitShards(data: Uint8Array, size: number): Uint8Array[] {
  if (data.length === 0) return [data];
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += size) out.push(data.subarray(at, Math.min(at + size, data.length)));
  return out;
}

const describeWeight = (w: Entry) => `"${w.name}" (${w.quantization ? `${w.quantization.dtype}-quantized ` : ''}${w.dtype} [${w.shape.join(',')}])`;

/** Checks the manifest's shape and dtypes; throws naming `where` (the model.json) and the weight. */
export function checkManifest(manifest: unknown, where: string): Manifest {
  if (!Array.isArray(manifest)) throw new Error(`${where}: "weightsManifest" must be a list of groups, got ${typeof manifest}`);
  manifest.forEach((group: unknown, g) => {
    const gr = group as Partial<Manifest[number]>;
    // tfjs-node writes a model without weights with no "weights" key at all.
    if (gr != null && gr.weights === undefined) gr.weights = [];
    if (gr == null || !Array.isArray(gr.paths) || !gr.paths.every((p) => typeof p === 'string' && p !== '') || !Array.isArray(gr.weights)) {
      throw new Error(`${where}: weightsManifest group ${g + 1} needs "paths" (file names) and "weights" (a list)`);
    }
    for (const w of gr.weights as Entry[]) {
      if (w == null || typeof w.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new Error(`${where}: weightsManifest group ${g + 1} has a weight without a name or with an invalid shape: ${JSON.stringify(w)}`);
      }
      if (!(w.dtype in DTYPE_BYTES) && w.dtype !== 'string') {
        throw new Error(`${where}: weight "${w.name}" has dtype ${JSON.stringify(w.dtype)}; TensorFlow.js weights are float32, int32, bool, complex64 or string`);
      }
      if (w.quantization != null && !(w.quantization.dtype in QUANT_BYTES)) {
        throw new Error(`${where}: weight "${w.name}" is quantized as ${JSON.stringify(w.quantization.dtype)}; TensorFlow.js reads uint8, uint16 or float16 quantization`);
      }
    }
  });
  return manifest as Manifest;
}

/**
 * Checks that a group's bytes hold exactly its weights. Throws when the files are shorter (a
 * truncated or partly copied shard) or longer (a dtype or shape in model.json that does not match
 * the files), naming the files and the first weight that does not fit.
 */
export function checkGroupBytes(bytes: Uint8Array, weights: Entry[], files: string[], where: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const fail = (w: Entry | undefined, need: number) => {
    const shown = files.join(', ');
    throw new Error(w
      ? `${where}: weight ${describeWeight(w)} needs bytes ${at}–${at + need} but ${shown} hold${files.length === 1 ? 's' : ''} only ${bytes.length}: the weight file${files.length === 1 ? ' is' : 's are'} truncated (or model.json lists the wrong dtype or shape)`
      : `${where}: ${shown} hold${files.length === 1 ? 's' : ''} ${bytes.length} bytes but the manifest's ${weights.length} weights need ${at}: a dtype or shape in model.json does not match the weight file${files.length === 1 ? '' : 's'}`);
  };
  for (const w of weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.dtype === 'string' && w.quantization == null) {
      for (let i = 0; i < n; i++) {
        if (at + 4 > bytes.length) fail(w, 4);
        const len = view.getUint32(at, true);
        if (at + 4 + len > bytes.length) fail(w, 4 + len);
        at += 4 + len;
      }
      continue;
    }
    const need = n * (w.quantization ? QUANT_BYTES[w.quantization.dtype] : DTYPE_BYTES[w.dtype]);
    if (at + need > bytes.length) fail(w, need);
    at += need;
  }
  if (at !== bytes.length) fail(undefined, 0);
}
