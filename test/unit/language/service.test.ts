// The notebook language service as the editor and `gradscope check` use it: cells bound as scripts
// in one program (names and imports of every cell known in the others, as in the kernel), the
// kernel's globals, the shipped types of gradscope and tfjs, and the kernel's allowances (re-run
// redeclarations, top-level await). Needs dist/types (`node .build/build.mjs`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { NotebookService, type CellText } from '../../../src/language/service';
import { findTypesRoot } from '../../../src/language/typesRoot';

const IMPORTS = "import * as tf from '@tensorflow/tfjs';\nimport * as gs from 'gradscope';\nconst x = tf.zeros([4, 3]);";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-lang-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

/** One service for the tests below (a service's first program costs seconds); each test sets its own cells. */
const service = new NotebookService({ dir, name: 'test.tfnb', typesRoot: findTypesRoot(path.resolve(__dirname, '../../../dist')) });

function errors(cells: CellText[]) {
  service.setCells(cells);
  return service.diagnostics().filter((d) => d.severity === 'error').map((d) => `${d.cell}:${d.start.line + 1}:${d.start.character + 1} TS${d.code} ${d.message.split('\n')[0]}`);
}

test('the pinned TypeScript is the one whose internals the service relies on (the cell-as-script binding)', () => {
  assert.equal(ts.version, '5.9.3');
});

test('imports and names of one cell are known in the others, and an import is not reported unused', () => {
  assert.deepEqual(errors([
    { id: 'imports', text: IMPORTS },
    { id: 'model', text: 'const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });' },
    { id: 'use', text: "model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });\nconst h = await gs.fit(model, x, tf.zeros([4, 1]), { epochs: 1 });\nh.history.loss;" },
  ]), []);
  const unused = service.diagnostics('imports').filter((d) => d.unnecessary);
  assert.deepEqual(unused, [], 'the gs and tf imports are used by later cells');
  const hover = service.hover('use', 1);
  assert.equal(hover?.signature, 'const model: tf.Sequential');
  const h = service.hover('use', "model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });\nconst ".length);
  assert.equal(h?.signature, 'const h: gs.RunHistory');
});

