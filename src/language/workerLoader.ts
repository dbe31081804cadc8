/**
 * Entry of the language worker thread (dist/languageWorker.js): loads the language server bundle
 * (dist/languageServer.js: src/language/worker.ts with the TypeScript compiler) through V8's code
 * cache, so that a worker started after the first one skips compiling the compiler's code again.
 *
 * The cache lives in the folder the extension host passes as `workerData.cacheDir` (the extension's
 * own storage, never a folder shared with other users: the cache is code V8 runs). Without that
 * folder the bundle loads without a cache. The file's name carries the bundle's size and time and the
 * runtime's version, so a rebuilt extension or another Electron never reads a stale one, and V8 itself
 * rejects data that does not fit the source. The cache is written once, after the first request that
 * made the compiler work (diagnostics or completions), so it holds the functions that a first
 * completion runs, not only the top level; any failure to read or write it only costs the speed-up.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';

/** What the worker is started with. */
export interface LanguageWorkerData {
  /** Folder of the code cache. Defaults to none (no cache). */
  cacheDir?: string;
}

const bundle = path.join(__dirname, 'languageServer.js');
const code = fs.readFileSync(bundle, 'utf8');
const cacheDir = (workerData as LanguageWorkerData | undefined)?.cacheDir;
const stat = fs.statSync(bundle);
const cacheFile = cacheDir
  ? path.join(cacheDir, `languageServer-${stat.size}-${Math.floor(stat.mtimeMs)}-${process.version}-${process.arch}.v8cache`)
  : undefined;

let cachedData: Buffer | undefined;
try {
  if (cacheFile) cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(code), { filename: bundle, cachedData });
const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
const mod = { exports: {} };
run.call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));

if (cacheFile && (!cachedData || script.cachedDataRejected)) {
  const onMessage = (m: { method?: string }) => {
    if (m?.method !== 'completions' && m?.method !== 'diagnostics') return;
    parentPort?.off('message', onMessage);
    // After the server's own listener answered this request (listeners run in order).
    setImmediate(() => {
      try {
        fs.mkdirSync(cacheDir!, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
        // Caches of other builds are never read again.
        for (const f of fs.readdirSync(cacheDir!)) {
          if (f.startsWith('languageServer-') && f.endsWith('.v8cache') && path.join(cacheDir!, f) !== cacheFile) fs.rmSync(path.join(cacheDir!, f), { force: true });
        }
      } catch {
        // No cache this time; the next worker compiles again.
      }
    });
  };
  parentPort?.on('message', onMessage);
}
