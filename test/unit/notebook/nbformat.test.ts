import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseNotebook, serializeNotebook, emptyNotebook, splitLines, type NotebookModel } from '../../../src/notebook/nbformat';

// Written by hand in Jupyter's layout (checked equal to Python's json.dumps(sort_keys=True, indent=1, ensure_ascii=False)).
const fixturePath = fileURLToPath(new URL('./fixtures/jupyter.tfnb', import.meta.url));
const fixture = readFileSync(fixturePath, 'utf8');

describe('nbformat: reading and writing .tfnb files', () => {
  test('a Jupyter-written notebook round-trips byte for byte', () => {
    assert.equal(serializeNotebook(parseNotebook(fixture, 'jupyter.tfnb')), fixture);
  });

  test('what a reader sees: kinds, joined sources, languages, ids, counts, metadata', () => {
    const nb = parseNotebook(fixture, 'jupyter.tfnb');
    assert.deepEqual(nb.cells.map((c) => c.kind), ['markdown', 'code', 'code', 'code', 'raw']);
    assert.deepEqual(nb.cells.map((c) => c.language), ['markdown', 'typescript', 'typescript', 'typescript', 'raw']);
    assert.equal(nb.cells[0].source, '# Entraînement — ✓ 学习率 😀\n\nGéron, *Hands-On ML*, ch. 11: the gradient ∂L/∂w “vanishes”.\n![dot](attachment:dot.png)');
    assert.equal(nb.cells[1].source, "import * as tf from '@tensorflow/tfjs';\nconst h = await gs.fit(model, xs, ys);\nh.summary");
    assert.equal(nb.cells[3].source, '');
    assert.deepEqual(nb.cells.map((c) => c.executionCount), [undefined, 3, 4, null, undefined]);
    assert.deepEqual(nb.cells.map((c) => c.id), ['a1b2c3d4', 'e5f60718', '0a9b8c7d', '11223344', '55667788']);
    assert.deepEqual(nb.cells[1].metadata.gradscope, { pinned: true, someFutureField: [1, 2.5] });
    assert.deepEqual(nb.metadata.kernelspec, { display_name: 'Gradscope (TypeScript)', language: 'typescript', name: 'gradscope' });
    assert.equal(nb.nbformat, 4);
    assert.equal(nb.nbformatMinor, 5);
  });

  test('outputs keep every MIME type: JSON types as objects, text joined, base64 as is', () => {
    const [stdout, stderr, health, pictures, jpeg, result] = parseNotebook(fixture).cells[1].outputs;
    assert.deepEqual(stdout, { output_type: 'stream', name: 'stdout', text: 'epoch 1 loss=0.6931\nepoch 2 loss=0.4120\n' });
    assert.deepEqual(stderr, { output_type: 'stream', name: 'stderr', text: 'warning: lr très élevé\n' });
    assert.equal(health.output_type, 'display_data');
    if (health.output_type !== 'display_data') return;
    assert.deepEqual(health.data['application/vnd.gradscope.health+json'], {
      layers: [{ name: 'dense_Dense1', rms: 1e-5 }, { name: 'dense_Dense2', rms: 0.1 }], loss: [2, 1.5, null], version: 1,
    });
    assert.equal(health.data['text/html'], '<div>\n  <b>health</b>\n</div>');
    assert.deepEqual(health.metadata, { 'application/vnd.gradscope.health+json': { expanded: true } });
    assert.equal(pictures.output_type === 'display_data' && pictures.data['image/png'], 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7\n');
    assert.ok(jpeg.output_type === 'display_data' && (jpeg.data['image/jpeg'] as string).includes('\nOTo7'));
    assert.equal(result.output_type, 'execute_result');
    assert.equal(result.output_type === 'execute_result' && result.execution_count, 3);
    const error = parseNotebook(fixture).cells[2].outputs[0];
    assert.deepEqual(error, { output_type: 'error', ename: 'RangeError', evalue: 'learning rate must be > 0', traceback: ['RangeError: learning rate must be > 0', '    at Cell 3, line 1, column 7'] });
  });

  test('an edit changes only what was edited', () => {
    const nb = parseNotebook(fixture);
    nb.cells[2].source = 'gs.setLearningRate(model, 0.01)\n// fixed';
    nb.cells[2].outputs = [];
    nb.cells[2].executionCount = null;
    const written = serializeNotebook(nb);
    const start = fixture.indexOf('   "execution_count": 4,');
    const end = fixture.indexOf('"gs.setLearningRate(model, -1)"\n   ]') + '"gs.setLearningRate(model, -1)"\n   ]'.length;
    const expected = fixture.slice(0, start) + [
      '   "execution_count": null,',
      '   "id": "0a9b8c7d",',
      '   "metadata": {},',
      '   "outputs": [],',
      '   "source": [',
      '    "gs.setLearningRate(model, 0.01)\\n",',
      '    "// fixed"',
      '   ]',
    ].join('\n') + fixture.slice(end);
    assert.equal(written, expected);
    assert.equal(parseNotebook(written).cells[2].source, 'gs.setLearningRate(model, 0.01)\n// fixed');
    // unknown metadata and float spellings elsewhere are untouched
    assert.match(written, /"ratio": 1\.0,/);
    assert.match(written, /"rms": 1e-05/);
  });

  test('an empty or blank file is a new notebook with the Gradscope kernelspec', () => {
    for (const text of ['', '  \n\t\n']) {
      const nb = parseNotebook(text, 'new.tfnb');
      assert.deepEqual(nb.cells, []);
      assert.deepEqual(nb.metadata.kernelspec, { name: 'gradscope', display_name: 'Gradscope (TypeScript)', language: 'typescript' });
      assert.deepEqual(nb.metadata.language_info, { name: 'typescript', file_extension: '.ts' });
    }
  });

  test('a new notebook is written the way Jupyter writes, and reads back the same', () => {
    const nb: NotebookModel = emptyNotebook();
    nb.cells.push(
      { kind: 'markdown', language: 'markdown', source: 'Notes ü', outputs: [], metadata: {} },
      { kind: 'code', language: 'typescript', source: 'const x = 1;\nx', executionCount: 1, outputs: [
        { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': '1' }, metadata: {} },
      ], metadata: {} },
      { kind: 'code', language: 'javascript', source: 'console.log(1)', executionCount: null, outputs: [], metadata: {} },
    );
    const text = serializeNotebook(nb);
    assert.ok(text.endsWith('}\n'));
    assert.match(text, /^\{\n "cells": \[\n  \{\n   "cell_type": "markdown",\n   "id": "[0-9a-f]{8}",\n   "metadata": \{\},\n   "source": \[\n    "Notes ü"\n   \]\n  \},/);
    assert.match(text, /\n "metadata": \{\n  "kernelspec": \{\n   "display_name": "Gradscope \(TypeScript\)",\n   "language": "typescript",\n   "name": "gradscope"\n  \},\n  "language_info": \{\n   "file_extension": ".ts",\n   "name": "typescript"\n  \}\n \},\n "nbformat": 4,\n "nbformat_minor": 5\n\}\n$/);
    const back = parseNotebook(text);
    assert.deepEqual(back.cells.map((c) => [c.kind, c.language, c.source, c.executionCount]), [
      ['markdown', 'markdown', 'Notes ü', undefined],
      ['code', 'typescript', 'const x = 1;\nx', 1],
      ['code', 'javascript', 'console.log(1)', null],
    ]);
    assert.deepEqual(back.cells[2].metadata, { vscode: { languageId: 'javascript' } });
    assert.equal(serializeNotebook(back), text);
  });

  test('lines split where Python splits them (\\r\\n, \\r, \\u2028…), ends kept', () => {
    assert.deepEqual(splitLines('a\r\nb\rc\u2028d\n'), ['a\r\n', 'b\r', 'c\u2028', 'd\n']);
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines('x'), ['x']);
  });

  test('a UTF-8 byte order mark is skipped', () => {
    assert.equal(parseNotebook('\ufeff' + fixture).cells.length, 5);
  });
});
