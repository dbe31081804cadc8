/**
 * The bench's turn-taking (test/bench/interleave.ts): two loops alternate step by step, each is
 * charged the time it held the turn, and a loop that ends first lets the other go on alone.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Interleave } from '../../bench/interleave';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* spin: the step's work */ }
};

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
    const turns = new Interleave();
    const log: string[] = [];
    await Promise.all([loop(turns, 0, 20, 2, log), loop(turns, 1, 20, 4, log)]);
    assert.equal(log.join(''), '01'.repeat(20));
    // Each is charged its spinning plus its own awaits (a fraction of a ms each, more on a busy machine).
    assert.ok(turns.spent[0] >= 40 && turns.spent[0] < 40 + 20, `loop 0: ${turns.spent[0]} ms for 20 × 2 ms`);
    assert.ok(turns.spent[1] >= 80 && turns.spent[1] < 80 + 20, `loop 1: ${turns.spent[1]} ms for 20 × 4 ms`);
  });

  test('a loop that ends first lets the other go on alone, still charged only its own time', async () => {
    const turns = new Interleave();
    const log: string[] = [];
    await Promise.all([loop(turns, 0, 3, 1, log), loop(turns, 1, 8, 3, log)]);
    assert.equal(log.join(''), '010101' + '11111');
    assert.ok(turns.spent[1] >= 24 && turns.spent[1] < 24 + 10, `loop 1: ${turns.spent[1]} ms for 8 × 3 ms`);
    assert.ok(turns.spent[0] >= 3 && turns.spent[0] < 3 + 10, `loop 0: ${turns.spent[0]} ms for 3 × 1 ms`);
  });
});
