/**
 * Runs two async loops turn by turn and accounts each one's time: the way to compare two trainings on
 * a machine whose speed drifts. Each loop calls {@link Interleave.turn} before each step (gs.fit's
 * onBatchBegin callback); the call ends the loop's turn, hands the turn to the other loop and resolves
 * when it is this loop's turn again. Everything a loop does between two of its calls (its step, its
 * observers, its epoch end) is its own time, and the two loops' steps alternate a few milliseconds
 * apart, so both see the same machine.
 */
export class Interleave {
  /** Time each loop held the turn, ms. */
  readonly spent = [0, 0];
  private holder = -1;
  private since = 0;
  private readonly waiting: ((() => void) | undefined)[] = [undefined, undefined];
  private readonly finished = [false, false];

  /** `now` is the clock, in ms. Defaults to `performance.now`. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Ends `me`'s turn; resolves when it is `me`'s turn again. */
  turn(me: 0 | 1): Promise<void> {
    this.release(me);
    const other = 1 - me;
    if (!this.wake(other) && this.finished[other]) {
      this.give(me);
      return Promise.resolve();
    }
    // The other loop is waiting for us (woken above) or has not reached its first step yet.
    return new Promise((resolve) => {
      this.waiting[me] = () => resolve();
    });
  }

  /** `me` is done: its last turn ends, and the other loop, if waiting, goes on alone. */
  finish(me: 0 | 1): void {
    this.release(me);
    this.finished[me] = true;
    this.wake(1 - me);
  }

  /** Gives the turn to `loop` if it is waiting for it; true when it was. */
  private wake(loop: number): boolean {
    const resume = this.waiting[loop];
    if (!resume) return false;
    this.waiting[loop] = undefined;
    this.give(loop);
    resume();
    return true;
  }

  /** `me`'s own time so far, in ms: it runs while `me` holds the turn and stands still while it waits. */
  clock(me: 0 | 1): number {
    return this.spent[me] + (this.holder === me ? this.now() - this.since : 0);
  }

  private release(me: number): void {
    if (this.holder === me) this.spent[me] += this.now() - this.since;
    this.holder = -1;
  }

  private give(to: number): void {
    this.holder = to;
    this.since = this.now();
  }
}
