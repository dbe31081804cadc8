/**
 * The pure parts of the Jupyter kernel: wire format and signatures, connection files, is_complete,
 * history queries, kernelspec paths, and the request handling of JupyterKernel against a fake
 * kernel process (message order, aborts after an error, silent runs, display ids, user expressions).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decode, encode, newHeader, Signer, WireError, type Message } from '../../../src/jupyter/wire';
import { checkConnection, endpoint } from '../../../src/jupyter/connection';
import { isComplete } from '../../../src/jupyter/isComplete';
import { History } from '../../../src/jupyter/history';
import { installKernelspec, kernelsDir, kernelspecFor } from '../../../src/jupyter/kernelspec';
import { JupyterKernel, type KernelProcess } from '../../../src/jupyter/kernel';
import type { ExecutionResult, ExecutionSink } from '../../../src/kernel/client';

describe('wire format', () => {
  const signer = new Signer('secret');

  test('the signature is HMAC-SHA256 over header, parent, metadata and content, as jupyter_client computes it', () => {
    const frames = encode(signer, [Buffer.from('id1')], newHeader('kernel_info_reply', 's'), {}, { status: 'ok' });
    assert.equal(frames[0].toString(), 'id1');
    assert.equal(frames[1].toString(), '<IDS|MSG>');
    const expected = createHmac('sha256', 'secret').update(frames[3]).update(frames[4]).update(frames[5]).update(frames[6]).digest('hex');
    assert.equal(frames[2].toString(), expected);
    const back = decode(frames, signer);
    assert.deepEqual(back.identities.map(String), ['id1']);
    assert.equal(back.header.msg_type, 'kernel_info_reply');
    assert.deepEqual(back.content, { status: 'ok' });
  });

  test('a message with a wrong signature, a changed frame or no delimiter is refused', () => {
    const frames = encode(new Signer('other key'), [], newHeader('execute_request', 's'), {}, { code: 'x' });
    assert.throws(() => decode(frames, signer), (e: Error) => e instanceof WireError && /bad signature/.test(e.message));
    const good = encode(signer, [], newHeader('execute_request', 's'), {}, { code: 'x' });
    const tampered = [...good];
    tampered[5] = Buffer.from(JSON.stringify({ code: 'evil()' }));
    assert.throws(() => decode(tampered, signer), /bad signature/);
    assert.throws(() => decode(good.slice(1), signer), /delimiter/);
    assert.throws(() => decode(good.slice(0, 4), signer), /expected 5 frames/);
  });

  test('only hmac-sha256 is accepted as a scheme; an empty key signs nothing', () => {
    assert.throws(() => new Signer('k', 'hmac-md5'), /unsupported signature_scheme 'hmac-md5'/);
    const open = new Signer('');
    const frames = encode(open, [], newHeader('x', 's'), {}, {});
    assert.equal(frames[1].toString(), '');
    assert.equal(decode(frames, open).header.msg_type, 'x');
  });
});

describe('connection files', () => {
  const base = { transport: 'tcp', ip: '127.0.0.1', shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, key: 'k', signature_scheme: 'hmac-sha256' };
  test('endpoints for tcp and ipc', () => {
    const c = checkConnection(base);
    assert.equal(endpoint(c, 'shell'), 'tcp://127.0.0.1:1');
    assert.equal(endpoint(c, 'hb'), 'tcp://127.0.0.1:5');
    assert.equal(endpoint(checkConnection({ ...base, transport: 'ipc', ip: '/tmp/k' }), 'iopub'), 'ipc:///tmp/k-2');
  });
  test('a bad field is named', () => {
    assert.throws(() => checkConnection({ ...base, shell_port: 'x' }), /"shell_port" must be a port number/);
    assert.throws(() => checkConnection({ ...base, transport: 'udp' }), /transport must be "tcp" or "ipc"/);
    assert.throws(() => checkConnection({ ...base, ip: undefined }), /"ip" is missing/);
  });
});

describe('is_complete', () => {
  test('open blocks, calls, comments and template literals wait for more; other errors are invalid', () => {
    for (const c of ['const x = 1', 'await f()', 'import * as tf from "@tensorflow/tfjs"', 'for (;;) { break }']) assert.equal(isComplete(c).status, 'complete', c);
    assert.deepEqual(isComplete('for (let i = 0; i < 3; i++) {'), { status: 'incomplete', indent: '  ' });
    assert.deepEqual(isComplete('f(a, [1,\n'), { status: 'incomplete', indent: '    ' });
    for (const c of ['const s = `abc', '/* note', 'x +']) assert.equal(isComplete(c).status, 'incomplete', c);
    for (const c of ['const = 5', 'let x = ;', 'x = "abc']) assert.equal(isComplete(c).status, 'invalid', c);
  });
});

describe('history', () => {
  const h = new History();
  h.add(1, 'const a = 1');
  h.add(2, 'a + 1').output = '2';
  h.add(3, 'a + 1');
  test('tail, range and search with glob patterns, unique and n', () => {
    assert.deepEqual(h.query({ hist_access_type: 'tail', n: 2 }), [[1, 2, 'a + 1'], [1, 3, 'a + 1']]);
    assert.deepEqual(h.query({ hist_access_type: 'tail', n: 1, output: true }), [[1, 3, ['a + 1', null]]]);
    assert.deepEqual(h.query({ hist_access_type: 'range', session: 1, start: 2, stop: 3, output: true }), [[1, 2, ['a + 1', '2']]]);
    assert.deepEqual(h.query({ hist_access_type: 'search', pattern: 'a *' }), [[1, 2, 'a + 1'], [1, 3, 'a + 1']]);
    assert.deepEqual(h.query({ hist_access_type: 'search', pattern: 'a *', unique: true }), [[1, 3, 'a + 1']]);
    assert.deepEqual(h.query({ hist_access_type: 'search', pattern: '*a?=*' }), [[1, 1, 'const a = 1']]);
    assert.deepEqual(h.query({ hist_access_type: 'search', pattern: '*a*', n: 1 }), [[1, 3, 'a + 1']]);
    assert.deepEqual(h.query({ hist_access_type: 'search', pattern: 'b*' }), []);
    assert.throws(() => h.query({ hist_access_type: 'sideways' }), /unknown hist_access_type 'sideways'/);
  });
});

describe('kernelspec', () => {
  test('argv runs this CLI with this Node and the connection file; --prefix and JUPYTER_DATA_DIR are honoured', () => {
    const spec = kernelspecFor('/opt/gs/dist/cli.js', '/usr/bin/node');
    assert.deepEqual(spec.argv, ['/usr/bin/node', '/opt/gs/dist/cli.js', 'kernel', '{connection_file}']);
    assert.equal(spec.language, 'typescript');
    assert.equal(spec.interrupt_mode, 'message');
    assert.equal(kernelsDir({ kind: 'prefix', dir: '/p' }), '/p/share/jupyter/kernels');
    assert.equal(kernelsDir({ kind: 'user' }, { JUPYTER_DATA_DIR: '/d' }), '/d/kernels');
    assert.equal(kernelsDir({ kind: 'sys-prefix' }, { VIRTUAL_ENV: '/venv' }), '/venv/share/jupyter/kernels');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-spec-'));
    try {
      const where = installKernelspec(spec, { kind: 'prefix', dir });
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(where, 'kernel.json'), 'utf8')), spec);
      assert.throws(() => installKernelspec(spec, { kind: 'prefix', dir }, '../evil'), /may only hold letters/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A kernel process that runs scripted cells: `ok:`, `fail:`, `print:TEXT`, `show:` (a display updated once). */