test('gs. and tf. complete in a cell that does not import them, with documentation', () => {
  service.setCells([{ id: 'imports', text: IMPORTS }, { id: 'gs', text: 'gs.' }, { id: 'tf', text: 'const m = tf.' }]);
  const gsItems = service.completions('gs', 3, '.').items.map((i) => i.name);
  for (const name of ['fit', 'fitDataset', 'schedules', 'callbacks', 'layers', 'diagnostics']) assert.ok(gsItems.includes(name), `gs.${name} in ${gsItems.join(', ')}`);
  const tfItems = service.completions('tf', 'const m = tf.'.length, '.').items.map((i) => i.name);
  for (const name of ['sequential', 'layers', 'tensor2d', 'train']) assert.ok(tfItems.includes(name), `tf.${name}`);
  const detail = service.completionDetail('gs', 3, 'fit');
  assert.match(detail?.detail ?? '', /^function fit\(model: tf\.LayersModel/);
  assert.match(detail?.documentation ?? '', /health monitor/);
});

test('a type error, an unknown name and a missing module are reported with their cell and line', () => {
  assert.deepEqual(errors([
    { id: '1', text: IMPORTS },
    { id: '2', text: "// a comment\nconst ok = 1;\nconst s: string = 5;" },
    { id: '3', text: 'console.log(qqq);' },
    { id: '4', text: "import { nope } from 'no-such-package';" },
  ]), [
    "2:3:7 TS2322 Type 'number' is not assignable to type 'string'.",
    "3:1:13 TS2304 Cannot find name 'qqq'.",
    "4:1:22 TS2307 Cannot find module 'no-such-package' or its corresponding type declarations.",
  ]);
});

test('top-level await and for await are allowed, as the kernel runs such a cell in an async wrapper', () => {
  assert.deepEqual(errors([
    { id: '1', text: 'const v = await Promise.resolve(41);' },
    { id: '2', text: 'async function* gen() { yield 1; }\nfor await (const g of gen()) console.log(g + v);' },
  ]), []);
});

test('re-running or redeclaring a name in another cell is allowed; twice in one cell is an error, as in the kernel', () => {
  assert.deepEqual(errors([
    { id: '1', text: "import * as tf from '@tensorflow/tfjs';\nlet n = 1;\nconst model = tf.sequential();\nclass Box {}\nfunction f() { return 1; }" },
    { id: '2', text: "import * as tf from '@tensorflow/tfjs';\nlet n = 2;\nconst model = tf.sequential();\nclass Box {}\nfunction f() { return 2; }" },
    // A name Node's types declare globally (`module`) is a free name in the kernel.
    { id: '3', text: 'const module = 3;' },
  ]), []);
  assert.deepEqual(errors([{ id: '1', text: 'const a = 1;\nconst a = 2;' }]), [
    "1:1:7 TS2451 Cannot redeclare block-scoped variable 'a'.",
    "1:2:7 TS2451 Cannot redeclare block-scoped variable 'a'.",
  ]);
});

test('a name two cells declare with different types: uses are not judged by the wrong declaration; other errors stay', () => {
  assert.deepEqual(errors([
    { id: '1', text: 'const v = 1;\nconst same = [1];' },
    { id: '2', text: "const v = 'a';\nv.toUpperCase();\nconst same = [2];\nsame.nope();\nconst n: number = 'x';" },
    { id: '3', text: 'v.toUpperCase();' },
  ]), [
    "2:4:6 TS2339 Property 'nope' does not exist on type 'number[]'.",
    "2:5:7 TS2322 Type 'string' is not assignable to type 'number'.",
  ]);
});

test('the kernel globals display and prompt are typed and documented', () => {
  assert.deepEqual(errors([{ id: '1', text: "const out = display('hi', 'text/html');\nout.update('bye');\nconst name: string = await prompt('name?');" }]), []);
  assert.match(service.hover('1', 'const out = dis'.length)?.signature ?? '', /^function display\(value: unknown, mime\?: string\): GradscopeDisplayHandle/);
  assert.deepEqual(errors([{ id: '1', text: 'display();' }]).map((e) => e.split(' ')[1]), ['TS2554']);
});

test("Node's globals are typed without an import; importing a Node module brings Node's full types", () => {
  const globals = "console.log(process.env.HOME, process.memoryUsage().heapUsed);\nconst t = setTimeout(() => undefined, 10);\nclearTimeout(t);\nconst b = Buffer.from('hi').toString('base64');\nconsole.log(performance.now(), new URL('file:///x').pathname);";
  assert.deepEqual(errors([{ id: '1', text: globals }]), []);
  assert.equal(service.hover('1', globals.indexOf('b =') + 1)?.signature, 'const b: string');
  assert.deepEqual(errors([{ id: '1', text: globals }, { id: '2', text: "import * as fs from 'node:fs';" }, { id: '3', text: "const text = fs.readFileSync('x.csv', 'utf8');\nfs.nope();" }]),
    ["3:2:4 TS2339 Property 'nope' does not exist on type 'typeof import(\"node:fs\")'."]);
  assert.equal(service.hover('3', 'const te'.length)?.signature, 'const text: string');
});

test('cell edits, insertion, deletion and reordering keep diagnostics on the right cell and line', () => {
  const cells: CellText[] = [{ id: 'use', text: 'const y = w * 2;' }];
  assert.deepEqual(errors(cells), ["use:1:11 TS2304 Cannot find name 'w'."]);
  // Insert a cell that declares w: the error goes away.
  assert.deepEqual(errors([{ id: 'decl', text: 'const w = 21;' }, ...cells]), []);
  // Edit it into a string: the use is now an arithmetic error on a string.
  service.updateCell('decl', "const w = 'a';");
  assert.deepEqual(service.diagnostics().map((d) => `${d.cell}:${d.code}`), ['use:2362']);
  // Reorder: the names are still global (the kernel decides by run order, not position).
  service.setCells([{ id: 'use', text: 'const y = w * 2;' }, { id: 'decl', text: 'const w = 21;' }]);
  assert.deepEqual(service.diagnostics(), []);
  // Delete the declaring cell: the error is back, on the remaining cell.
  assert.deepEqual(errors([{ id: 'use', text: '\n\nconst y = w * 2;' }]), ["use:3:11 TS2304 Cannot find name 'w'."]);
  assert.throws(() => service.diagnostics('decl'), /no cell 'decl'/);
});

test('definition, references and rename go across cells; definition of a tfjs name opens its declaration file', () => {
  service.setCells([
    { id: '1', text: IMPORTS },
    { id: '2', text: 'const model = tf.sequential();' },
    { id: '3', text: 'model.summary();\nconsole.log(model.layers.length);' },
  ]);
  assert.deepEqual(service.definition('3', 1).map((l) => [l.cell, l.start.line, l.start.character]), [['2', 0, 6]]);
  assert.deepEqual(service.references('3', 1).map((l) => `${l.cell}:${l.start.line}:${l.start.character}`), ['2:0:6', '3:0:0', '3:1:12']);
  const r = service.rename('2', 7);
  assert.ok('locations' in r);
  assert.deepEqual(r.locations.map((l) => l.cell), ['2', '3', '3']);
  const summary = service.definition('3', 'model.su'.length);
  assert.equal(summary.length, 1);
  assert.match(summary[0].file ?? '', /node_modules[\\/]@tensorflow[\\/]tfjs-layers[\\/].*\.d\.ts$/);
  assert.ok('error' in service.rename('3', 'model.su'.length), 'a tfjs method cannot be renamed from a notebook');
});

test('hovering gs.fit shows its named argument types and doc comment; the options show their own docs', () => {
  const text = 'const h = await gs.fit(null, x, x, { epochs: 2, diagnostics: false });\nconst opts: gs.FitArgs = {};';
  service.setCells([{ id: '1', text: IMPORTS }, { id: '2', text: text }]);
  const fit = service.hover('2', text.indexOf('fit(') + 1);
  assert.equal(fit?.signature, 'function fit(model: tf.LayersModel, x: gs.FitData, y: gs.FitData, args?: gs.FitArgs): Promise<gs.RunHistory>');
  assert.match(fit?.documentation ?? '', /^Trains `model` on `x`\/`y` like `model.fit`/);
  assert.match(fit?.documentation ?? '', /\*@example\*\n```ts\nconst h = await gs\.fit\(model, x, y, \{/);
  const args = service.hover('2', text.indexOf('FitArgs') + 1);
  assert.equal(args?.signature, 'interface FitArgs');
  assert.match(args?.documentation ?? '', /^Arguments of \{@link fit\}/);
  assert.equal(service.hover('2', text.indexOf('epochs') + 1)?.documentation, 'Number of epochs. Defaults to 1.');
  assert.match(service.hover('2', text.indexOf('diagnostics') + 1)?.documentation ?? '', /Defaults to true inside a Gradscope kernel, false elsewhere/);
});

test('signature help inside gs.fit( names its parameters', () => {
  service.setCells([{ id: '1', text: IMPORTS }, { id: '2', text: 'gs.fit(' }]);
  const help = service.signatureHelp('2', 'gs.fit('.length);
  assert.equal(help?.activeParameter, 0);
  assert.deepEqual(help?.signatures[0].parameters.map((p) => p.label.split(':')[0]), ['model', 'x', 'y', 'args?']);
});

test('packages in the workspace node_modules are typed from the notebook folder', () => {
  const pkg = path.join(dir, 'node_modules', 'tiny-pkg');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'tiny-pkg', version: '1.0.0', types: 'index.d.ts' }));
  fs.writeFileSync(path.join(pkg, 'index.d.ts'), 'export declare function twice(n: number): number;\n');
  assert.deepEqual(errors([{ id: '1', text: "import { twice } from 'tiny-pkg';" }, { id: '2', text: "twice('a');" }]).map((e) => e.split(' ')[0] + ' ' + e.split(' ')[1]), ['2:1:7 TS2345']);
});

test('an offset outside the cell is refused with the cell named', () => {
  service.setCells([{ id: 'only', text: 'x' }]);
  assert.throws(() => service.completions('only', 5), /offset 5 is outside cell 'only'/);
  assert.throws(() => service.setCells([{ id: 'a', text: '' }, { id: 'a', text: '' }]), /listed twice/);
});
