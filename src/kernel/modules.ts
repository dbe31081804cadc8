/**
 * How cells find modules. `gradscope` is the extension's own training library; every `@tensorflow/*`
 * package resolves to the one engine the kernel chose (so a tensor made in a cell meets the library's
 * and the native package's tensors); everything else resolves from the notebook's folder upwards
 * (the workspace's node_modules), as a script in that folder would.
 */
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SelectedBackend } from './backendChoice';

const ENGINE_PACKAGES = [
  '@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-converter',
  '@tensorflow/tfjs-data', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu',
];
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;

/** The package name of a bare specifier (`@scope/name/sub` → `@scope/name`). */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Resolves and loads modules for cells; see the file comment. */
export class CellModules {
  private readonly workspaceRequire: NodeJS.Require;
  private readonly engineRequire: NodeJS.Require;
  private readonly overrides = new Map<string, string>();

  constructor(
    private readonly workspaceDir: string,
    private readonly engine: SelectedBackend,
    gradscopePath: string,
    private readonly wrapTf: (tf: unknown) => unknown,
  ) {
    this.workspaceRequire = createRequire(path.join(workspaceDir, '__cell__.js'));
    this.engineRequire = createRequire(engine.tfjsPath);
    this.overrides.set('gradscope', gradscopePath);
    this.overrides.set('@tensorflow/tfjs', engine.tfjsPath);
  }

  /**
   * Redirects every `require('@tensorflow/…')` in the process (cells, the gradscope library, the
   * workspace's own modules) to the engine's copy. Installed once, at kernel start.
   */
  installEngineRedirect(): void {
    const mod = Module as unknown as { _resolveFilename: ResolveFilename };
    const original = mod._resolveFilename;
    const redirect = (request: string): string | undefined => {
      if (this.overrides.has(request)) return this.overrides.get(request);
      const name = packageName(request);
      if (ENGINE_PACKAGES.includes(name)) {
        try {
          return this.engineRequire.resolve(request);
        } catch {
          return undefined;
        }
      }
      if (NATIVE_PACKAGES.includes(name) && this.engine.nativeModule && request === name) return this.engine.nativeModule.path;
      return undefined;
    };
    mod._resolveFilename = function (request, parent, isMain, options) {
      return redirect(request) ?? original.call(this, request, parent, isMain, options);
    };
  }

  /** `require` for cells (what `import … from 'x'` compiles to). */
  require(specifier: string): unknown {
    if (NATIVE_PACKAGES.includes(specifier) && !this.engine.nativeModule) {
      throw new Error(
        `${specifier} is not available in this kernel (backend: ${this.engine.name}). ` +
        `To train on the native TensorFlow backend, run \`npm i ${specifier}\` in your workspace and restart the kernel.`,
      );
    }
    const loaded = this.workspaceRequire(specifier);
    return packageName(specifier) === '@tensorflow/tfjs' || NATIVE_PACKAGES.includes(specifier) ? this.wrapTf(loaded) : loaded;
  }

  /** Dynamic `import()` for cells; ES modules load through Node's own loader. */
  async import(specifier: string): Promise<unknown> {
    const builtin = specifier.startsWith('node:') || Module.builtinModules.includes(specifier);
    if (builtin) return this.require(specifier);
    let resolved: string;
    try {
      resolved = this.overrides.get(specifier) ?? this.workspaceRequire.resolve(specifier);
    } catch (e) {
      throw new Error(`Cannot find module '${specifier}' from ${this.workspaceDir}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (resolved.endsWith('.js') || resolved.endsWith('.cjs')) {
      try {
        return this.require(specifier);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM' && (e as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ASYNC_MODULE') throw e;
      }
    }
    return nativeImport(pathToFileURL(resolved).href);
  }
}

// esbuild rewrites `import()` in a CommonJS bundle into a require; a Function keeps the real one.
const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;
