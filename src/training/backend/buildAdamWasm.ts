/**
 * Compiles adam.wat into adamWasm.ts (the module's bytes as base64), so the product needs no
 * WebAssembly toolchain at run time. Run after editing adam.wat:
 * `node --import tsx src/training/backend/buildAdamWasm.ts`; a unit test fails while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The bytes of adam.wat compiled with wabt (SIMD on). */
export async function compileAdamWat(): Promise<Uint8Array> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wabt = await (require('wabt') as () => Promise<{ parseWat(name: string, text: string, features: object): { toBinary(o: object): { buffer: Uint8Array }; destroy(): void } }>)();
  const mod = wabt.parseWat('adam.wat', readFileSync(join(__dirname, 'adam.wat'), 'utf8'), { simd: true });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** The text of adamWasm.ts for `bytes`. */
export function adamWasmSource(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines = b64.match(/.{1,100}/g) ?? [];
  return [
    '// Generated from adam.wat by buildAdamWasm.ts; do not edit (a unit test compares the two).',
    '/** The fused Adam update module (see adam.wat), base64. */',
    'export const ADAM_WASM_BASE64 =',
    lines.map((l) => `  '${l}'`).join(' +\n') + ';',
    '',
  ].join('\n');
}

if (require.main === module) {
  void compileAdamWat().then((bytes) => {
    writeFileSync(join(__dirname, 'adamWasm.ts'), adamWasmSource(bytes));
    console.log(`adamWasm.ts: ${bytes.length} bytes`);
  });
}
