/**
 * Compiles the project's WebAssembly text modules into TypeScript files holding their bytes as
 * base64, so the product needs no WebAssembly toolchain at run time. After editing a .wat file run
 * `npm run build:wasm`; test/unit/engine/wasmModules.test.ts fails while a generated file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One .wat module and the generated file that carries it. */
export interface WatModule {
  /** The .wat source, relative to the repository root. */
  wat: string;
  /** The generated .ts file, relative to the repository root. */
  out: string;
  /** The exported constant's name. */
  name: string;
  /** The constant's doc comment. */
  doc: string;
}

/** Every module the build compiles. */
export const WAT_MODULES: WatModule[] = [
  {
    wat: 'src/engine/wasm/simd.wat', out: 'src/engine/wasm/simdWasm.ts', name: 'SIMD_WASM_BASE64',
    doc: 'The SIMD loops of simd.wat (Adam update, NaN-keeping clamp), base64.',
  },
  {
    wat: 'src/engine/stats.wat', out: 'src/engine/statsWasm.ts', name: 'STATS_WASM_BASE64',
    doc: 'The diagnostics reductions of stats.wat (sums of squares, moments, threshold counts), base64.',
  },
];

const ROOT = join(__dirname, '..');

type Wabt = { parseWat(name: string, text: string, features: object): { toBinary(o: object): { buffer: Uint8Array }; destroy(): void } };

/** The bytes of `m`'s .wat compiled with wabt (SIMD and multi-value on). */
export async function compileWat(m: WatModule): Promise<Uint8Array> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wabt = await (require('wabt') as () => Promise<Wabt>)();
  const mod = wabt.parseWat(m.wat, readFileSync(join(ROOT, m.wat), 'utf8'), { simd: true, multi_value: true });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** The text of `m`'s generated file for `bytes`. */
export function generatedSource(m: WatModule, bytes: Uint8Array): string {
  const lines = Buffer.from(bytes).toString('base64').match(/.{1,100}/g) ?? [];
  return [
    `// Generated from ${m.wat.split('/').pop()} by .build/wat.ts (npm run build:wasm); do not edit.`,
    `/** ${m.doc} */`,
    `export const ${m.name} =`,
    lines.map((l) => `  '${l}'`).join(' +\n') + ';',
    '',
  ].join('\n');
}

/** The current text of `m`'s generated file. */
export function currentSource(m: WatModule): string {
  return readFileSync(join(ROOT, m.out), 'utf8');
}

if (require.main === module) {
  void (async () => {
    for (const m of WAT_MODULES) {
      const bytes = await compileWat(m);
      writeFileSync(join(ROOT, m.out), generatedSource(m, bytes));
      console.log(`${m.out}: ${bytes.length} bytes`);
    }
  })();
}
