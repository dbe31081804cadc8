/**
 * http(s):// models keep loading through tfjs's own handler; only its failure without a network is
 * reworded. tfjs's handler and weight loader fetch through `tf.env().platform.fetch`, whose error
 * offline is Node's bare "TypeError: fetch failed"; the wrapper installed here names the URL, the
 * cause (host not found, connection refused, …) and the way out: a copy saved with file://.
 */
import type * as tfc from '@tensorflow/tfjs';

const WRAPPED = Symbol.for('gradscope.fileIO.fetch');

/** Error codes of a request that never reached a server. */
const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'host not found', EAI_AGAIN: 'name lookup failed', ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset', ETIMEDOUT: 'timed out', ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable', UND_ERR_CONNECT_TIMEOUT: 'connect timed out', UND_ERR_SOCKET: 'socket closed',
};

/** Why a fetch failed without an answer, or undefined when `e` is another kind of error. */
export function networkReason(e: unknown): string | undefined {
  let c: unknown = e;
  for (let i = 0; i < 4 && c != null; i++) {
    const code = (c as { code?: string }).code;
    if (code && code in NETWORK_CODES) return `${NETWORK_CODES[code]}, ${code}`;
    c = (c as { cause?: unknown }).cause;
  }
  if (!(e instanceof TypeError && e.message === 'fetch failed')) return undefined;
  const cause = (e as { cause?: { message?: string } }).cause?.message;
  return cause ? `no answer: ${cause}` : 'no answer';
}

/** Wraps the platform's fetch once per platform object (idempotent across bundles). */
export function installOfflineMessages(tf: typeof tfc): void {
  const platform = tf.env().platform as unknown as { fetch?: ((u: string, init?: unknown) => Promise<unknown>) & { [WRAPPED]?: true } } | undefined;
  const original = platform?.fetch;
  if (!platform || typeof original !== 'function' || original[WRAPPED]) return;
  const wrapped = async (url: string, init?: unknown) => {
    try {
      return await original.call(platform, url, init);
    } catch (e) {
      const reason = networkReason(e);
      if (!reason) throw e;
      throw new Error(
        `could not reach ${url} (${reason}): loading a model over http(s):// needs the network. ` +
        'Offline, load a copy from disk: save it once online with model.save(\'file://./models/name\') and load \'file://./models/name/model.json\'',
        { cause: e },
      );
    }
  };
  platform.fetch = Object.assign(wrapped, { [WRAPPED]: true as const });
}
