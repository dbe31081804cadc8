/**
 * JSON the way Jupyter reads and writes notebooks. {@link parseJson} reports errors with a line and
 * column and remembers how each number was written (`1.0`, `1e-05`); {@link stringifyJupyter} writes
 * like Python's `json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False)` and reuses those
 * spellings, so a file Jupyter wrote comes back byte for byte.
 *
 * ```ts
 * const value = parseJson('{"b": 1.0, "a": [1e-05]}');
 * stringifyJupyter(value); // '{\n "a": [\n  1e-05\n ],\n "b": 1.0\n}'
 * ```
 */

/** A JSON syntax error; `line` and `column` are 1-based. */
export class JsonSyntaxError extends Error {
  constructor(readonly reason: string, readonly line: number, readonly column: number) {
    super(`invalid JSON at line ${line}, column ${column}: ${reason}`);
    this.name = 'JsonSyntaxError';
  }
}

/** How numbers were spelled in the parsed text, per container and key, when JavaScript would spell them differently. */
const numberSpelling = new WeakMap<object, Map<string | number, string>>();

/** Parses JSON text (like `JSON.parse`), recording number spellings for {@link stringifyJupyter}. */
export function parseJson(text: string): unknown {
  let pos = 0;
  const fail = (reason: string, at = pos): never => {
    const before = text.slice(0, at).split('\n');
    throw new JsonSyntaxError(reason, before.length, before[before.length - 1].length + 1);
  };
  const describe = (at: number) => (at >= text.length ? 'unexpected end of file (is the file truncated?)' : `unexpected ${JSON.stringify(text[at])}`);
  const skip = () => { while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++; };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  const str = (): string => {
    const start = pos;
    let i = pos + 1;
    let plain = true;
    for (;;) {
      const q = text.indexOf('"', i);
      if (q < 0) return fail('unterminated string (is the file truncated?)', start);
      let backslashes = 0;
      for (let k = q - 1; k > start && text.charCodeAt(k) === 92; k--) backslashes++;
      if (backslashes % 2 === 0) { i = q; break; }
      plain = false;
      i = q + 1;
    }
    const raw = text.slice(start + 1, i);
    pos = i + 1;
    const bad = /[\u0000-\u001f]/.exec(raw);
    if (bad) return fail('control character in a string', start + 1 + bad.index);
    if (plain && !raw.includes('\\')) return raw;
    try { return JSON.parse(text.slice(start, i + 1)) as string; } catch { return fail('invalid escape in a string', start); }
  };

  const value = (holder: object | undefined, key: string | number): unknown => {
    skip();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const obj: Record<string, unknown> = {};
      skip();
      if (text[pos] === '}') { pos++; return obj; }
      for (;;) {
        skip();
        if (text[pos] !== '"') return fail(text[pos] === undefined ? describe(pos) : `expected a property name in double quotes, found ${JSON.stringify(text[pos])}`);
        const k = str();
        skip();
        if (text[pos] !== ':') return fail(text[pos] === undefined ? describe(pos) : `expected ":" after property name ${JSON.stringify(k)}`);
        pos++;
        Object.defineProperty(obj, k, { value: value(obj, k), enumerable: true, writable: true, configurable: true });
        skip();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === '}') { pos++; return obj; }
        return fail(text[pos] === undefined ? describe(pos) : `expected "," or "}" in an object, found ${JSON.stringify(text[pos])}`);
      }
    }
    if (c === '[') {
      pos++;
      const arr: unknown[] = [];
      skip();
      if (text[pos] === ']') { pos++; return arr; }
      for (;;) {
        arr.push(value(arr, arr.length));
        skip();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === ']') { pos++; return arr; }
        return fail(text[pos] === undefined ? describe(pos) : `expected "," or "]" in a list, found ${JSON.stringify(text[pos])}`);
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, pos)) { pos += word.length; return v; }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos += m[0].length;
      const n = Number(m[0]);
      if (holder && String(n) !== m[0]) {
        let spellings = numberSpelling.get(holder);
        if (!spellings) numberSpelling.set(holder, (spellings = new Map()));
        spellings.set(key, m[0]);
      }
      return n;
    }
    return fail(describe(pos));
  };

  const result = value(undefined, 0);
  skip();
  if (pos < text.length) fail(`unexpected ${JSON.stringify(text[pos])} after the end of the JSON value`);
  return result;
}

