/**
 * Entry of the kernel process (forked by the extension host or the headless runner). It picks the
 * backend, installs the module redirect and the kernel hooks, then runs cells one at a time as the
 * host asks. A crash here takes only this process down: the host reports it and starts a new one.
 */
import * as path from 'node:path';
import { selectBackend } from './backendChoice';
import { CellModules } from './modules';
import { CellRuntime } from './runtime';
import { LayerSources } from './layerSources';
import { createKernelHooks } from './hooks';
import type { HostMessage, KernelMessage, KernelOptions } from '../protocol/kernelMessages';
import { KERNEL_HOOKS_KEY } from '../protocol/kernelHooks';
import { completeAt, inspectAt } from './introspect';
import { InputRequests } from './input';
import type * as Gradscope from '../library';
import { KernelActivity } from './activity';
import { EngineGuard, type GuardedTf } from './engineGuard';
import { captureLayersNameScopes } from './layersNameScopes';
import { assertNotAbandoned } from './cellContext';
import { dropRethrowingListeners } from './fatalHandlers';
import { startWatchdog } from './watchdog';
import { registerFileRouters } from '../engine/fileIO';

const send = (m: KernelMessage, sent?: () => void): void => {
  if (!process.connected) return;
  if (sent) process.send?.(m, undefined, undefined, () => sent());
  else process.send?.(m);
};

function captureStreams(runtime: CellRuntime): void {
  // Write callbacks run once per tick, each callback once: console passes the same error handler with
  // every line, and one nextTick per line would pile up while a synchronous loop prints.
  const callbacks = new Set<() => void>();
  const runCallbacks = () => {
    const due = [...callbacks];
    callbacks.clear();
    for (const cb of due) cb();
  };
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      runtime.emit({ output_type: 'stream', name, text });
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') {
        if (callbacks.size === 0) process.nextTick(runCallbacks);
        callbacks.add(done as () => void);
      }
      return true;
    }) as typeof stream.write;
  }
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.GRADSCOPE_KERNEL_OPTIONS ?? '{}') as Partial<KernelOptions>;
  const kernelDir = __dirname;
  const extensionDir = options.extensionDir ?? path.dirname(kernelDir);
  const workspaceDir = options.workspaceDir ?? process.cwd();
  // tfjs stacks are deep; with V8's default of 10 frames the user's cell frame is often cut off.
  Error.stackTraceLimit = 50;
  const activity = new KernelActivity();
  startWatchdog(activity, options.watchdogFd, (text) => send({ type: 'log', text }));
  // Before anything loads tfjs-layers: its name-scope stack is captured as it loads.
  const nameScopes = captureLayersNameScopes();
  const engine = await selectBackend(options.backend ?? 'auto', workspaceDir, extensionDir);
  const guard = new EngineGuard(engine.tf as unknown as GuardedTf, activity, nameScopes);
  guard.install();
  const tail = options.outputTailLines;
  const runtime = new CellRuntime(send, kernelDir, {
    guard, activity,
    streams: tail === undefined ? undefined : { headLines: Math.ceil(tail / 2), tailLines: Math.floor(tail / 2) },
  });
  captureStreams(runtime);
  // WebGPU validation errors and device loss arrive as events: shown on the cell that runs.
  engine.onGpuError?.((e) => runtime.reportUncaught(e, 'Uncaught error'));

  const notes = [...engine.notes];
  const sources = new LayerSources((call) => hooks.callSite(call));
  sources.instrument(engine.tf as unknown as Record<string, unknown>);
  const libraryPath = path.join(kernelDir, 'gradscope.js');
  const modules = new CellModules(workspaceDir, engine, libraryPath, (tf) => sources.wrapTf(tf));
  modules.installEngineRedirect();
  // file:// models without tfjs-node; relative paths resolve against the notebook's folder. Registered
  // before the library loads, whose own registration then finds these routers in place.
  registerFileRouters(engine.tf, { baseDir: workspaceDir });
  if (engine.name === 'wasm') {
    // The library's engine code, loaded as cells load `gradscope` (dist/gradscope.js over the chosen
    // engine, through the redirect above): the overrides exist once in the process.
    const library = modules.require('gradscope') as typeof Gradscope;
    const patches = library.backend.ensureBackendPatches(engine.tf, { overrides: options.wasmOverrides !== false });
    notes.push(`wasm kernel overrides: ${patches.overrides}${patches.reason ? ` (${patches.reason})` : ''}`);
  }

  const backendInfo = { name: engine.name, device: engine.device };
  const hooks = createKernelHooks(runtime, sources, send, backendInfo, kernelDir, options.diagnostics);
  const g = globalThis as Record<string | symbol, unknown>;
  g[KERNEL_HOOKS_KEY] = hooks;
  // Plain model.fit in a cell is observed by the health monitor as gs.fit is (gs.monitorModelFit(false) turns it off).
  (modules.require('gradscope') as typeof Gradscope).observeModelFit(engine.tf as unknown as Parameters<typeof Gradscope.observeModelFit>[0]);
  g.__gs_require = (s: string) => modules.require(s);
  g.__gs_import = (s: string) => modules.import(s);
  // Every await of a cell resumes through this: code of an interrupted cell stops there.
  g.__gs_resume = <T>(value: T): T => {
    assertNotAbandoned();
    return value;
  };
  g.require = g.__gs_require;
  g.display = (value: unknown, mime?: string) => runtime.display(value, mime);
  const inputs = new InputRequests(send, () => runtime.currentId);
  runtime.onInterrupt(() => inputs.cancelAll('interrupted'));
  g.prompt = (message?: unknown, opts?: { password?: boolean }) => inputs.ask(message, opts);

  process.on('SIGINT', () => runtime.interrupt());
  // Errors from timers or promises a cell left behind: show them, keep the kernel and its variables.
  // The wasm backend's runtime rethrows such errors, ending the process: drop its listeners now and
  // around every cell (a cell may switch to wasm).
  dropRethrowingListeners();
  process.on('uncaughtException', (e) => runtime.reportUncaught(e, 'Uncaught error'));
  process.on('unhandledRejection', (e) => runtime.reportUncaught(e, 'Unhandled promise rejection'));

  let queue = Promise.resolve();
  process.on('message', (m: HostMessage) => {
    if (m.type === 'execute') {
      queue = queue.then(() => {
        dropRethrowingListeners();
        return runtime.execute(m);
      }).then(() => void dropRethrowingListeners());
    }
    else if (m.type === 'shutdown') process.exit(0);
    else if (m.type === 'complete') send({ type: 'completeReply', id: m.id, ...completeAt(m.code, m.cursor, globalThis) });
    else if (m.type === 'inspect') send({ type: 'inspectReply', id: m.id, text: inspectAt(m.code, m.cursor, globalThis, m.detail) });
    else if (m.type === 'inputReply') inputs.answer(m);
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', backend: engine.name, device: engine.device, tfjsVersion: String(engine.tf.version?.tfjs ?? engine.tf.version_core), notes });
}

main().catch((e) => {
  if (e instanceof Error && e.stack) send({ type: 'log', text: e.stack });
  send({ type: 'log', text: `kernel failed to start: ${e instanceof Error ? e.message : String(e)}` });
  process.exitCode = 3;
  setTimeout(() => process.exit(3), 100);
});
