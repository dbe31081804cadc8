import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileWat, currentSource, generatedSource, WAT_MODULES } from '../../../.build/wat';

for (const m of WAT_MODULES) {
  test(`${m.out} holds exactly the compiled ${m.wat}`, async () => {
    assert.equal(currentSource(m), generatedSource(m, await compileWat(m)), `${m.wat} changed: run npm run build:wasm`);
  });
}
