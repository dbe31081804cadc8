/**
 * Jupyter round trip: a trivial execute (`1`) from send to execute_reply and to the idle status,
 * over ZeroMQ against `gradscope kernel`, side by side with the same execute through KernelClient's
 * IPC (what the editor pays), so the ZeroMQ layer's own cost shows as a difference. Goal: median
 * ≤ 5 ms over ZeroMQ.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient } from '../../src/kernel/client';
import { decode, encode, newHeader, Signer } from '../../src/jupyter/wire';

const N = 200;
const WARM = 20;
const root = path.resolve(__dirname, '../..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function overZmq(): Promise<{ reply: number[]; idle: number[]; info: number[] }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional dependency
  const zmq = require('zeromq');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-jbench-'));
  const ports = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const conn = { transport: 'tcp', ip: '127.0.0.1', shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4], key: 'bench-key', signature_scheme: 'hmac-sha256' };
  const file = path.join(dir, 'conn.json');
  fs.writeFileSync(file, JSON.stringify(conn));
  const kernel = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'kernel', file, '--backend', 'cpu'], { stdio: ['ignore', 'ignore', 'ignore'] });
  const signer = new Signer(conn.key);
  const shell = new zmq.Dealer();
  const iopub = new zmq.Subscriber();
  shell.connect(`tcp://127.0.0.1:${conn.shell_port}`);
  iopub.connect(`tcp://127.0.0.1:${conn.iopub_port}`);
  iopub.subscribe();
  const session = 'bench';
  const idleOf = new Map<string, () => void>();
  void (async () => {
    for await (const frames of iopub) {
      const m = decode(frames, signer);
      if (m.header.msg_type === 'status' && m.content.execution_state === 'idle') idleOf.get(String(m.parent_header.msg_id))?.();
    }
  })().catch(() => undefined);
  const request = async (type: string, content: Record<string, unknown>) => {
    const header = newHeader(type, session);
    const idle = new Promise<void>((r) => idleOf.set(header.msg_id, r));
    const t0 = performance.now();
    await shell.send(encode(signer, [], header, {}, content));
    const [frames] = await Promise.all([shell.receive()]);
    const tReply = performance.now() - t0;
    decode(frames, signer);
    await idle;
    return { reply: tReply, idle: performance.now() - t0 };
  };
  try {
    await request('kernel_info_request', {});
    const reply: number[] = [];
    const idle: number[] = [];
    for (let i = 0; i < N + WARM; i++) {
      const r = await request('execute_request', { code: '1', silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
      if (i >= WARM) { reply.push(r.reply); idle.push(r.idle); }
    }
    const info: number[] = [];
    for (let i = 0; i < N; i++) info.push((await request('kernel_info_request', {})).idle);
    await shell.send(encode(signer, [], newHeader('shutdown_request', session), {}, { restart: false }));
    return { reply, idle, info };
  } finally {
    shell.close();
    iopub.close();
    setTimeout(() => kernel.kill('SIGKILL'), 500).unref();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function overIpc(): Promise<number[]> {
  const client = new KernelClient({ kernelPath: path.join(root, 'dist', 'kernel.js'), options: { workspaceDir: root, extensionDir: root, backend: 'cpu', wasmOverrides: false } });
  await client.start();
  const times: number[] = [];
  try {
    for (let i = 0; i < N + WARM; i++) {
      const t0 = performance.now();
      await client.execute({ source: '1', filename: `bench:/${i}`, label: `In [${i}]`, cellUri: 'bench', executionCount: i }, { output() {}, updateDisplay() {} });
      if (i >= WARM) times.push(performance.now() - t0);
    }
  } finally {
    client.dispose();
  }
  return times;
}

async function main() {
  const ipc = await overIpc();
  const z = await overZmq();
  const row = (name: string, xs: number[]) => console.log(`${name.padEnd(34)} median ${median(xs).toFixed(2)} ms   p90 ${pct(xs, 0.9).toFixed(2)} ms`);
  console.log(`trivial execute round trip, ${N} runs after ${WARM} warm-up, cpu backend`);
  row('KernelClient IPC (editor path)', ipc);
  row('ZeroMQ: send → execute_reply', z.reply);
  row('ZeroMQ: send → idle status', z.idle);
  row('ZeroMQ: kernel_info (no kernel process)', z.info);
  console.log(`ratio ZeroMQ idle / IPC: ${(median(z.idle) / median(ipc)).toFixed(2)}   goal: ZeroMQ median ≤ 5 ms — ${median(z.idle) <= 5 ? 'met' : 'MISSED'}`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
