/**
 * Completion and inspection from the kernel's live values, for front ends that ask the kernel (the
 * Jupyter protocol's complete and inspect requests). A dotted name before the cursor is resolved by
 * property lookups only — never by evaluating code — so asking for completions cannot run a call.
 * Cursor offsets are UTF-16 indices here; the Jupyter side converts code points.
 */
import { formatText } from './format';

/** JavaScript and TypeScript keywords offered where an expression or statement can start. */
const KEYWORDS = [
  'await', 'async', 'break', 'case', 'catch', 'class', 'const', 'continue', 'default', 'delete', 'do', 'else',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'interface',
  'let', 'new', 'null', 'return', 'switch', 'this', 'throw', 'true', 'try', 'type', 'typeof', 'undefined',
  'var', 'void', 'while', 'yield',
];

/** What the completion replaces (start–end in the code) and its candidates, sorted. */
export interface CompletionResult {
  matches: string[];
  start: number;
  end: number;
}

const IDENT = /[A-Za-z_$][\w$]*/;
const CHAIN_BEFORE = new RegExp(`(${IDENT.source}(?:\\s*\\.\\s*${IDENT.source})*)\\s*\\.\\s*(${IDENT.source})?$`);
const WORD_BEFORE = new RegExp(`(${IDENT.source})$`);

/** Completions at `cursor` in `code`, from the properties of `scope` (globalThis in the kernel). */
export function completeAt(code: string, cursor: number, scope: object): CompletionResult {
  const before = code.slice(0, cursor);
  const chain = CHAIN_BEFORE.exec(before);
  if (chain) {
    const prefix = chain[2] ?? '';
    const target = resolve(chain[1], scope);
    const names = target.found ? propertyNames(target.value) : [];
    return { matches: filter(names, prefix), start: cursor - prefix.length, end: cursor };
  }
  // A member of something that is not a plain dotted name (a call, an index, a literal): finding its
  // properties would mean evaluating it, so nothing is offered.
  const member = /\.\s*([\w$]*)$/.exec(before);
  if (member) return { matches: [], start: cursor - member[1].length, end: cursor };
  const word = WORD_BEFORE.exec(before)?.[1] ?? '';
  const names = [...propertyNames(scope), ...KEYWORDS];
  return { matches: filter(names, word), start: cursor - word.length, end: cursor };
}

/** The text shown when the user inspects the name at `cursor` (Shift+Tab in Jupyter), or undefined. */
export function inspectAt(code: string, cursor: number, scope: object, detail: number): string | undefined {
  const name = nameAt(code, cursor);
  if (!name) return undefined;
  const target = resolve(name, scope);
  if (!target.found) return undefined;
  const v = target.value;
  const kind = v === null ? 'null' : Array.isArray(v) ? 'Array' : typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
  const lines = [`${name}: ${kind}`];
  if (typeof v === 'function') {
    const src = Function.prototype.toString.call(v);
    lines.push(detail > 0 ? src : src.split('\n')[0].slice(0, 300));
  } else {
    const text = formatText(v);
    lines.push(detail > 0 ? text : text.slice(0, 2000));
  }
  return lines.join('\n');
}

/** The dotted name around `cursor` (the identifier under or just before it, with its receivers). */
export function nameAt(code: string, cursor: number): string | undefined {
  let end = cursor;
  while (end < code.length && /[\w$]/.test(code[end])) end++;
  const m = new RegExp(`(${IDENT.source}(?:\\s*\\.\\s*${IDENT.source})*)$`).exec(code.slice(0, end));
  return m?.[1].replace(/\s+/g, '');
}

function resolve(chain: string, scope: object): { found: boolean; value?: unknown } {
  let value: unknown = scope;
  for (const part of chain.split('.').map((s) => s.trim())) {
    if (value === null || value === undefined) return { found: false };
    try {
      if (!(part in Object(value))) return { found: false };
      value = (value as Record<string, unknown>)[part];
    } catch {
      return { found: false };
    }
  }
  return { found: true, value };
}

function propertyNames(value: unknown): string[] {
  const names = new Set<string>();
  let o: unknown = value === null || value === undefined ? undefined : Object(value);
  for (let depth = 0; o && o !== Object.prototype && depth < 8; depth++) {
    for (const k of Object.getOwnPropertyNames(o)) if (IDENT.test(k) && /^[A-Za-z_$][\w$]*$/.test(k)) names.add(k);
    o = Object.getPrototypeOf(o);
  }
  for (const k of ['constructor', '__proto__']) names.delete(k);
  return [...names];
}

function filter(names: string[], prefix: string): string[] {
  const hidden = (n: string) => n.startsWith('__') && !prefix.startsWith('__');
  return [...new Set(names)].filter((n) => n.startsWith(prefix) && !hidden(n)).sort();
}
