/**
 * The layer order of the README's Layout section, as `npm run lint` holds it (.build/eslint.config.mjs):
 * wrong-way imports fail with the layer names in the message, allowed ones pass, a type-only import
 * cycle fails, and the real tree lints clean. Fixtures are linted as if they sat at the path named.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';

const root = resolve(__dirname, '../../..');
const fixtures = join(__dirname, 'fixtures');
const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, '.build/eslint.config.mjs'), ignore: false });

/** Lints fixture `name` as if it were the file `asPath` (relative to the repo root). */
async function lintAs(name: string, asPath: string): Promise<{ rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(readFileSync(join(fixtures, name), 'utf8'), { filePath: join(root, asPath) });
  return result.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

describe('layer order lint', () => {
  test('training importing diagnostics fails, naming both layers', async () => {
    const messages = await lintAs('trainingImportsDiagnostics.ts', 'src/training/wrongWay.ts');
    assert.equal(messages.length, 1, JSON.stringify(messages));
    assert.equal(messages[0].rule, 'import-x/no-restricted-paths');
    assert.match(messages[0].message, /the training layer must not import the diagnostics layer/);
  });

  test('a renderer importing the kernel fails, type-only import or not', async () => {
    const messages = await lintAs('rendererImportsKernel.ts', 'renderers/wrongWay.ts');
    assert.deepEqual(messages.map((m) => m.rule), ['import-x/no-restricted-paths']);
    assert.match(messages[0].message, /renderers see only src\/protocol/);
  });

  test('vscode below the host fails; the same file in the host passes', async () => {
    const below = await lintAs('engineImportsVscode.ts', 'src/engine/wrongWay.ts');
    assert.deepEqual(below.map((m) => m.rule), ['no-restricted-imports']);
    assert.deepEqual(await lintAs('engineImportsVscode.ts', 'src/notebook/rightWay.ts'), []);
  });

  test('imports from lower layers pass', async () => {
    assert.deepEqual(await lintAs('rightWay.ts', 'src/diagnostics/rightWay.ts'), []);
  });

  test('the same allowed imports fail one layer down (engine importing training)', async () => {
    const messages = await lintAs('rightWay.ts', 'src/engine/rightWay.ts');
    assert.ok(messages.some((m) => /the engine layer must not import the training layer/.test(m.message)), JSON.stringify(messages));
  });

  test('a type-only import cycle fails, with the cycle spelled out', async () => {
    const [a] = await eslint.lintFiles([join(fixtures, 'cycle/a.ts')]);
    assert.deepEqual(a.messages.map((m) => m.ruleId), ['gradscope/no-import-cycle']);
    assert.match(a.messages[0].message, /cycle\/a\.ts → .*cycle\/b\.ts → .*cycle\/a\.ts/);
  });

  test('the real tree lints clean', async () => {
    const results = await eslint.lintFiles(['src', 'renderers', '.build']);
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}: ${m.message}`));
    assert.deepEqual(problems, []);
    assert.ok(results.length > 50, `linted only ${results.length} files`);
  });
});
