// The fix catalogue is the one table of fixes: every id has an edit, one title used by the lens, the
// quick fix and the panel, a detail, and the lens placement follows what it edits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FIX_CATALOGUE, FIX_IDS, fixInfo, fixTitle } from '../../../src/protocol/fixCatalogue';
import { FIXES } from '../../../src/fixes/applyFix';
import { editsModel } from '../../../src/fixes/plan';
import { explanationOf, explanationPath, parseExplanationPath } from '../../../src/fixes/explanations';
import { FIX_TEXT, fixDetail } from '../../../renderers/fixText';

describe('fix catalogue', () => {
  test('every catalogue id has an AST edit and the reverse', () => {
    assert.deepEqual(Object.keys(FIXES).sort(), [...FIX_IDS].sort());
    for (const id of FIX_IDS) {
      const f = FIX_CATALOGUE[id];
      assert.equal(f.id, id);
      assert.ok(f.title.length > 0 && f.title.length <= 50, `${id}: a short title`);
      assert.ok(f.detail.length > 0 && !f.detail.includes('\n'), `${id}: a one-line detail`);
    }
  });

  test('the panel says what the lens says', () => {
    for (const id of FIX_IDS) {
      assert.equal(FIX_TEXT[id], fixTitle(id));
      assert.equal(fixDetail(id), FIX_CATALOGUE[id].detail);
    }
    assert.equal(FIX_TEXT['activation-relu'], 'Switch sigmoid/tanh → ReLU (He init)');
    assert.equal(fixTitle('activation-relu', 'tanh'), 'Switch tanh → ReLU (He init)');
    assert.equal(fixTitle('from-a-newer-kernel'), 'from-a-newer-kernel');
    assert.equal(fixDetail('from-a-newer-kernel'), '');
    assert.equal(fixInfo('toString'), undefined, 'object prototype names are not fixes');
  });

  test('lenses of layer fixes go above the model, the others above the fit call', () => {
    assert.deepEqual(FIX_IDS.filter(editsModel).sort(),
      ['activation-elu', 'activation-leaky-relu', 'activation-relu', 'activation-selu', 'add-batchnorm', 'add-dropout', 'freeze-base']);
  });

  test('an explanation lists the fixes its finding offers, with the catalogue titles', () => {
    const { path, query } = explanationPath('dead-relu', ['activation-leaky-relu', 'lr-divide-10', 'from-the-future']);
    const parsed = parseExplanationPath(path, query);
    assert.deepEqual(parsed, { code: 'dead-relu', fixes: ['activation-leaky-relu', 'lr-divide-10', 'from-the-future'] });
    const text = explanationOf(parsed.code, parsed.fixes);
    assert.match(text, /^# Dying ReLUs/);
    assert.match(text, /## Quick fixes offered\n- \*\*Switch ReLU → LeakyReLU\*\*: a LeakyReLU layer \(α = 0\.2\)[^\n]*\n- \*\*Divide the learning rate by 10\*\*: /);
    assert.doesNotMatch(text, /from-the-future/);
    assert.doesNotMatch(explanationOf('plateau'), /Quick fixes/);
    assert.deepEqual(parseExplanationPath('/plateau.md', ''), { code: 'plateau', fixes: [] });
  });
});