class FakeKernel implements KernelProcess {
  interrupts = 0;
  disposed = false;
  ran: string[] = [];
  async start() {
    return { backend: 'cpu', tfjsVersion: '4.22.0', notes: [] };
  }
  async execute(req: { source: string; executionCount: number }, sink: ExecutionSink): Promise<ExecutionResult> {
    this.ran.push(req.source);
    const s = req.source;
    if (s.startsWith('print:')) sink.output({ output_type: 'stream', name: 'stdout', text: s.slice(6) });
    if (s.startsWith('show:')) {
      sink.output({ output_type: 'display_data', data: { 'text/plain': 'v1' }, metadata: {} }, 'display-1');
      sink.updateDisplay('display-1', { output_type: 'display_data', data: { 'text/plain': 'v2' }, metadata: {} });
    }
    if (s.startsWith('fail:')) {
      sink.output({ output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['Error: boom', '    at In [1], line 1'] });
      return { status: 'error', error: { filename: 'x', line: 1, column: 1, message: 'Error: boom' } };
    }
    if (s.startsWith('(')) sink.output({ output_type: 'execute_result', data: { 'text/plain': `value of ${s}` }, metadata: {}, execution_count: req.executionCount });
    return { status: 'ok' };
  }
  interrupt() { this.interrupts++; }
  dispose() { this.disposed = true; }
  async complete(_code: string, _cursor: number): Promise<{ matches: string[]; start: number; end: number }> { return { matches: ["ones"], start: 3, end: 5 }; }
  async inspect() { return 'x: number'; }
}

