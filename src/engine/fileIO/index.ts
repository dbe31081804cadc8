/**
 * `file://` models in plain Node, without tfjs-node: save and load routers for tfjs's IO registry,
 * so `model.save('file://./models/base')`, `tf.loadLayersModel('file://./models/base/model.json')`
 * and `tf.loadGraphModel('file://…/model.json')` work on the wasm and cpu backends. The files are
 * the ones tfjs-node writes and reads (and tensorflowjs_converter's sharded weights). Registration
 * is idempotent across bundles (the kernel and the gradscope library each call it) and steps aside
 * for tfjs-node's own file:// handler when that is loaded, before or after.
 *
 * @example
 * ```ts
 * registerFileRouters(tf, { baseDir: notebookFolder });
 * await model.save('file://./models/base');                       // models/base/model.json + weights.bin
 * const again = await tf.loadLayersModel('file://./models/base/model.json');
 * await model.save(fileSystem(tf, './models/big', { shardSizeBytes: 4 << 20 })); // group1-shard1of3.bin, …
 * ```
 */
import type * as tfc from '@tensorflow/tfjs';
import { FILE_SCHEME, isFileUrl, resolveFilePath } from './paths';
import { checkLoadOptions, FileModelLoader } from './load';
import { FileModelSaver, type FileSystemArgs } from './save';
import { installOfflineMessages } from './http';

export { FileModelLoader } from './load';
export { FileModelSaver, type FileSystemArgs, type SaveFs } from './save';
export { networkReason } from './http';

type Tf = typeof tfc;

/** Marks handlers made by these routers, whichever bundle made them. */
const OURS = Symbol.for('gradscope.fileIO.handler');

/** Arguments of {@link registerFileRouters}. */
export interface FileRoutersArgs {
  /** Folder that relative `file://` paths resolve against, or a function giving it at each save or load. Defaults to the process's working directory at each save or load. */
  baseDir?: string | (() => string);
}

/** How registration went: newly registered, already registered by Gradscope, or left to tfjs-node's handler. */
export type FileRoutersState = 'registered' | 'already' | 'tfjs-node';

const mark = <T extends object>(h: T): T => Object.assign(h, { [OURS]: true });
const isOurs = (h: unknown) => h != null && (h as Record<symbol, unknown>)[OURS] === true;
const PROBE = `${FILE_SCHEME}/gradscope-probe/model.json`;

/**
 * Registers the `file://` save and load routers on `tf.io` (and the offline message of http(s)://
 * loading). Relative paths resolve against `baseDir`.
 */
export function registerFileRouters(tf: Tf, args: FileRoutersArgs = {}): FileRoutersState {
  installOfflineMessages(tf);
  const probe = [...tf.io.getLoadHandlers(PROBE), ...tf.io.getSaveHandlers(PROBE)];
  if (probe.some(isOurs)) return 'already';
  if (probe.length > 0) return 'tfjs-node';
  const base = () => (typeof args.baseDir === 'function' ? args.baseDir() : args.baseDir ?? process.cwd());
  let asking = false;
  /** True when another (tfjs-node's) router also answers `url`: then it has the URL to itself. */
  const foreign = (url: string, kind: 'load' | 'save') => {
    if (asking) return true;
    asking = true;
    try {
      const others = kind === 'load' ? tf.io.getLoadHandlers(url) : tf.io.getSaveHandlers(url);
      return others.some((h) => !isOurs(h));
    } finally {
      asking = false;
    }
  };
  tf.io.registerLoadRouter(((url: string | string[], options?: tfc.io.LoadOptions) => {
    if (Array.isArray(url)) {
      if (!url.every(isFileUrl) || foreign(url as unknown as string, 'load')) return null;
      throw new Error(`file:// loading takes one model.json; ${url.length} paths (a binary .pb topology and a manifest) are not supported: convert the model to the JSON format (tensorflowjs_converter --output_format=tfjs_graph_model)`);
    }
    if (!isFileUrl(url) || foreign(url, 'load')) return null;
    checkLoadOptions(options, url);
    const b = base();
    return mark(new FileModelLoader(tf, resolveFilePath(url, b), b, options));
  }) as Parameters<Tf['io']['registerLoadRouter']>[0]);
  tf.io.registerSaveRouter(((url: string | string[]) => {
    if (!isFileUrl(url) || foreign(url, 'save')) return null;
    const b = base();
    return mark(new FileModelSaver(tf, resolveFilePath(url, b), b));
  }) as Parameters<Tf['io']['registerSaveRouter']>[0]);
  return 'registered';
}

/**
 * A file-system IO handler for `model.save(…)` and `tf.loadLayersModel(…)` / `tf.loadGraphModel(…)`,
 * for what a URL cannot say: sharded saving. `path` is a folder to save into, or a model.json (or
 * its folder) to load; relative paths resolve against `baseDir`.
 */
export function fileSystem(tf: Tf, path: string, options: FileSystemArgs = {}): tfc.io.IOHandler {
  const unknown = Object.keys(options).filter((k) => k !== 'shardSizeBytes' && k !== 'baseDir');
  if (unknown.length) throw new Error(`fileSystem: unknown option ${unknown.map((k) => `\`${k}\``).join(', ')} (options: shardSizeBytes, baseDir)`);
  const b = options.baseDir ?? process.cwd();
  const abs = resolveFilePath(path, b);
  const saver = new FileModelSaver(tf, abs, b, { shardSizeBytes: options.shardSizeBytes });
  const loader = new FileModelLoader(tf, abs, b);
  return mark({ save: (a: tfc.io.ModelArtifacts) => saver.save(a), load: () => loader.load() });
}
