/**
 * What the kernel's main thread is doing, in shared memory that the watchdog thread reads while the
 * main thread is busy (it cannot answer messages then). Writes are single stores, cheap enough for
 * every training step and every TensorFlow.js op.
 */

/** What the main thread runs. */
export const MainState = {
  /** The event loop, or JavaScript after an await. */
  Free: 0,
  /** The synchronous part of a cell, under vm's breakOnSigint (SIGINT stops it at once). */
  SyncScript: 1,
  /** One optimizer step of gs.fit: it stops at the end of the step, so it is waited for. */
  TrainStep: 2,
} as const;
export type MainState = (typeof MainState)[keyof typeof MainState];

const I32 = { state: 0, interruptRequested: 1, interruptSeen: 2, opDepth: 3, step: 4 } as const;
const F64 = { heartbeat: 4, since: 5 } as const;
/** Bytes: 8 int32 slots, then float64 slots from byte 32. */
const BYTES = 8 * 4 + 8 * 8;

/** The shared record; one per kernel process, handed to the watchdog thread. */
export class KernelActivity {
  readonly buffer: SharedArrayBuffer;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;

  constructor(buffer = new SharedArrayBuffer(BYTES)) {
    this.buffer = buffer;
    this.i32 = new Int32Array(buffer, 0, 8);
    this.f64 = new Float64Array(buffer, 32, 8);
  }

  get state(): MainState {
    return Atomics.load(this.i32, I32.state) as MainState;
  }

  /** Enters `state`; returns the state to go back to. */
  enter(state: MainState, step = 0): MainState {
    const before = this.state;
    Atomics.store(this.i32, I32.step, step);
    this.f64[F64.since] = Date.now();
    Atomics.store(this.i32, I32.state, state);
    return before;
  }

  /** Milliseconds since the current state began. */
  get sinceMs(): number {
    return Date.now() - this.f64[F64.since];
  }

  get step(): number {
    return Atomics.load(this.i32, I32.step);
  }

  /** The main thread's event loop turned (see the heartbeat timer in watchdog.ts). */
  beat(): void {
    this.f64[F64.heartbeat] = Date.now();
  }

  /** Milliseconds since the event loop last turned. */
  get heartbeatAgeMs(): number {
    return Date.now() - this.f64[F64.heartbeat];
  }

  /** Nesting of TensorFlow.js ops now running (0 outside tfjs). */
  get opDepth(): number {
    return this.i32[I32.opDepth];
  }

  set opDepth(v: number) {
    this.i32[I32.opDepth] = v;
  }

  /** Set by the watchdog as soon as the host asks for an interrupt; cleared when a cell starts. */
  get interruptRequested(): boolean {
    return Atomics.load(this.i32, I32.interruptRequested) === 1;
  }

  set interruptRequested(v: boolean) {
    Atomics.store(this.i32, I32.interruptRequested, v ? 1 : 0);
  }

  /** Set by the main thread once it handled the interrupt (its SIGINT handler ran). */
  get interruptSeen(): boolean {
    return Atomics.load(this.i32, I32.interruptSeen) === 1;
  }

  set interruptSeen(v: boolean) {
    Atomics.store(this.i32, I32.interruptSeen, v ? 1 : 0);
  }
}
