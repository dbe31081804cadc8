import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Notebook } from './compilerHarness';

// Module objects as the kernel's `__gs_require` would return them.
const cjsPlain = Object.assign(() => 'called', { named: 'plain-named' }); // module.exports = fn
const cjsFromEsm = { __esModule: true, default: 'transpiled-default', named: 'transpiled-named' };
const esNamespace = Object.freeze(Object.assign(Object.create(null), {
  default: 'es-default', named: 'es-named', [Symbol.toStringTag]: 'Module',
}));
const cjsWithDefaultKey = { default: 'just-a-key', other: 1 }; // no __esModule: the whole object is the default

function notebook(): Notebook {
  return new Notebook({ plain: cjsPlain, transpiled: cjsFromEsm, esm: esNamespace, keyed: cjsWithDefaultKey, sidefx: {} });
}

describe('compileCell: imports', () => {
  test('an import in one cell is usable in the next, though the first cell never uses it', async () => {
    const nb = notebook();
    await nb.run("import * as path from 'node:path';\nimport { basename } from 'node:path';");
    assert.equal(await nb.run("path.join('a', 'b') + ':' + basename('/x/y.ts')"), 'a/b:y.ts');
  });

  test('namespace import gives the module object itself', async () => {
    const nb = notebook();
    await nb.run("import * as ns from 'transpiled';");
    assert.equal(nb.global('ns'), cjsFromEsm);
  });

  test('default import follows esModuleInterop: __esModule → .default, ES namespace → .default, CommonJS → module.exports', async () => {
    const nb = notebook();
    await nb.run([
      "import a from 'plain';",
      "import b from 'transpiled';",
      "import c from 'esm';",
      "import d from 'keyed';",
    ].join('\n'));
    assert.equal(nb.global('a'), cjsPlain);
    assert.equal(await nb.run('a()'), 'called');
    assert.equal(nb.global('b'), 'transpiled-default');
    assert.equal(nb.global('c'), 'es-default');
    assert.equal(nb.global('d'), cjsWithDefaultKey);
  });

  test('named imports with aliases, default plus named, and string names', async () => {
    const nb = notebook();
    await nb.run([
      "import { named as n1 } from 'plain';",
      "import def, { named } from 'transpiled';",
      "import { 'named' as n3 } from 'esm';",
    ].join('\n'));
    assert.equal(nb.global('n1'), 'plain-named');
    assert.equal(nb.global('def'), 'transpiled-default');
    assert.equal(nb.global('named'), 'transpiled-named');
    assert.equal(nb.global('n3'), 'es-named');
  });

  test('a side-effect import requires the module and binds nothing', async () => {
    const nb = notebook();
    const cell = nb.compile("import 'sidefx';\n1");
    assert.deepEqual(cell.declared, []);
    assert.equal(await nb.run("import 'sidefx';\n1"), 1);
    assert.ok(nb.required.includes('sidefx'));
  });

  test('import type is erased and requires nothing', async () => {
    const nb = notebook();
    await nb.run("import type { Foo } from 'never-loaded';\nimport { type Bar } from 'plain';\nconst ok = true;");
    assert.ok(!nb.required.includes('never-loaded'));
    assert.equal(nb.global('ok'), true);
  });

  test('imports work in an async cell and are assigned where they stand', async () => {
    const nb = notebook();
    const v = await nb.run("import b2, { named as nn } from 'transpiled';\nconst w = await Promise.resolve(b2);\nw + '/' + nn");
    assert.equal(v, 'transpiled-default/transpiled-named');
  });

  test('dynamic import() goes through __gs_import, also inside functions', async () => {
    const nb = notebook();
    assert.equal(await nb.run("const m = await import('esm');\nm.named"), 'es-named');
    await nb.run("async function load() { return (await import('transpiled')).named; }");
    assert.equal(await nb.run('await load()'), 'transpiled-named');
  });

  test('re-running an import cell rebinds the names', async () => {
    const nb = notebook();
    const cell = "import * as p from 'node:path';\np.sep";
    assert.equal(await nb.run(cell), '/');
    assert.equal(await nb.run(cell), '/');
  });

  test("TypeScript's import x = require('m') and a plain require('m') go through __gs_require", async () => {
    const nb = notebook();
    assert.equal(await nb.run("import t = require('transpiled');\nconst p = require('plain');\nt.named + ' ' + p.named"), 'transpiled-named plain-named');
    assert.deepEqual(nb.required, ['transpiled', 'plain']);
  });
});
