/**
 * tfjs-layers' name scopes across interrupts. `Layer.apply` pushes the layer's name on a stack private
 * to the tfjs-layers bundle and pops it on the way out; an interrupt skips that, and from then on the
 * weights of every new layer are named under the interrupted one (`dense_Dense2/dense_Dense5/kernel`,
 * one level more per interrupt), so a model saved afterwards no longer matches a fresh kernel's names.
 *
 * The stack is reached as the bundle loads: {@link captureLayersNameScopes} compiles that one file with a
 * line appended that hands its stack to the kernel (no global, nothing added to `tf`). A bundle without
 * the expected declaration (another tfjs-layers build) loads unchanged and is reported as not checked.
 *
 * ```ts
 * const scopes = captureLayersNameScopes(); // before anything requires @tensorflow/tfjs
 * const depth = scopes.depths();            // before a cell
 * scopes.restore(depth);                    // after an interrupt: number of scopes closed
 * ```
 */
import * as fs from 'node:fs';
import Module from 'node:module';

/** The tfjs-layers bundle Node loads (package main of @tensorflow/tfjs-layers). */
const BUNDLE = /[\\/]@tensorflow[\\/]tfjs-layers[\\/]dist[\\/]tf-layers\.node\.js$/;
/** How the bundle declares the stack (tfjs-layers 4.x). */
const DECLARATION = /^var _nameScopeStack = \[\];$/m;
const HANDOFF = Symbol.for('gradscope.layersNameScopes');

interface LoadingModule { _compile(source: string, filename: string): unknown; [HANDOFF]?: (stack: string[]) => void }
type Loader = (module: LoadingModule, filename: string) => void;

/** The name-scope stacks of the loaded tfjs-layers bundles. */
export class LayersNameScopes {
  readonly stacks: string[][] = [];
  /** Bundles that loaded without their stack found (their scopes cannot be checked). */
  readonly unchecked: string[] = [];

  /** Each stack's depth now (a cell's baseline). */
  depths(): number[] {
    return this.stacks.map((s) => s.length);
  }

  /** Cuts every stack back to its depth in `base` (stacks loaded since: to empty); returns how many scopes were closed. */
  restore(base: readonly number[]): number {
    let closed = 0;
    this.stacks.forEach((s, i) => {
      const keep = base[i] ?? 0;
      if (s.length > keep) {
        closed += s.length - keep;
        s.length = keep;
      }
    });
    return closed;
  }
}

/**
 * Installs the loader hook (once per process) and returns the stacks it captures. Only the tfjs-layers
 * bundle is touched; every other file loads as before.
 */
export function captureLayersNameScopes(): LayersNameScopes {
  const scopes = new LayersNameScopes();
  const extensions = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
  const original = extensions['.js'];
  extensions['.js'] = function loadJs(this: unknown, module: LoadingModule, filename: string) {
    if (!BUNDLE.test(filename)) return original.call(this, module, filename);
    const source = fs.readFileSync(filename, 'utf8');
    if (!DECLARATION.test(source)) {
      scopes.unchecked.push(filename);
      return original.call(this, module, filename);
    }
    module[HANDOFF] = (stack) => scopes.stacks.push(stack);
    // Appended after the last line, so every line number (and the source map) stays as it was.
    module._compile(`${source}\n;module[Symbol.for('gradscope.layersNameScopes')](_nameScopeStack);\n`, filename);
    delete module[HANDOFF];
  };
  return scopes;
}
