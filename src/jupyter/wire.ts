/**
 * The Jupyter wire format (messaging protocol 5.3): the frames of one message on a ZeroMQ socket,
 * and their HMAC signature. Pure: the sockets live in server.ts. An incoming message whose signature
 * does not verify is never parsed into a request (the caller drops it and logs why).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** The delimiter between routing identities and the signed frames. */
const DELIMITER = '<IDS|MSG>';
/** The protocol version this kernel speaks. */
export const PROTOCOL_VERSION = '5.3';

/** A message header (the spec's fields; extra fields are kept as sent). */
export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [key: string]: unknown;
}

/** One message, decoded. */
export interface Message {
  /** The ROUTER identities the reply must be addressed to (empty on SUB/PUB). */
  identities: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
}

/** Signs and verifies frames with the connection file's key (an empty key disables signing, as the spec allows). */
export class Signer {
  private readonly key: Buffer;

  constructor(key: string, scheme = 'hmac-sha256') {
    if (scheme !== 'hmac-sha256') throw new Error(`unsupported signature_scheme '${scheme}' (this kernel signs with hmac-sha256)`);
    this.key = Buffer.from(key, 'utf8');
  }

  sign(frames: Buffer[]): string {
    if (this.key.length === 0) return '';
    const h = createHmac('sha256', this.key);
    for (const f of frames) h.update(f);
    return h.digest('hex');
  }

  verify(signature: string, frames: Buffer[]): boolean {
    if (this.key.length === 0) return true;
    const expected = Buffer.from(this.sign(frames), 'utf8');
    const got = Buffer.from(signature, 'utf8');
    return got.length === expected.length && timingSafeEqual(got, expected);
  }
}

/** Why an incoming message was dropped. */
export class WireError extends Error {}

/** Decodes the frames of one incoming message; throws WireError when malformed or badly signed. */
export function decode(frames: Buffer[], signer: Signer): Message {
  const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString('utf8') === DELIMITER);
  if (at < 0) throw new WireError('no <IDS|MSG> delimiter');
  if (frames.length < at + 6) throw new WireError(`expected 5 frames after the delimiter, got ${frames.length - at - 1}`);
  const signature = frames[at + 1].toString('utf8');
  const signed = frames.slice(at + 2, at + 6);
  if (!signer.verify(signature, signed)) throw new WireError('bad signature');
  const parse = (b: Buffer, what: string): Record<string, unknown> => {
    try {
      const v = JSON.parse(b.toString('utf8'));
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      return v as Record<string, unknown>;
    } catch (e) {
      throw new WireError(`${what} is not a JSON object: ${(e as Error).message}`);
    }
  };
  const header = parse(signed[0], 'header') as Header;
  if (typeof header.msg_type !== 'string' || typeof header.msg_id !== 'string') throw new WireError('header lacks msg_type or msg_id');
  return {
    identities: frames.slice(0, at),
    header,
    parent_header: parse(signed[1], 'parent_header') as Partial<Header>,
    metadata: parse(signed[2], 'metadata'),
    content: parse(signed[3], 'content'),
    buffers: frames.slice(at + 6),
  };
}

/** A new header for a message this kernel sends. */
export function newHeader(msgType: string, session: string): Header {
  return { msg_id: randomUUID(), session, username: 'gradscope', date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}

/** The frames of an outgoing message: identities (or a PUB topic), delimiter, signature, four JSON frames. */
export function encode(
  signer: Signer,
  prefix: Buffer[],
  header: Header,
  parent: Partial<Header>,
  content: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): Buffer[] {
  const signed = [header, parent, metadata, content].map((o) => Buffer.from(JSON.stringify(o), 'utf8'));
  return [...prefix, Buffer.from(DELIMITER, 'utf8'), Buffer.from(signer.sign(signed), 'utf8'), ...signed];
}
