/**
 * The connection file Jupyter writes for a kernel (`{connection_file}` in kernel.json): transport,
 * address, the five ports and the signing key. Checked field by field so a bad file fails with a
 * message naming the field instead of a socket error.
 */
import * as fs from 'node:fs';

/** A connection file's content. */
export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

const PORTS = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const;
/** The kernel's channels, by port field. */
export type Channel = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

/** Reads and checks a connection file. */
export function readConnectionFile(file: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the connection file ${file}: ${(e as Error).message}`);
  }
  return checkConnection(raw, file);
}

/** Checks a parsed connection file; `file` names it in messages. */
export function checkConnection(raw: unknown, file = 'the connection file'): ConnectionInfo {
  if (typeof raw !== 'object' || raw === null) throw new Error(`${file} is not a JSON object`);
  const c = raw as Record<string, unknown>;
  const transport = c.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') throw new Error(`${file}: transport must be "tcp" or "ipc", not ${JSON.stringify(transport)}`);
  if (typeof c.ip !== 'string' || !c.ip) throw new Error(`${file}: "ip" is missing`);
  for (const p of PORTS) {
    const v = c[p];
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 65535) throw new Error(`${file}: "${p}" must be a port number, not ${JSON.stringify(v)}`);
  }
  if (typeof (c.key ?? '') !== 'string') throw new Error(`${file}: "key" must be a string`);
  return {
    transport,
    ip: c.ip,
    shell_port: c.shell_port as number,
    iopub_port: c.iopub_port as number,
    stdin_port: c.stdin_port as number,
    control_port: c.control_port as number,
    hb_port: c.hb_port as number,
    key: (c.key as string | undefined) ?? '',
    signature_scheme: typeof c.signature_scheme === 'string' ? c.signature_scheme : 'hmac-sha256',
  };
}

/** The ZeroMQ endpoint of one channel (`tcp://ip:port`, or `ipc://ip-port` as jupyter_client names them). */
export function endpoint(c: ConnectionInfo, channel: Channel): string {
  const port = c[`${channel === 'hb' ? 'hb' : channel}_port` as (typeof PORTS)[number]];
  return c.transport === 'tcp' ? `tcp://${c.ip}:${port}` : `ipc://${c.ip}-${port}`;
}