/** Python's `sorted()` order of str keys: by code point (JavaScript's `<` compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy && (sx ? y : x) >= 0xe000) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** The spelling of number `n` at `holder[key]`: as it was read when still the same value, else JavaScript's. */
function numberText(n: number, holder: object, key: string | number): string {
  // A spelling read from the file comes first: `1e400` parses to Infinity and is written as read.
  const spelled = numberSpelling.get(holder)?.get(key);
  if (spelled !== undefined && Number(spelled) === n) return spelled;
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * `edited` with the number spellings of `original` (a value {@link parseJson} returned) put back
 * wherever a number is unchanged as JSON sees it. VS Code hands metadata back as a JSON copy, where
 * `-0` became `0` and `1e400` (Infinity) became `null`: those count as unchanged and get the file's
 * value and spelling again. Each number is judged alone, so editing one key keeps the others' spellings.
 *
 * ```ts
 * const original = parseJson('{"a": -0, "b": 1.50, "c": 1e400}');
 * stringifyJupyter(respell(JSON.parse(JSON.stringify(original)), original)); // -0, 1.50 and 1e400 again
 * ```
 */
export function respell(edited: unknown, original: unknown): unknown {
  if (typeof edited !== 'object' || edited === null || typeof original !== 'object' || original === null) return edited;
  if (Array.isArray(edited) !== Array.isArray(original)) return edited;
  const from = original as Record<string | number, unknown>;
  const fromSpellings = numberSpelling.get(original);
  const out: Record<string | number, unknown> = Array.isArray(edited) ? [] as unknown as Record<number, unknown> : {};
  let spellings: Map<string | number, string> | undefined;
  const keys: (string | number)[] = Array.isArray(edited) ? edited.map((_, i) => i) : Object.keys(edited);
  for (const k of keys) {
    const e = (edited as Record<string | number, unknown>)[k];
    const o = Object.prototype.hasOwnProperty.call(from, k) ? from[k] : undefined;
    let v = e;
    if (typeof o === 'number' && (typeof e === 'number' || e === null) && JSON.stringify(o) === JSON.stringify(e)) {
      v = o;
      const spelled = fromSpellings?.get(k);
      if (spelled !== undefined) (spellings ??= new Map()).set(k, spelled);
    } else {
      v = respell(e, o);
    }
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  if (spellings) numberSpelling.set(out, spellings);
  return out;
}

/**
 * Serializes like Python's `json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False)` (no
 * trailing newline); `compact` writes like `JSON.stringify(value)` instead, key order kept. Both reuse
 * the spellings of numbers read by {@link parseJson}.
 */
export function stringifyJupyter(value: unknown, options: { compact?: boolean } = {}): string {
  const compact = options.compact === true;
  const out: string[] = [];
  const write = (v: unknown, indent: string, holder: object, key: string | number): void => {
    if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol') { out.push('null'); return; }
    if (typeof v === 'number') { out.push(numberText(v, holder, key)); return; }
    if (typeof v === 'string' || typeof v === 'boolean') { out.push(JSON.stringify(v)); return; }
    if (typeof v === 'bigint') { out.push(v.toString()); return; }
    const inner = indent + ' ';
    const open = compact ? '' : '\n' + inner;
    const next = compact ? ',' : ',\n' + inner;
    const close = compact ? '' : '\n' + indent;
    if (Array.isArray(v)) {
      if (v.length === 0) { out.push('[]'); return; }
      out.push('[');
      v.forEach((item, i) => {
        out.push(i ? next : open);
        write(item, inner, v, i);
      });
      out.push(close, ']');
      return;
    }
    const obj = (typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : v) as Record<string, unknown>;
    if (obj !== v) { write(obj, indent, holder, key); return; }
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function' && typeof obj[k] !== 'symbol');
    if (!compact) keys.sort(compareCodePoints);
    if (keys.length === 0) { out.push('{}'); return; }
    out.push('{');
    keys.forEach((k, i) => {
      out.push(i ? next : open, JSON.stringify(k), compact ? ':' : ': ');
      write(obj[k], inner, obj, k);
    });
    out.push(close, '}');
  };
  write(value, '', {}, 0);
  return out.join('');
}
