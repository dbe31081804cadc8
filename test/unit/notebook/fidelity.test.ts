/**
 * Nothing the user wrote is silently changed by reading and saving a notebook: invalid UTF-8 is refused
 * (not turned into U+FFFD), CRLF stays CRLF, a byte order mark stays, nbformat 4.5 cells without ids get an id once and keep it,
 * and metadata numbers keep their spellings, also after VS Code's JSON copy of the metadata
 * (`-0` → `0`, `1e400` → `null`) on an editor save.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeNotebook, NotebookFormatError, parseJson, parseNotebook, serializeNotebook, stringifyJupyter } from '../../../src/notebook/nbformat';
import { respelled, spelledText } from '../../../src/notebook/metadataText';

/** A notebook as Jupyter writes it (sorted keys, indent 1), with `\n` line ends. */
function notebookText(cells: string[], metadata = '{}', minor = 5): string {
  return `{\n "cells": [${cells.join(',')}],\n "metadata": ${metadata},\n "nbformat": 4,\n "nbformat_minor": ${minor}\n}\n`;
}
const CODE_CELL_WITH_ID = `\n  {\n   "cell_type": "code",\n   "execution_count": null,\n   "id": "a1b2c3d4",\n   "metadata": {},\n   "outputs": [],\n   "source": [\n    "const a = 1;\\r\\n",\n    "a"\n   ]\n  }\n `;

