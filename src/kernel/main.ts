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
import { ensureBackendPatches } from '../engine/wasm';
import { registerFileRouters } from '../engine/fileIO';

const send = (m: KernelMessage): void => {
  if (process.connected) process.send?.(m);
};

function captureStreams(runtime: CellRuntime): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      runtime.emit({ output_type: 'stream', name, text });
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') process.nextTick(done as () => void);
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
  const runtime = new CellRuntime(send, kernelDir);
  captureStreams(runtime);

  const engine = await selectBackend(options.backend ?? 'auto', workspaceDir, extensionDir);
  const notes = [...engine.notes];
  if (engine.name === 'wasm') {
    const patches = ensureBackendPatches(engine.tf, { overrides: options.wasmOverrides !== false });
    notes.push(`wasm kernel overrides: ${patches.overrides}${patches.reason ? ` (${patches.reason})` : ''}`);
  }
  const sources = new LayerSources((call) => hooks.callSite(call));
  sources.instrument(engine.tf as unknown as Record<string, unknown>);
  const modules = new CellModules(workspaceDir, engine, path.join(kernelDir, 'gradscope.js'), (tf) => sources.wrapTf(tf));
  modules.installEngineRedirect();
  // file:// models without tfjs-node; relative paths resolve against the notebook's folder.
  registerFileRouters(engine.tf, { baseDir: workspaceDir });

  const backendInfo = { name: engine.name, device: engine.device };
  const hooks = createKernelHooks(runtime, sources, send, backendInfo, kernelDir, options.diagnostics);
  const g = globalThis as Record<string | symbol, unknown>;
  g[KERNEL_HOOKS_KEY] = hooks;
  g.__gs_require = (s: string) => modules.require(s);
  g.__gs_import = (s: string) => modules.import(s);
  g.require = g.__gs_require;
  g.display = (value: unknown, mime?: string) => runtime.display(value, mime);

  process.on('SIGINT', () => runtime.interrupt());
  // Errors from timers or promises a cell left behind: show them, keep the kernel and its variables.
  process.on('uncaughtException', (e) => runtime.emit({ output_type: 'stream', name: 'stderr', text: `Uncaught ${e instanceof Error ? e.stack ?? e.message : String(e)}\n` }));
  process.on('unhandledRejection', (e) => runtime.emit({ output_type: 'stream', name: 'stderr', text: `Unhandled promise rejection: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n` }));

  let queue = Promise.resolve();
  process.on('message', (m: HostMessage) => {
    if (m.type === 'execute') queue = queue.then(() => runtime.execute(m));
    else if (m.type === 'shutdown') process.exit(0);
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
