/**
 * Keeps TensorFlow.js usable across interrupts. Stopping a cell terminates V8 execution, which skips
 * every `catch`/`finally` on the stack: tfjs's engine is left with scopes open (`tf.tidy`), a kernel
 * depth above 0 (the tape stays off, so later gradients find no path) and maybe a gradient tape. The
 * guard records the engine's invariants before a cell runs and puts them back after an interrupt
 * (ending the scopes the cell opened frees their tensors), closes the tfjs-layers name scopes the cell
 * left open (src/kernel/layersNameScopes.ts), then proves that gradients work again.
 * It also wraps the engine's op entry so that code of an abandoned cell throws at its next op.
 */
import { assertNotAbandoned } from './cellContext';
import type { KernelActivity } from './activity';
import type { LayersNameScopes } from './layersNameScopes';

interface TapeNode { saved?: { dispose(): void }[] }
interface ScopeInfo { track: unknown[] }
interface EngineState {
  scopeStack: ScopeInfo[];
  activeScope: ScopeInfo | null;
  kernelDepth: number;
  gradientDepth: number;
  activeTape: TapeNode[] | null;
  numDataMovesStack: number[];
  numTensors: number;
}
interface Engine {
  state: EngineState;
  endScope(result?: unknown): void;
  runKernelFunc(params: unknown): unknown;
}
/** The parts of the tfjs namespace the guard uses. */
export interface GuardedTf {
  engine(): unknown;
  tidy<T>(fn: () => T): T;
  grad(f: (x: unknown) => unknown): (x: unknown) => { dataSync(): ArrayLike<number> };
  scalar(v: number): unknown;
  square(x: unknown): unknown;
}

/** The engine's invariants as a cell found them. */
export interface EngineBaseline {
  scopes: number;
  kernelDepth: number;
  gradientDepth: number;
  dataMoves: number;
  /** Depth of each tfjs-layers name-scope stack. */
  nameScopes: number[];
}

/** What {@link EngineGuard.restore} did and whether the engine works again. */
export interface RestoreReport {
  /** True when the invariants hold again and a gradient probe gave the right value. */
  ok: boolean;
  /** What was repaired, for the interrupt message (empty when nothing was off). */
  repairs: string[];
  /** Why the engine is not usable, when `ok` is false. */
  problem?: string;
}

/** See the file comment. */
export class EngineGuard {
  private readonly engine: Engine;
  private toldUnchecked = false;

  /** `nameScopes`: the tfjs-layers name scopes to restore too. Defaults to none (left as they are). */
  constructor(private readonly tf: GuardedTf, private readonly activity?: KernelActivity, private readonly nameScopes?: LayersNameScopes) {
    this.engine = tf.engine() as Engine;
  }

  /** Wraps the engine's op entry (every op goes through it): abandoned cells throw; op depth is shared. */
  install(): void {
    const engine = this.engine;
    const original = engine.runKernelFunc;
    const activity = this.activity;
    engine.runKernelFunc = function guardedRunKernelFunc(this: Engine, params: unknown) {
      assertNotAbandoned();
      if (!activity) return original.call(this, params);
      activity.opDepth++;
      try {
        return original.call(this, params);
      } finally {
        activity.opDepth--;
      }
    };
  }

  baseline(): EngineBaseline {
    const s = this.engine.state;
    return { scopes: s.scopeStack.length, kernelDepth: s.kernelDepth, gradientDepth: s.gradientDepth, dataMoves: s.numDataMovesStack.length, nameScopes: this.nameScopes?.depths() ?? [] };
  }

  /** Puts the engine back to `base` (see the file comment) and verifies it. Never throws. */
  restore(base: EngineBaseline): RestoreReport {
    const repairs: string[] = [];
    try {
      const s = this.engine.state;
      if (this.activity) this.activity.opDepth = 0;
      if (s.kernelDepth !== base.kernelDepth) {
        repairs.push(`op depth ${s.kernelDepth} reset to ${base.kernelDepth}`);
        s.kernelDepth = base.kernelDepth;
      }
      if (s.gradientDepth !== base.gradientDepth) {
        repairs.push(`gradient depth ${s.gradientDepth} reset to ${base.gradientDepth}`);
        s.gradientDepth = base.gradientDepth;
      }
      if (s.gradientDepth === 0 && s.activeTape) {
        // The tape of an unfinished tf.grad: free what it saved for the backward pass.
        for (const node of s.activeTape) for (const t of node.saved ?? []) t.dispose();
        s.activeTape = null;
        repairs.push('unfinished gradient tape dropped');
      }
      if (s.numDataMovesStack.length > base.dataMoves) s.numDataMovesStack.length = base.dataMoves;
      const open = s.scopeStack.length - base.scopes;
      if (open > 0) {
        const before = s.numTensors;
        for (let i = 0; i < open; i++) this.engine.endScope();
        repairs.push(`${open} open tf.tidy scope${open === 1 ? '' : 's'} ended (${before - s.numTensors} tensor${before - s.numTensors === 1 ? '' : 's'} freed)`);
      }
      const names = this.nameScopes?.restore(base.nameScopes) ?? 0;
      if (names > 0) repairs.push(`${names} layer name scope${names === 1 ? '' : 's'} closed`);
      // Said once per kernel: it is true of every interrupt, and not a repair.
      if (this.nameScopes?.unchecked.length && !this.toldUnchecked) {
        this.toldUnchecked = true;
        repairs.push(`layer name scopes not checked (a tfjs-layers build without the expected stack: ${this.nameScopes.unchecked.join(', ')})`);
      }
      const now = this.baseline();
      if (now.scopes !== base.scopes || now.kernelDepth !== base.kernelDepth || now.gradientDepth !== base.gradientDepth) {
        return { ok: false, repairs, problem: `the engine's state could not be put back (scopes ${now.scopes}, op depth ${now.kernelDepth}, gradient depth ${now.gradientDepth})` };
      }
      const problem = this.probe();
      return problem ? { ok: false, repairs, problem } : { ok: true, repairs };
    } catch (e) {
      return { ok: false, repairs, problem: `repairing the engine failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** d(x²)/dx at 3 must be 6 and leave no tensor behind; returns what went wrong, if anything. */
  private probe(): string | undefined {
    const tf = this.tf;
    const before = this.engine.state.numTensors;
    let value: number;
    try {
      value = tf.tidy(() => tf.grad((x) => tf.square(x))(tf.scalar(3)).dataSync()[0]);
    } catch (e) {
      return `a gradient check failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (value !== 6) return `a gradient check gave ${value} instead of 6`;
    const leaked = this.engine.state.numTensors - before;
    if (leaked !== 0) return `a gradient check left ${leaked} tensor(s) behind`;
    return undefined;
  }
}
