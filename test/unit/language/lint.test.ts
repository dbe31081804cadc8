// The lint rules of src/language (.build/eslint.config.mjs): the service's core runs in a worker and
// in the command line, so only its VS Code adapter (feature.ts) imports vscode; the extension host's
// side (adapter, client) never loads the TypeScript compiler, which lives in dist/languageWorker.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';

const root = resolve(__dirname, '../../..');
const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, '.build/eslint.config.mjs'), ignore: false });

async function rules(code: string, asPath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, asPath) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('language lint: vscode only in the adapter; the TypeScript compiler never on the extension host side', { timeout: 120_000 }, async () => {
  const vscode = "import * as vscode from 'vscode';\nexport const x = vscode;\n";
  assert.deepEqual((await rules(vscode, 'src/language/core.ts')).map((m) => m.split(':')[0]), ['no-restricted-imports']);
  assert.deepEqual(await rules(vscode, 'src/language/feature.ts'), []);
  const compiler = "import ts from 'typescript';\nexport const v = ts.version;\n";
  const onHost = await rules(compiler, 'src/language/client.ts');
  assert.equal(onHost.length, 1, onHost.join('\n'));
  assert.match(onHost[0], /must not load the TypeScript compiler/);
  assert.deepEqual(await rules("import type ts from 'typescript';\nexport type P = ts.Program;\n", 'src/language/feature.ts'), []);
  assert.deepEqual(await rules(compiler, 'src/language/service.ts'), []);
  const service = "import { NotebookService } from './service';\nexport const s = NotebookService;\n";
  assert.match((await rules(service, 'src/language/feature.ts')).join('\n'), /through the worker/);
});
