/**
 * The `file://` load handler: reads a `model.json` (layers or graph format) and the weight files its
 * manifest lists, the same files tfjs-node's handler reads, and hands tfjs the artifacts. Before tfjs
 * decodes anything it checks what can go wrong on disk — a missing model.json or shard, a file that
 * is not JSON, an unknown dtype, a shard shorter or longer than its weights — and says which file.
 * Of tfjs's load options it honours `onProgress` (one step per weight file), `weightPathPrefix` (the
 * folder of the weight files, a path or file:// URL) and `weightUrlConverter` (a weight file's name →
 * its path or file:// URL); `strict` is tfjs-layers' own; the http-only ones (`requestInit`,
 * `fetchFunc`, `streamWeights`, `fromTFHub`) are refused by name.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as tfc from '@tensorflow/tfjs';
import { checkGroupBytes, checkManifest } from './weights';
import { resolveFilePath, shownPath } from './paths';

type Tf = typeof tfc;

/** Load options that only make sense for http(s):// models; given with file:// they are refused by name. */
const HTTP_ONLY = ['requestInit', 'fetchFunc', 'streamWeights', 'fromTFHub'] as const;

/** Refuses the http-only options of `options` (a null or false value is no request). */
export function checkLoadOptions(options: tfc.io.LoadOptions | undefined, url: string): void {
  for (const k of HTTP_ONLY) {
    const v = options?.[k];
    if (v != null && v !== false) throw new Error(`${url}: the load option \`${k}\` applies to http(s):// models; a file:// model is read from disk (remove the option)`);
  }
}

function notFound(e: unknown, what: string): never {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${what} does not exist: loading failed`);
  throw e;
}

/** Reads a model from disk; `file` is model.json or the folder that holds it. */
export class FileModelLoader implements tfc.io.IOHandler {
  constructor(
    private readonly tf: Tf,
    private readonly file: string,
    private readonly baseDir: string,
    private readonly options: tfc.io.LoadOptions = {},
  ) {}

  async load(): Promise<tfc.io.ModelArtifacts> {
    let jsonPath = this.file;
    const info = await fs.stat(jsonPath).catch((e) => notFound(e, `model file ${shownPath(jsonPath, this.baseDir)}`));
    if (info.isDirectory()) {
      jsonPath = path.join(jsonPath, 'model.json');
      await fs.stat(jsonPath).catch((e) => notFound(e, `${shownPath(this.file, this.baseDir)} is a folder without a model.json, so ${shownPath(jsonPath, this.baseDir)}`));
    }
    const where = shownPath(jsonPath, this.baseDir);
    const text = await fs.readFile(jsonPath, 'utf8');
    let modelJSON: tfc.io.ModelJSON;
    try {
      modelJSON = JSON.parse(text) as tfc.io.ModelJSON;
    } catch (e) {
      throw new Error(`${where} is not valid JSON (${(e as Error).message}; ${text.length} characters): a truncated or partly written file, or not a TensorFlow.js model.json`);
    }
    if (modelJSON == null || typeof modelJSON !== 'object' || (modelJSON.modelTopology == null && modelJSON.weightsManifest == null)) {
      throw new Error(`${where} holds neither "modelTopology" nor "weightsManifest": not a TensorFlow.js model.json`);
    }
    const manifest = modelJSON.weightsManifest == null ? undefined : checkManifest(modelJSON.weightsManifest, where);
    const total = manifest ? manifest.reduce((n, g) => n + g.paths.length, 0) : 0;
    let done = 0;
    const progress = (f: number) => this.options.onProgress?.(f);
    progress(total ? 0 : 1);
    const weightsDir = this.options.weightPathPrefix != null ? resolveFilePath(this.options.weightPathPrefix, this.baseDir) : path.dirname(jsonPath);
    const loadWeights = async (groups: tfc.io.WeightsManifestConfig): Promise<[tfc.io.WeightsManifestEntry[], ArrayBuffer]> => {
      const specs: tfc.io.WeightsManifestEntry[] = [];
      const pieces: Uint8Array[] = [];
      for (const [g, group] of groups.entries()) {
        const files: string[] = [];
        const bytes: Uint8Array[] = [];
        for (const name of group.paths) {
          const target = this.options.weightUrlConverter ? resolveFilePath(await this.options.weightUrlConverter(name), this.baseDir) : path.resolve(weightsDir, name);
          files.push(shownPath(target, this.baseDir));
          bytes.push(await fs.readFile(target).catch((e) =>
            notFound(e, `weight file ${shownPath(target, this.baseDir)} (listed in ${where}, weightsManifest group ${g + 1} of ${groups.length})`)));
          progress(++done / total);
        }
        const joined = concat(bytes);
        checkGroupBytes(joined, group.weights, files, where);
        pieces.push(joined);
        specs.push(...group.weights);
      }
      const all = concat(pieces);
      return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
    };
    return this.tf.io.getModelArtifactsForJSON(modelJSON, loadWeights);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
