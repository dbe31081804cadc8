/**
 * Compiles stats.wat into statsWasm.ts (the module's bytes as base64), so the product needs no
 * WebAssembly toolchain at run time. Run after editing stats.wat:
 * `node --import tsx src/diagnostics/buildStatsWasm.ts`; a unit test fails while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Wabt = { parseWat(name: string, text: string, features: object): { toBinary(o: object): { buffer: Uint8Array }; destroy(): void } };

/** The bytes of stats.wat compiled with wabt (SIMD and multi-value on). */
export async function compileStatsWat(): Promise<Uint8Array> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wabt = await (require('wabt') as () => Promise<Wabt>)();
  const mod = wabt.parseWat('stats.wat', readFileSync(join(__dirname, 'stats.wat'), 'utf8'), { simd: true, multi_value: true });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** The text of statsWasm.ts for `bytes`. */
export function statsWasmSource(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines = b64.match(/.{1,100}/g) ?? [];
  return [
    '// Generated from stats.wat by buildStatsWasm.ts; do not edit (a unit test compares the two).',
    '/** The diagnostics reductions of stats.wat (sums of squares, moments, threshold counts), base64. */',
    'export const STATS_WASM_BASE64 =',
    lines.map((l) => `  '${l}'`).join(' +\n') + ';',
    '',
  ].join('\n');
}

if (require.main === module) {
  void compileStatsWat().then((bytes) => {
    writeFileSync(join(__dirname, 'statsWasm.ts'), statsWasmSource(bytes));
    console.log(`statsWasm.ts: ${bytes.length} bytes`);
  });
}
