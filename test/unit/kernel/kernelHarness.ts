/**
 * Starts real kernel processes (dist/kernel.js, built by `npm run build`) for the tests and collects
 * what a cell shows, the way the editor would.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KernelClient, type ExecutionResult } from '../../../src/kernel/client';
import type { KernelOptions, KernelOutput } from '../../../src/protocol/kernelMessages';

export const root = path.resolve(__dirname, '../../..');
export const kernelPath = path.join(root, 'dist', 'kernel.js');

/** Fails with a clear message when the bundles were not built. */
export function requireBuild(): void {
  for (const f of ['kernel.js']) {
    if (!fs.existsSync(path.join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` first`);
  }
}

/** What one cell run showed. */
export interface CellRun extends ExecutionResult {
  outputs: KernelOutput[];
  /** stdout and stderr text in order. */
  text: string;
  /** The plain-text result, if the cell had a value. */
  value?: string;
  errorText?: string;
}

/** A kernel plus a cell counter. */
export class TestKernel {
  readonly client: KernelClient;
  readonly log: string[] = [];
  /** Outputs of cells that had ended (KernelClientArgs.onLateOutput), by cell URI. */
  readonly late: { cellUri: string; output: KernelOutput }[] = [];
  private count = 0;

  constructor(options: Partial<KernelOptions> = {}, execArgv: string[] = []) {
    requireBuild();
    this.client = new KernelClient({
      kernelPath,
      options: { workspaceDir: root, extensionDir: root, backend: 'cpu', wasmOverrides: true, ...options },
      execArgv,
      log: (l) => this.log.push(l),
      onLateOutput: (cellUri, output) => this.late.push({ cellUri, output }),
    });
  }

  /** Runs `source` as the next cell; `onOutput` sees each output as it arrives. */
  async run(source: string, onOutput?: (o: KernelOutput) => void, cellId?: string): Promise<CellRun> {
    const n = ++this.count;
    const outputs: KernelOutput[] = [];
    const displays = new Map<string, number>();
    const result = await this.client.execute(
      { source, filename: `gradscope-cell:/${cellId ?? n}`, label: `Cell ${cellId ?? n}`, cellUri: `cell-${cellId ?? n}`, executionCount: n },
      {
        output(o, displayId) {
          if (displayId) displays.set(displayId, outputs.length);
          outputs.push(o);
          onOutput?.(o);
        },
        updateDisplay(displayId, o) {
          const i = displays.get(displayId);
          if (i !== undefined) outputs[i] = o;
        },
      },
    );
    const text = outputs.map((o) => (o.output_type === 'stream' ? o.text : '')).join('');
    const res = outputs.find((o) => o.output_type === 'execute_result');
    const err = outputs.find((o) => o.output_type === 'error');
    return {
      ...result, outputs, text,
      value: res && res.output_type === 'execute_result' ? String(res.data['text/plain']) : undefined,
      errorText: err && err.output_type === 'error' ? err.traceback.join('\n') : undefined,
    };
  }

  dispose(): void {
    this.client.dispose();
  }
}
