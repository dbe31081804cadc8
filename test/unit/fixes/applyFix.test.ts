// Table-driven tests of the fix catalogue: a cell's source in, the exact edited source out, and the
// edited source still parses as TypeScript. Each fix also has the cases where it must not apply.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FixId } from '../../../src/protocol/health';
import { applyFix, FIXES } from '../../../src/fixes/applyFix';
import { shiftBy10 } from '../../../src/fixes/learningRateFixes';
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

  test('learning-rate literals ×10 and ÷10 keep their notation and value', () => {
    const cases: [string, string, string][] = [
      ['0.01', '0.1', '0.001'], ['0.05', '0.5', '0.005'], ['0.5', '5', '0.05'], ['1', '10', '0.1'], ['5', '50', '0.5'],
      ['10', '100', '1'], ['1.25', '12.5', '0.125'], ['3e-4', '3e-3', '3e-5'], ['1e-1', '1', '1e-2'], ['2E-6', '2E-5', '2E-7'], ['.01', '0.1', '0.001'],
    ];
    for (const [text, times, over] of cases) {
      assert.equal(shiftBy10(text, 1), times, `${text} × 10`);
      assert.equal(shiftBy10(text, -1), over, `${text} ÷ 10`);
      assert.ok(Math.abs(Number(times) / Number(text) - 10) < 1e-12 && Math.abs(Number(text) / Number(over) - 10) < 1e-12, text);
    }
    assert.equal(shiftBy10('0x10', 1), undefined);
    assert.equal(shiftBy10('1_000', -1), undefined);
  });

  test('an unknown fix id is a clear error', () => {
    assert.throws(() => applyFix('make-it-work' as FixId, '', {}), /unknown fix id 'make-it-work'/);
  });
});
