import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  parseNotebook, serializeNotebook, toCellOutput, fromCellOutput,
  STDOUT_MIME, STDERR_MIME, ERROR_MIME, type NbOutput,
} from '../../../src/notebook/nbformat';

const fixture = readFileSync(fileURLToPath(new URL('./fixtures/jupyter.tfnb', import.meta.url)), 'utf8');
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('nbformat outputs ↔ editor outputs', () => {
  test('every output of the fixture survives nbformat → CellOutputData → nbformat, and the file is unchanged', () => {
    const nb = parseNotebook(fixture);
    for (const cell of nb.cells) {
      // Copy the items, as the editor does when it hands outputs back to the serializer.
      cell.outputs = cell.outputs.map((o) => {
        const out = toCellOutput(o);
        return fromCellOutput(structuredClone({ items: out.items.map((i) => ({ mime: i.mime, data: new Uint8Array(i.data) })), metadata: out.metadata }));
      });
    }
    assert.equal(serializeNotebook(nb), fixture);
  });

  test('streams become VS Code stdout/stderr items', () => {
    const out = toCellOutput({ output_type: 'stream', name: 'stderr', text: 'warn ü\n' });
    assert.deepEqual(out.items.map((i) => [i.mime, text(i.data)]), [[STDERR_MIME, 'warn ü\n']]);
    assert.equal(toCellOutput({ output_type: 'stream', name: 'stdout', text: '' }).items[0].mime, STDOUT_MIME);
  });

  test('an error becomes VS Code error JSON {name, message, stack} and keeps ename/evalue/traceback', () => {
    const error: NbOutput = { output_type: 'error', ename: 'TypeError', evalue: 'x is not a function', traceback: ['TypeError: x is not a function', '    at Cell 2, line 1, column 1'] };
    const out = toCellOutput(error);
    assert.equal(out.items[0].mime, ERROR_MIME);
    assert.deepEqual(JSON.parse(text(out.items[0].data)), { name: 'TypeError', message: 'x is not a function', stack: 'TypeError: x is not a function\n    at Cell 2, line 1, column 1' });
    assert.deepEqual(fromCellOutput(out), error);
  });

  test('a rich output has one item per MIME type: JSON as JSON text, PNG as bytes, HTML as text', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const o: NbOutput = {
      output_type: 'execute_result', execution_count: 7, metadata: { 'image/png': { width: 10 } },
      data: { 'application/vnd.gradscope.health+json': { version: 1, loss: [0.5, null] }, 'image/png': png.toString('base64') + '\n', 'text/html': '<b>é</b>' },
    };
    const out = toCellOutput(o);
    const byMime = Object.fromEntries(out.items.map((i) => [i.mime, i.data]));
    assert.deepEqual(JSON.parse(text(byMime['application/vnd.gradscope.health+json'])), { version: 1, loss: [0.5, null] });
    assert.deepEqual(Buffer.from(byMime['image/png']), png);
    assert.equal(text(byMime['text/html']), '<b>é</b>');
    assert.equal(out.metadata?.outputType, 'execute_result');
    assert.equal(out.metadata?.executionCount, 7);
    assert.deepEqual(fromCellOutput(out), o);
  });

  test('new outputs from the kernel (no nbformat metadata) are read from their items', () => {
    const enc = new TextEncoder();
    assert.deepEqual(fromCellOutput({ items: [{ mime: STDOUT_MIME, data: enc.encode('hi\n') }] }), { output_type: 'stream', name: 'stdout', text: 'hi\n' });
    assert.deepEqual(fromCellOutput({ items: [{ mime: ERROR_MIME, data: enc.encode(JSON.stringify({ name: 'Error', message: 'boom', stack: 'Error: boom\n    at Cell 1, line 1, column 7' })) }] }),
      { output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['Error: boom', '    at Cell 1, line 1, column 7'] });
    assert.deepEqual(fromCellOutput({ items: [{ mime: 'image/png', data: new Uint8Array([1, 2, 3]) }, { mime: 'application/json', data: enc.encode('{"a":1}') }] }),
      { output_type: 'display_data', data: { 'image/png': 'AQID', 'application/json': { a: 1 } }, metadata: {} });
    assert.deepEqual(fromCellOutput({ items: [{ mime: 'text/plain', data: enc.encode('42') }], metadata: { outputType: 'execute_result', executionCount: 2 } }),
      { output_type: 'execute_result', data: { 'text/plain': '42' }, metadata: {}, execution_count: 2 });
  });

  test('display ids (transient) and unknown output fields survive the round trip', () => {
    const o: NbOutput = { output_type: 'display_data', data: { 'text/plain': 'epoch 3/10' }, metadata: {}, transient: { display_id: 'progress-1' }, future_field: 'kept' };
    assert.deepEqual(fromCellOutput(toCellOutput(o)), o);
  });
});