/** What VS Code does to metadata between open and save: a JSON copy. */
const jsonCopy = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('reading and saving keeps what the user wrote', () => {
  test('invalid UTF-8 is refused, naming the byte and its line, instead of becoming U+FFFD', () => {
    const good = new TextEncoder().encode(notebookText([CODE_CELL_WITH_ID], '{"title": "é"}'));
    assert.equal(decodeNotebook(good, 'ok.tfnb'), new TextDecoder().decode(good));
    const bad = new Uint8Array([...good.slice(0, 40), 0xff, ...good.slice(40)]);
    const line = new TextDecoder().decode(good.slice(0, 40)).split('\n').length;
    assert.throws(() => decodeNotebook(bad, 'bad.tfnb'), (e: Error) => {
      assert.ok(e instanceof NotebookFormatError);
      assert.equal(e.message, `bad.tfnb: not UTF-8 text (invalid byte 0xff at offset 40, line ${line}); the file was left as it is`);
      return true;
    });
    // A truncated multi-byte character (é is c3 a9) is invalid too.
    assert.throws(() => decodeNotebook(new Uint8Array([0x7b, 0xc3]), 'cut.tfnb'), /invalid byte 0xc3 at offset 1, line 1/);
  });

  test('a CRLF file is written back with CRLF, byte for byte', () => {
    const lf = notebookText([CODE_CELL_WITH_ID], '{\n  "kernelspec": {\n   "name": "gradscope"\n  }\n }');
    const crlf = lf.replace(/\n/g, '\r\n');
    const model = parseNotebook(crlf, 'crlf.tfnb');
    assert.equal(model.lineEnding, '\r\n');
    assert.equal(serializeNotebook(model), crlf);
    // The \r\n inside a cell's source is content, not a line ending of the file.
    assert.equal(model.cells[0].source, 'const a = 1;\r\na');
    assert.equal(serializeNotebook(parseNotebook(lf)), lf, 'an LF file stays LF');
    assert.equal(parseNotebook(lf).lineEnding, undefined);
  });

  test('a file that starts with a UTF-8 byte order mark is written back with it, byte for byte', () => {
    const text = notebookText([CODE_CELL_WITH_ID]);
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text.replace(/\n/g, '\r\n'))]);
    const model = parseNotebook(decodeNotebook(withBom, 'bom.tfnb'), 'bom.tfnb');
    assert.equal(model.bom, true);
    assert.deepEqual(new TextEncoder().encode(serializeNotebook(model)), withBom);
    assert.equal(parseNotebook(text).bom, undefined);
    assert.equal(serializeNotebook(parseNotebook(text)), text, 'no mark is added to a file without one');
  });

  test('nbformat 4.5 cells without ids get an id once: every later save writes the same ids', () => {
    const noIds = notebookText([
      '\n  {\n   "cell_type": "markdown",\n   "metadata": {},\n   "source": ["# a"]\n  }',
      '\n  {\n   "cell_type": "code",\n   "execution_count": null,\n   "metadata": {},\n   "outputs": [],\n   "source": ["1"]\n  }\n ',
    ]);
    const model = parseNotebook(noIds);
    const first = serializeNotebook(model);
    assert.equal(serializeNotebook(model), first, 'a second save of the same notebook rewrote its ids');
    const ids = parseNotebook(first).cells.map((c) => c.id);
    assert.equal(ids.length, 2);
    for (const id of ids) assert.match(id ?? '', /^[0-9a-f]{8}$/);
    assert.notEqual(ids[0], ids[1]);
    assert.equal(serializeNotebook(parseNotebook(first)), first, 'the saved file reads back with the same ids');
    // nbformat 4.4 has no ids and gets none.
    assert.equal(parseNotebook(notebookText(['\n  {\n   "cell_type": "raw",\n   "metadata": {},\n   "source": []\n  }\n '], '{}', 4)).cells[0].id, undefined);
  });

  test('metadata spellings -0, 1e400 and 1.50 survive a save, in the CLI and through VS Code\'s JSON copy', () => {
    const meta = '{\n  "gradscope": {\n   "big": 1e400,\n   "lr": 1.50,\n   "tiny": 1e-05,\n   "zero": -0\n  },\n  "list": [\n   -0,\n   1.0\n  ]\n }';
    const text = notebookText([CODE_CELL_WITH_ID], meta);
    assert.equal(serializeNotebook(parseNotebook(text)), text, 'parse → write');

    // The editor: metadata goes to VS Code with its spelled text, and comes back as a JSON copy.
    const model = parseNotebook(text);
    const toEditor = { metadata: model.metadata, ...spelledText(model.metadata) };
    const fromEditor = jsonCopy(toEditor);
    assert.deepEqual((fromEditor.metadata.gradscope as Record<string, unknown>).big, null, 'VS Code\'s copy has lost 1e400');
    const saved = { ...model, metadata: respelled(fromEditor.metadata, fromEditor.metadataText)! };
    assert.equal(serializeNotebook(saved), text, 'editor save');

    // The user changes one number: that one is written as it is now, the others keep their spelling.
    const edited = jsonCopy(toEditor);
    (edited.metadata.gradscope as Record<string, unknown>).lr = 0.25;
    const out = stringifyJupyter(respelled(edited.metadata, edited.metadataText));
    assert.match(out, /"lr": 0\.25/);
    assert.match(out, /"big": 1e400/);
    assert.match(out, /"zero": -0\b/);
    assert.match(out, /"tiny": 1e-05/);
    assert.match(out, /"list": \[\n  -0,\n  1\.0\n ]/);
    // A number set to null by the user where the file had a finite one is null.
    const nulled = jsonCopy(toEditor);
    (nulled.metadata.gradscope as Record<string, unknown>).lr = null;
    assert.match(stringifyJupyter(respelled(nulled.metadata, nulled.metadataText)), /"lr": null/);
  });

  test('keys such as __proto__ in metadata are kept as data through the editor round trip', () => {
    const metadata = parseJson('{"__proto__": {"x": 1.0}, "constructor": -0}') as Record<string, unknown>;
    const copy = jsonCopy({ metadata, ...spelledText(metadata) });
    assert.equal(stringifyJupyter(respelled(copy.metadata, copy.metadataText), { compact: true }), '{"__proto__":{"x":1.0},"constructor":-0}');
  });
});