function harness() {
  const sent: { kind: 'reply' | 'iopub'; type: string; parent?: string; content: Record<string, unknown> }[] = [];
  const fake = new FakeKernel();
  let shutdown: boolean | undefined;
  const kernel = new JupyterKernel({
    kernel: fake, version: '0.0.0', typescriptVersion: '5.9.3', onShutdown: (r) => { shutdown = r; },
    transport: {
      reply: (req, type, content) => sent.push({ kind: 'reply', type, parent: req.header.msg_id, content }),
      publish: (parent, type, content) => sent.push({ kind: 'iopub', type, parent: parent?.header.msg_id, content }),
      input: async () => 'typed',
    },
  });
  let n = 0;
  const request = (type: string, content: Record<string, unknown>): Message => ({
    identities: [], header: { ...newHeader(type, 'client'), msg_id: `m${++n}` }, parent_header: {}, metadata: {}, content, buffers: [],
  });
  const settle = () => new Promise((r) => setTimeout(r, 20));
  return { sent, fake, kernel, request, settle, shutdown: () => shutdown };
}

describe('JupyterKernel', () => {
  test('an execute publishes busy, execute_input, outputs, then replies and publishes idle', async () => {
    const h = harness();
    await h.kernel.handle(h.request('execute_request', { code: 'print:hello' }));
    await h.settle();
    assert.deepEqual(h.sent.map((m) => `${m.kind}:${m.type}`), ['iopub:status', 'iopub:execute_input', 'iopub:stream', 'reply:execute_reply', 'iopub:status']);
    assert.deepEqual(h.sent.map((m) => m.content.execution_state).filter(Boolean), ['busy', 'idle']);
    assert.deepEqual(h.sent[3].content, { status: 'ok', execution_count: 1, payload: [], user_expressions: {} });
  });

  test('a failed cell replies with its mapped traceback and aborts the requests queued behind it', async () => {
    const h = harness();
    await h.kernel.handle(h.request('execute_request', { code: 'fail:' }));
    await h.kernel.handle(h.request('execute_request', { code: 'print:never' }));
    await h.settle();
    const replies = h.sent.filter((m) => m.type === 'execute_reply');
    assert.equal(replies[0].content.status, 'error');
    assert.deepEqual(replies[0].content.traceback, ['Error: boom', '    at In [1], line 1']);
    assert.equal(h.sent.filter((m) => m.type === 'error').length, 1, 'the error is published once');
    assert.equal(replies[1].content.status, 'aborted');
    assert.deepEqual(h.fake.ran, ['fail:'], 'the queued cell never ran');
  });

  test('stop_on_error false runs the next request; silent runs publish nothing and keep the count', async () => {
    const h = harness();
    await h.kernel.handle(h.request('execute_request', { code: 'fail:', stop_on_error: false }));
    await h.kernel.handle(h.request('execute_request', { code: 'print:quiet', silent: true }));
    await h.kernel.handle(h.request('execute_request', { code: 'print:loud' }));
    await h.settle();
    assert.deepEqual(h.fake.ran, ['fail:', 'print:quiet', 'print:loud']);
    assert.deepEqual(h.sent.filter((m) => m.type === 'stream').map((m) => m.content.text), ['loud']);
    assert.deepEqual(h.sent.filter((m) => m.type === 'execute_reply').map((m) => m.content.execution_count), [1, 1, 2]);
  });

  test('displays carry a display_id and updates arrive as update_display_data for the same id', async () => {
    const h = harness();
    await h.kernel.handle(h.request('execute_request', { code: 'show:' }));
    await h.settle();
    const shown = h.sent.find((m) => m.type === 'display_data')!;
    const updated = h.sent.find((m) => m.type === 'update_display_data')!;
    const id = (shown.content.transient as { display_id: string }).display_id;
    assert.ok(id.endsWith('display-1'));
    assert.deepEqual(updated.content, { data: { 'text/plain': 'v2' }, metadata: {}, transient: { display_id: id } });
  });

  test('user_expressions are evaluated after the cell and returned by name', async () => {
    const h = harness();
    await h.kernel.handle(h.request('execute_request', { code: 'ok:', user_expressions: { n: 'a + 1' } }));
    await h.settle();
    const reply = h.sent.find((m) => m.type === 'execute_reply')!;
    assert.deepEqual(reply.content.user_expressions, { n: { status: 'ok', data: { 'text/plain': 'value of (a + 1)\n' }, metadata: {} } });
  });

  test('interrupt, complete, inspect, comm_info, unknown requests and shutdown', async () => {
    const h = harness();
    await h.kernel.handle(h.request('interrupt_request', {}));
    assert.equal(h.fake.interrupts, 1);
    await h.kernel.handle(h.request('complete_request', { code: 'tf.on', cursor_pos: 5 }));
    assert.deepEqual(h.sent.find((m) => m.type === 'complete_reply')!.content, { status: 'ok', matches: ['ones'], cursor_start: 3, cursor_end: 5, metadata: {} });
    await h.kernel.handle(h.request('inspect_request', { code: 'x', cursor_pos: 1 }));
    assert.deepEqual(h.sent.find((m) => m.type === 'inspect_reply')!.content, { status: 'ok', found: true, data: { 'text/plain': 'x: number' }, metadata: {} });
    await h.kernel.handle(h.request('comm_info_request', {}));
    assert.deepEqual(h.sent.find((m) => m.type === 'comm_info_reply')!.content, { status: 'ok', comms: {} });
    await h.kernel.handle(h.request('debug_request', {}));
    assert.match(String(h.sent.find((m) => m.type === 'debug_reply')!.content.evalue), /does not handle debug_request/);
    await h.kernel.handle(h.request('shutdown_request', { restart: true }));
    assert.deepEqual(h.sent.find((m) => m.type === 'shutdown_reply')!.content, { status: 'ok', restart: true });
    assert.equal(h.fake.disposed, true);
    assert.equal(h.shutdown(), true);
  });

  test('cursor positions are code points: an emoji before the cursor counts once', async () => {
    const h = harness();
    let seen = -1;
    h.fake.complete = async (_code: string, cursor: number) => { seen = cursor; return { matches: [], start: cursor, end: cursor }; };
    await h.kernel.handle(h.request('complete_request', { code: "'😀'; Ma", cursor_pos: 7 }));
    assert.equal(seen, 8, 'UTF-16 offset handed to the kernel');
    assert.equal(h.sent.find((m) => m.type === 'complete_reply')!.content.cursor_end, 7);
  });
});
