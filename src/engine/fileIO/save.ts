/**
 * The `file://` save handler. It writes what tfjs-node writes — `model.json` (the same keys in the
 * same order, `JSON.stringify` without spaces) and the weights in one `weights.bin` — or, with
 * `shardSizeBytes`, the converter's `group1-shardNofM.bin` shards. Saving is a transaction: every
 * file is written and flushed under a temporary name first; only then are the old files moved
 * aside (model.json first, so no model.json ever names weights of another save), the new ones
 * renamed into place (model.json last) and the old ones deleted. A failure at any step puts the
 * old model back; a crash mid-commit leaves at worst no model.json, never a half-written model.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type * as tfc from '@tensorflow/tfjs';
import { SINGLE_WEIGHTS_FILE, shardNames, splitShards } from './weights';
import { shownPath } from './paths';

type Tf = typeof tfc;

/** The file operations a save uses (tests inject failures through it). */
export interface SaveFs {
  writeFile(file: string, data: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
}

/** Writes and flushes a file, so a rename after it never exposes unwritten data. */
async function writeFlushed(file: string, data: Uint8Array | string): Promise<void> {
  const h = await fsp.open(file, 'wx');
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
}

export const nodeSaveFs: SaveFs = { writeFile: writeFlushed, rename: fsp.rename, unlink: fsp.unlink };

/** Arguments of a file-system save ({@link FileModelSaver}, `fileSystem`, `gs.io.fileSystem`). */
export interface FileSystemArgs {
  /** Split the weights into `group1-shardNofM.bin` files of at most this many bytes (as tensorflowjs_converter does). Defaults to one `weights.bin`, as tfjs-node writes. */
  shardSizeBytes?: number;
  /** Folder a relative path resolves against. Defaults to the process's working directory (the notebook's folder in the kernel). */
  baseDir?: string;
}

let counter = 0;

/** Saves a model into a folder (created when missing). */
export class FileModelSaver implements tfc.io.IOHandler {
  constructor(
    private readonly tf: Tf,
    private readonly dir: string,
    private readonly baseDir: string,
    private readonly options: FileSystemArgs = {},
    private readonly ops: SaveFs = nodeSaveFs,
  ) {
    const s = options.shardSizeBytes;
    if (s != null && !(Number.isInteger(s) && s > 0)) throw new Error(`shardSizeBytes must be a positive integer, got ${s}`);
  }

  async save(artifacts: tfc.io.ModelArtifacts): Promise<tfc.io.SaveResult> {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw new Error('file:// saving writes JSON model topology; this model has a binary (GraphDef) topology');
    }
    const shown = shownPath(this.dir, this.baseDir);
    const existing = await fsp.stat(this.dir).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw new Error(`cannot save to ${shown}: it exists as a file (give a folder, e.g. file://./models/name)`);
    await fsp.mkdir(this.dir, { recursive: true });

    const data = artifacts.weightData == null ? new Uint8Array(0) : new Uint8Array(this.tf.io.CompositeArrayBuffer.join(artifacts.weightData));
    const pieces = this.options.shardSizeBytes ? splitShards(data, this.options.shardSizeBytes) : [data];
    const names = this.options.shardSizeBytes ? shardNames(1, pieces.length) : [SINGLE_WEIGHTS_FILE];
    // tfjs-node's model.json: these keys in this order; the graph-model initializer fields follow only when present.
    const modelJSON: Record<string, unknown> = {
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: names, weights: artifacts.weightSpecs }],
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
    };
    for (const k of ['trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const) {
      if (artifacts[k] != null) modelJSON[k] = artifacts[k];
    }
    const files = [...names.map((n, i) => ({ name: n, data: pieces[i] as Uint8Array | string })), { name: 'model.json', data: JSON.stringify(modelJSON) }];
    const stale = (await this.previousWeightFiles()).filter((f) => !names.includes(f));
    await this.commit(files, stale, shown);
    return { modelArtifactsInfo: this.tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  /** The weight files the model.json already in the folder lists (plain names inside the folder only). */
  private async previousWeightFiles(): Promise<string[]> {
    try {
      const old = JSON.parse(await fsp.readFile(path.join(this.dir, 'model.json'), 'utf8')) as tfc.io.ModelJSON;
      return (old.weightsManifest ?? []).flatMap((g) => g.paths).filter((p) => typeof p === 'string' && path.basename(p) === p);
    } catch {
      return [];
    }
  }

  private async commit(files: { name: string; data: Uint8Array | string }[], stale: string[], shown: string): Promise<void> {
    const tag = `${process.pid}-${Date.now().toString(36)}-${counter++}`;
    const at = (n: string) => path.join(this.dir, n);
    const temp = (n: string) => at(`.${n}.saving-${tag}`);
    const backup = (n: string) => at(`.${n}.previous-${tag}`);
    const written: string[] = [];
    const movedAside: string[] = [];
    const placed: string[] = [];
    try {
      for (const f of files) {
        await this.ops.writeFile(temp(f.name), f.data);
        written.push(f.name);
      }
      // model.json first: from here until the new one is in place there is no model.json at all.
      const replaced = ['model.json', ...files.map((f) => f.name).filter((n) => n !== 'model.json'), ...stale];
      for (const n of replaced) {
        if (await exists(at(n))) {
          await this.ops.rename(at(n), backup(n));
          movedAside.push(n);
        }
      }
      for (const f of files) {
        await this.ops.rename(temp(f.name), at(f.name));
        placed.push(f.name);
      }
    } catch (e) {
      for (const n of placed) await this.ops.unlink(at(n)).catch(() => undefined);
      for (const n of movedAside.reverse()) await this.ops.rename(backup(n), at(n)).catch(() => undefined);
      for (const n of written) if (!placed.includes(n)) await this.ops.unlink(temp(n)).catch(() => undefined);
      throw new Error(`saving the model to ${shown} failed, the folder is as it was: ${(e as Error).message}`, { cause: e });
    }
    for (const n of movedAside) await this.ops.unlink(backup(n)).catch(() => undefined);
    await syncDir(this.dir);
  }
}

async function exists(file: string): Promise<boolean> {
  return fsp.stat(file).then(() => true, () => false);
}

/** Flushes the folder's entries (the renames); not every platform can open a folder, so best effort. */
async function syncDir(dir: string): Promise<void> {
  try {
    const h = await fsp.open(dir, 'r');
    try { await h.sync(); } finally { await h.close(); }
  } catch {
    // Windows cannot fsync a directory; the renames are still atomic
  }
}
