/**
 * `is_complete_request`: whether a console should run the code or wait for another line. Code that
 * stops inside an open block, call, comment or template literal is `incomplete`; other syntax errors
 * are `invalid`; parsing uses esbuild's TypeScript parser, the one the kernel compiles cells with.
 */
import { transformSync } from 'esbuild';

/** The reply's content. */
export type IsCompleteReply = { status: 'complete' | 'invalid' | 'unknown' } | { status: 'incomplete'; indent: string };

const AT_END = /end of file|to terminate multi-line comment/;

/** Classifies `code` (a cell or console input). */
export function isComplete(code: string): IsCompleteReply {
  const problem = parseError(code);
  if (!problem) return { status: 'complete' };
  const endsOpen = AT_END.test(problem) || (/Unterminated string literal/.test(problem) && !parseError(`${code}\``));
  return endsOpen ? { status: 'incomplete', indent: '  '.repeat(openBrackets(code)) } : { status: 'invalid' };
}

function parseError(code: string): string | undefined {
  try {
    transformSync(code, { loader: 'ts', logLevel: 'silent' });
    return undefined;
  } catch (e) {
    const errors = (e as { errors?: { text: string }[] }).errors;
    return errors?.[0]?.text ?? String(e);
  }
}

/** Open (, [ and { outside strings and comments: the indent a console suggests for the next line. */
function openBrackets(code: string): number {
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '/' && code[i + 1] === '/') i = code.indexOf('\n', i) < 0 ? code.length : code.indexOf('\n', i);
    else if (c === '/' && code[i + 1] === '*') i = code.indexOf('*/', i + 2) < 0 ? code.length : code.indexOf('*/', i + 2) + 1;
    else if (c === '"' || c === "'" || c === '`') {
      for (i++; i < code.length && code[i] !== c; i++) if (code[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return depth;
}
