import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseNotebook, NotebookFormatError } from '../../../src/notebook/nbformat';

const fixture = readFileSync(fileURLToPath(new URL('./fixtures/jupyter.tfnb', import.meta.url)), 'utf8');

function messageOf(text: string, where = 'notebook.tfnb'): string {
  try {
    parseNotebook(text, where);
  } catch (e) {
    assert.ok(e instanceof NotebookFormatError, `expected a NotebookFormatError, got ${e}`);
    return e.message;
  }
  throw new Error('the notebook parsed');
}

/** The fixture with one part of its JSON changed. */
function withJson(edit: (nb: Record<string, any>) => void): string {
  const nb = JSON.parse(fixture);
  edit(nb);
  return JSON.stringify(nb, null, 1);
}

describe('nbformat: malformed files get a message naming what and where', () => {
  test('invalid JSON: the line and column of the problem', () => {
    const text = '{\n "cells": [\n  {\n   "cell_type": "code",\n   "source": "x" oops\n  }\n ]\n}\n';
    assert.equal(messageOf(text), 'notebook.tfnb: invalid JSON at line 5, column 18: expected "," or "}" in an object, found "o"');
    assert.equal(messageOf('{"cells": [1, 2,]}'), 'notebook.tfnb: invalid JSON at line 1, column 17: unexpected "]"');
    assert.equal(messageOf("{'cells': []}"), 'notebook.tfnb: invalid JSON at line 1, column 2: expected a property name in double quotes, found "\'"');
  });

  test('a truncated file says so, at its end', () => {
    const cut = fixture.slice(0, 1500);
    const lines = cut.split('\n');
    const message = messageOf(cut);
    assert.match(message, /^notebook\.tfnb: invalid JSON at line (\d+), column (\d+): .*truncated/);
    const [, line] = /line (\d+)/.exec(message)!;
    assert.ok(Number(line) >= lines.length - 1, message);
    assert.match(messageOf(fixture.slice(0, fixture.indexOf('学习率'))), /unterminated string \(is the file truncated\?\)/);
  });

  test('wrong top-level shapes', () => {
    assert.equal(messageOf('[]'), 'notebook.tfnb: the file must hold a JSON object (an nbformat 4 notebook)');
    assert.equal(messageOf('{"nbformat": 4, "metadata": {}}'), 'notebook.tfnb: missing "cells" (a list of cells)');
    assert.equal(messageOf('{"nbformat": 4, "cells": {}}'), 'notebook.tfnb: "cells" must be a list');
    assert.equal(messageOf('{"cells": []}'), 'notebook.tfnb: missing "nbformat" (expected 4)');
    assert.equal(messageOf('{"nbformat": 3, "worksheets": []}'), 'notebook.tfnb: nbformat 3 is not supported; only nbformat 4 is');
    assert.equal(messageOf(withJson((nb) => { nb.metadata = []; })), 'notebook.tfnb: "metadata" must be an object');
  });

  test('wrong cell fields name the cell', () => {
    assert.equal(messageOf(withJson((nb) => { nb.cells[3].source = 42; })), 'notebook.tfnb: cells[3].source must be a string or a list of strings');
    assert.equal(messageOf(withJson((nb) => { nb.cells[1].source = ['a', 1]; })), 'notebook.tfnb: cells[1].source must be a string or a list of strings');
    assert.equal(messageOf(withJson((nb) => { delete nb.cells[0].source; })), 'notebook.tfnb: cells[0].source must be a string or a list of strings');
    assert.equal(messageOf(withJson((nb) => { nb.cells[2].cell_type = 'python'; })), 'notebook.tfnb: cells[2].cell_type must be "code", "markdown" or "raw", got "python"');
    assert.equal(messageOf(withJson((nb) => { nb.cells[4] = 'raw'; })), 'notebook.tfnb: cells[4] must be an object');
    assert.equal(messageOf(withJson((nb) => { nb.cells[2].execution_count = '4'; })), 'notebook.tfnb: cells[2].execution_count must be an integer or null');
    assert.equal(messageOf(withJson((nb) => { nb.cells[2].outputs = {}; })), 'notebook.tfnb: cells[2].outputs must be a list');
  });

  test('wrong output fields name the cell and the output', () => {
    assert.equal(messageOf(withJson((nb) => { nb.cells[1].outputs[0].output_type = 'print'; })),
      'notebook.tfnb: cells[1].outputs[0].output_type must be "stream", "display_data", "execute_result" or "error", got "print"');
    assert.equal(messageOf(withJson((nb) => { nb.cells[1].outputs[2].data = 'x'; })), 'notebook.tfnb: cells[1].outputs[2].data must be an object of MIME types');
    assert.equal(messageOf(withJson((nb) => { nb.cells[1].outputs[1].text = null; })), 'notebook.tfnb: cells[1].outputs[1].text must be a string or a list of strings');
    assert.equal(messageOf(withJson((nb) => { nb.cells[2].outputs[0].traceback = 'boom'; })), 'notebook.tfnb: cells[2].outputs[0].traceback must be a list of strings');
    assert.equal(messageOf(withJson((nb) => { nb.cells[1].outputs[2].data['text/html'] = [1]; })), 'notebook.tfnb: cells[1].outputs[2].data["text/html"] must be a string or a list of strings');
  });

  test('without a file name the message says "notebook"', () => {
    assert.throws(() => parseNotebook('{'), /^NotebookFormatError: notebook: invalid JSON at line 1, column 2: unexpected end of file \(is the file truncated\?\)$/);
  });
});
