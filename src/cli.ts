/**
 * `gradscope run NOTEBOOK [--out FILE | --inplace] [--timeout S] [--backend NAME]`: runs every code
 * cell of a notebook with the same kernel as the editor, prints progress and text outputs, writes the
 * notebook with its outputs, and exits non-zero naming the cell and line when a cell fails.
 * `gradscope check NOTEBOOK…` type-checks notebooks (src/language/check.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KernelClient } from './kernel/client';
import { KERNEL_BACKENDS, type KernelOptions } from './protocol/kernelMessages';
import { decodeNotebook, parseNotebook, serializeNotebook, type NbOutput } from './notebook/nbformat';
import { runHeadless } from './notebook/headless';
import { kernelCommand } from './jupyter/command';

const USAGE = `usage: gradscope run NOTEBOOK [--out FILE | --inplace] [--timeout SECONDS] [--backend auto|tensorflow-gpu|webgpu|tensorflow|wasm|cpu]

Runs every code cell of NOTEBOOK (.tfnb or .ipynb) in a Gradscope kernel and writes the notebook with
its outputs to FILE (default: NOTEBOOK with .out before the extension; --inplace overwrites NOTEBOOK).
Exits 1 when a cell fails, naming the cell and line; 2 on bad usage or an unreadable notebook.

       gradscope check NOTEBOOK…   type-checks notebooks as the editor does (gradscope check --help)
       gradscope kernel install [--user | --sys-prefix | --prefix DIR]   a Jupyter kernelspec (gradscope kernel --help)`;

interface Args {
  notebook: string;
  out?: string;
  inplace: boolean;
  timeout?: number;
  backend: KernelOptions['backend'];
}

function parseArgs(argv: string[]): Args | string {
  if (argv[0] !== 'run') return argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' ? '' : `unknown command '${argv[0]}'`;
  const args: Partial<Args> = { inplace: false, backend: 'auto' };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out' || a === '-o') args.out = value();
    else if (a === '--inplace') args.inplace = true;
    else if (a === '--timeout') args.timeout = Number(value());
    else if (a === '--backend') args.backend = value() as Args['backend'];
    else if (a.startsWith('-')) return `unknown option ${a}`;
    else if (!args.notebook) args.notebook = a;
    else return `unexpected argument ${a}`;
  }
  if (!args.notebook) return 'NOTEBOOK is missing';
  if (args.out && args.inplace) return '--out and --inplace exclude each other';
  if (args.timeout !== undefined && !(args.timeout > 0)) return '--timeout takes a positive number of seconds';
  if (!(KERNEL_BACKENDS as readonly string[]).includes(args.backend!)) return `unknown backend '${args.backend}'`;
  return args as Args;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'check') {
    // Loaded on demand: the TypeScript compiler is evaluated only for this command.
    const { checkCommand } = await import('./language/check');
    return checkCommand(argv.slice(1), (line) => console.log(line), (line) => console.error(line));
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild inlines the package's version
  if (argv[0] === 'kernel') return kernelCommand(argv.slice(1), __filename, (require('../package.json') as { version: string }).version);
  let parsed: Args | string;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    parsed = (e as Error).message;
  }
  if (typeof parsed === 'string') {
    console.error(parsed ? `gradscope: ${parsed}\n\n${USAGE}` : USAGE);
    return parsed ? 2 : 0;
  }
  const file = path.resolve(parsed.notebook);
  let model;
  try {
    // Not readFileSync(file, 'utf8'): that turns invalid UTF-8 into U+FFFD, which writing would save.
    model = parseNotebook(decodeNotebook(fs.readFileSync(file), path.basename(file)), path.basename(file));
  } catch (e) {
    console.error(`gradscope: ${(e as Error).message}`);
    return 2;
  }
  const outFile = parsed.inplace ? file : path.resolve(parsed.out ?? file.replace(/(\.[^./]+)?$/, (ext) => `.out${ext || '.tfnb'}`));
  const client = new KernelClient({
    kernelPath: path.join(__dirname, 'kernel.js'),
    options: { workspaceDir: path.dirname(file), extensionDir: path.dirname(__dirname), backend: parsed.backend, wasmOverrides: process.env.GRADSCOPE_WASM_OVERRIDES !== '0' },
    log: (line) => { if (process.env.GRADSCOPE_VERBOSE) console.error(`[kernel] ${line}`); },
  });
  const cells = model.cells.map((c, index) => ({ c, index })).filter(({ c }) => c.kind === 'code');
  try {
    const info = await client.start().catch((e: Error) => e);
    if (info instanceof Error) {
      console.error(`gradscope: ${info.message}`);
      return 1;
    }
    console.error(`gradscope: ${path.basename(file)}: ${cells.length} code cell(s), backend ${info.backend}${info.device ? ` (${info.device})` : ''}, TensorFlow.js ${info.tfjsVersion}`);
    const results = await runHeadless(client, cells.map(({ c, index }) => ({ index, source: c.source })), { timeoutMs: parsed.timeout ? parsed.timeout * 1000 : undefined });
    for (const r of results) {
      const cell = model.cells[r.index];
      cell.outputs = r.outputs as NbOutput[];
      cell.executionCount = r.executionCount;
    }
    fs.writeFileSync(outFile, serializeNotebook(model));
    console.error(`gradscope: wrote ${path.relative(process.cwd(), outFile) || outFile}`);
    const failed = results.find((r) => r.status !== 'ok');
    if (!failed) return 0;
    const where = failed.error?.line ? `, line ${failed.error.line}, column ${failed.error.column}` : '';
    const why = failed.error?.message ?? failed.message ?? failed.status;
    console.error(`gradscope: Cell ${failed.index + 1}${where} failed: ${why}`);
    return 1;
  } finally {
    client.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { console.error(`gradscope: ${e instanceof Error ? e.stack : e}`); process.exitCode = 1; },
);
