/**
 * The bench's turn-taking (test/bench/interleave.ts): two loops alternate step by step, each is
 * charged the time it held the turn, and a loop that ends first lets the other go on alone.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Interleave } from '../../bench/interleave';

// A clock that moves only when a step works: the accounting is checked exactly, never against the
// machine's timing.
let fakeNow = 0;
const now = () => fakeNow;
const busy = (ms: number) => { fakeNow += ms; };

async function loop(turns: Interleave, me: 0 | 1, steps: number, ms: number, log: string[]): Promise<void> {
  await Promise.resolve(); // like gs.fit, reach the first step asynchronously
  for (let i = 0; i < steps; i++) {
    await turns.turn(me);
    log.push(`${me}`);
    busy(ms);
    await new Promise((r) => setImmediate(r)); // a step awaits inside (data reads): the other must not run
  }
  turns.finish(me);
}

describe('Interleave', () => {
  test('alternates step by step and charges each loop its own time', async () => {
    const turns = new Interleave(now);
    const log: string[] = [];
    await Promise.all([loop(turns, 0, 20, 2, log), loop(turns, 1, 20, 4, log)]);
    assert.equal(log.join(''), '01'.repeat(20));
    // Each is charged exactly its own work; what one loop does is never charged to the other.
    assert.deepEqual(turns.spent, [40, 80]);
  });

  test('a loop that ends first lets the other go on alone, still charged only its own time', async () => {
    const turns = new Interleave(now);
    const log: string[] = [];
    await Promise.all([loop(turns, 0, 3, 1, log), loop(turns, 1, 8, 3, log)]);
    assert.equal(log.join(''), '010101' + '11111');
    assert.deepEqual(turns.spent, [3, 24]);
  });

  test('each loop\'s clock runs only while it holds the turn', async () => {
    const turns = new Interleave(now);
    const seen: [number, number][] = [];
    const watch = async (me: 0 | 1, ms: number) => {
      await Promise.resolve();
      for (let i = 0; i < 5; i++) {
        await turns.turn(me);
        const before = turns.clock(me);
        const other = turns.clock((1 - me) as 0 | 1);
        busy(ms);
        seen.push([turns.clock(me) - before, turns.clock((1 - me) as 0 | 1) - other]);
      }
      turns.finish(me);
    };
    await Promise.all([watch(0, 3), watch(1, 3)]);
    for (const [mine, theirs] of seen) {
      assert.equal(mine, 3, 'my clock ran exactly while I worked');
      assert.equal(theirs, 0, 'the waiting loop\'s clock stood still');
    }
    assert.ok(Math.abs(turns.clock(0) - turns.spent[0]) < 1e-9, 'after the end, the clock is the time charged');
  });
});
