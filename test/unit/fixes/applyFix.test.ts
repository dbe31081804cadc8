// Table-driven tests of the fix catalogue: a cell's source in, the exact edited source out, and the
// edited source still parses as TypeScript. Each fix also has the cases where it must not apply.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FixId } from '../../../src/protocol/health';
import { applyFix, FIXES } from '../../../src/fixes/applyFix';
import { syntaxErrors } from './fixTable';
import { modelFixCases } from './modelFixCases';
import { trainingFixCases } from './trainingFixCases';

const cases = [...modelFixCases, ...trainingFixCases];

describe('applyFix', () => {
  for (const c of cases) {
    test(`${c.fix}: ${c.name}`, () => {
      assert.deepEqual(syntaxErrors(c.src), [], 'the input cell itself must parse');
      const r = applyFix(c.fix, c.src, c.target(c.src));
      if (c.out === undefined) {
        assert.equal(r, undefined);
        return;
      }
      assert.ok(r, 'the fix should apply');
      assert.equal(r.text, c.out);
      assert.deepEqual(syntaxErrors(r.text), []);
    });
  }

  test('every fix id of the catalogue has an applied case and a not-applicable case', () => {
    for (const id of Object.keys(FIXES) as FixId[]) {
      assert.ok(cases.some((c) => c.fix === id && c.out !== undefined), `${id} has no applied case`);
      assert.ok(cases.some((c) => c.fix === id && c.out === undefined), `${id} has no not-applicable case`);
    }
  });

  test('an unknown fix id is a clear error', () => {
    assert.throws(() => applyFix('make-it-work' as FixId, '', {}), /unknown fix id 'make-it-work'/);
  });
});
