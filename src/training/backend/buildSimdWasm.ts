/**
 * Compiles simd.wat into simdWasm.ts (the module's bytes as base64), so the product needs no
 * WebAssembly toolchain at run time. Run after editing simd.wat:
 * `node --import tsx src/training/backend/buildSimdWasm.ts`; a unit test fails while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The bytes of simd.wat compiled with wabt (SIMD on). */
export async function compileSimdWat(): Promise<Uint8Array> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wabt = await (require('wabt') as () => Promise<{ parseWat(name: string, text: string, features: object): { toBinary(o: object): { buffer: Uint8Array }; destroy(): void } }>)();
  const mod = wabt.parseWat('simd.wat', readFileSync(join(__dirname, 'simd.wat'), 'utf8'), { simd: true });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** The text of simdWasm.ts for `bytes`. */
export function simdWasmSource(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines = b64.match(/.{1,100}/g) ?? [];
  return [
    '// Generated from simd.wat by buildSimdWasm.ts; do not edit (a unit test compares the two).',
    '/** The SIMD loops of simd.wat (Adam update, NaN-keeping clamp), base64. */',
    'export const SIMD_WASM_BASE64 =',
    lines.map((l) => `  '${l}'`).join(' +\n') + ';',
    '',
  ].join('\n');
}

if (require.main === module) {
  void compileSimdWat().then((bytes) => {
    writeFileSync(join(__dirname, 'simdWasm.ts'), simdWasmSource(bytes));
    console.log(`simdWasm.ts: ${bytes.length} bytes`);
  });
}
