/**
 * `gradscope kernel CONNECTION_FILE`: serves one Jupyter kernel over ZeroMQ — shell, control and
 * stdin ROUTER sockets, an IOPub PUB socket and a heartbeat REP — with every incoming message's
 * HMAC checked before it is read. `zeromq` is an optional dependency: the VS Code extension never
 * loads it, and this command says how to install it when it is missing.
 */
import * as path from 'node:path';
import { KernelClient } from '../kernel/client';
import { endpoint, readConnectionFile, type Channel, type ConnectionInfo } from './connection';
import { JupyterKernel, type JupyterTransport } from './kernel';
import { decode, encode, newHeader, Signer, WireError, type Message } from './wire';

/** The subset of zeromq 6's socket API used here. */
interface ZmqSocket extends AsyncIterable<Buffer[]> {
  bind(address: string): Promise<void>;
  send(frames: Buffer | Buffer[]): Promise<void>;
  close(): void;
}
interface Zmq {
  Router: new () => ZmqSocket;
  Publisher: new () => ZmqSocket;
  Reply: new () => ZmqSocket;
}

/** Loads zeromq, or explains how to get it. */
export function loadZeromq(): Zmq {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional dependency, loaded only by this command
    return require('zeromq') as Zmq;
  } catch (e) {
    throw new Error(`the Jupyter kernel needs the npm package zeromq (6.8.0 ships prebuilt binaries): npm install zeromq@6.8.0 next to gradscope (${(e as Error).message})`);
  }
}

/** zeromq sockets take one send at a time; this queues the rest in order. */
class Outbox {
  private last = Promise.resolve();

  constructor(private readonly socket: ZmqSocket, private readonly log: (line: string) => void) {}

  send(frames: Buffer[]): void {
    this.last = this.last.then(() => this.socket.send(frames)).catch((e: Error) => this.log(`send failed: ${e.message}`));
  }
}

/** Options of {@link serveKernel}. */
export interface ServeArgs {
  connectionFile: string;
  /** Folder that cells' requires resolve from. Defaults to the current directory. */
  workspaceDir?: string;
  backend?: import('../protocol/kernelMessages').KernelBackend;
  /** Kernel log lines (stderr by default). */
  log?: (line: string) => void;
  version: string;
}

/** Binds the sockets and serves until a shutdown request; resolves when the kernel has stopped. */
export async function serveKernel(args: ServeArgs): Promise<void> {
  const log = args.log ?? ((line: string) => process.stderr.write(`[gradscope kernel] ${line}\n`));
  const conn: ConnectionInfo = readConnectionFile(args.connectionFile);
  const signer = new Signer(conn.key, conn.signature_scheme);
  const zmq = loadZeromq();
  const sockets = {
    shell: new zmq.Router(), control: new zmq.Router(), stdin: new zmq.Router(), iopub: new zmq.Publisher(), hb: new zmq.Reply(),
  };
  for (const [channel, socket] of Object.entries(sockets)) await socket.bind(endpoint(conn, channel as Channel));
  const out = Object.fromEntries(Object.entries(sockets).map(([k, s]) => [k, new Outbox(s, log)])) as Record<keyof typeof sockets, Outbox>;
  const session = newHeader('x', '').msg_id;
  const channelOf = new WeakMap<Message, 'shell' | 'control'>();
  const waitingInput = new Map<string, (m: Message) => void>();

  const transport: JupyterTransport = {
    reply(req, msgType, content, metadata) {
      out[channelOf.get(req) ?? 'shell'].send(encode(signer, req.identities, newHeader(msgType, session), req.header, content, metadata));
    },
    publish(parent, msgType, content) {
      out.iopub.send(encode(signer, [Buffer.from(`kernel.${session}.${msgType}`)], newHeader(msgType, session), parent?.header ?? {}, content));
    },
    input(parent, prompt, password) {
      const header = newHeader('input_request', session);
      return new Promise<string>((resolve) => {
        waitingInput.set(header.msg_id, (m) => resolve(String(m.content.value ?? '')));
        out.stdin.send(encode(signer, parent.identities, header, parent.header, { prompt, password }));
      });
    },
  };

  let stopping: ((restart: boolean) => void) | undefined;
  const stopped = new Promise<void>((resolve) => { stopping = () => resolve(); });
  const client = new KernelClient({
    kernelPath: path.join(__dirname, 'kernel.js'),
    options: {
      workspaceDir: args.workspaceDir ?? process.cwd(), extensionDir: path.dirname(__dirname),
      backend: args.backend ?? 'auto', wasmOverrides: process.env.GRADSCOPE_WASM_OVERRIDES !== '0',
    },
    log,
  });
  const kernel = new JupyterKernel({
    kernel: client, transport, version: args.version, typescriptVersion: typescriptVersion(),
    onShutdown: (restart) => stopping?.(restart),
  });

  const serve = async (channel: 'shell' | 'control' | 'stdin') => {
    for await (const frames of sockets[channel]) {
      let msg: Message;
      try {
        msg = decode(frames, signer);
      } catch (e) {
        log(`dropped a message on ${channel}: ${e instanceof WireError ? e.message : String(e)}`);
        continue;
      }
      if (channel === 'stdin') {
        // jupyter_client sends input_reply without a parent header; one cell asks at a time, so an
        // unaddressed reply answers the oldest open request.
        const parentId = String(msg.parent_header.msg_id ?? '');
        const key = waitingInput.has(parentId) ? parentId : waitingInput.keys().next().value;
        if (key !== undefined && msg.header.msg_type === 'input_reply') {
          waitingInput.get(key)?.(msg);
          waitingInput.delete(key);
        }
        continue;
      }
      channelOf.set(msg, channel);
      kernel.handle(msg).catch((e: Error) => log(`${msg.header.msg_type} failed: ${e.stack ?? e.message}`));
    }
  };
  const heartbeat = async () => {
    for await (const frames of sockets.hb) await sockets.hb.send(frames);
  };
  const loops = [serve('shell'), serve('control'), serve('stdin'), heartbeat()].map((p) => p.catch(() => undefined));

  // Jupyter's "signal" interrupt mode and Ctrl+C in a console both arrive as SIGINT.
  const onSigint = () => client.interrupt();
  process.on('SIGINT', onSigint);
  const onSigterm = () => stopping?.(false);
  process.on('SIGTERM', onSigterm);
  transport.publish(undefined, 'status', { execution_state: 'starting' });
  kernel.start().catch((e: Error) => log(`the kernel process did not start: ${e.message}`));

  await stopped;
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  client.dispose();
  // Let the last replies leave before the sockets close.
  await new Promise((r) => setTimeout(r, 50));
  for (const s of Object.values(sockets)) s.close();
  await Promise.all(loops);
}

function typescriptVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- read at run time: the bundle keeps only this field
    return (require('typescript/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
