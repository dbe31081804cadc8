/**
 * Writes `samples/*.tfnb` from the cell sources in `test/unit/samples/sources/*.nb`, so the samples
 * are edited as plain text (one file per notebook, diffable) and saved exactly as Jupyter would:
 * nbformat 4.5, the Gradscope kernelspec, no outputs, `execution_count: null`, stable cell ids.
 *
 * A source file is a list of cells, each started by a marker line: `%% markdown` or `%% code`.
 * Leading and trailing blank lines of each cell are dropped.
 *
 * ```sh
 * node --import tsx test/unit/samples/generate.ts          # rewrite every sample
 * node --import tsx test/unit/samples/generate.ts --check  # exit 1 when a sample is out of date
 * ```
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { emptyNotebook, serializeNotebook, type NotebookCell } from '../../../src/notebook/nbformat';

/** The folder of the cell sources. */
export const sourcesDir = path.join(__dirname, 'sources');
/** The folder the notebooks are written to. */
export const samplesDir = path.resolve(__dirname, '..', '..', '..', 'samples');

const MARKER = /^%% (markdown|code)\s*$/;

/** Parses a `.nb` source into cells; `name` (the file's base name) prefixes the cell ids. */
export function parseCells(text: string, name: string): NotebookCell[] {
  const cells: NotebookCell[] = [];
  let current: { kind: 'markdown' | 'code'; lines: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    const source = current.lines.join('\n').replace(/^\s*\n/, '').replace(/\s+$/, '');
    const code = current.kind === 'code';
    const id = `${name.slice(0, 2)}-${String(cells.length + 1).padStart(2, '0')}`;
    cells.push({
      kind: current.kind, source, id, language: code ? 'typescript' : 'markdown', metadata: {}, outputs: [],
      ...(code ? { executionCount: null } : {}),
    });
  };
  text.split('\n').forEach((line, i) => {
    const m = MARKER.exec(line);
    if (m) {
      flush();
      current = { kind: m[1] as 'markdown' | 'code', lines: [] };
    } else if (current) current.lines.push(line);
    else if (line.trim() !== '') throw new Error(`${name}.nb, line ${i + 1}: text before the first "%% markdown" or "%% code" marker`);
  });
  flush();
  return cells;
}

/** The notebook text a source file generates. */
export function notebookText(sourceFile: string): string {
  const name = path.basename(sourceFile, '.nb');
  const nb = emptyNotebook();
  nb.cells = parseCells(fs.readFileSync(sourceFile, 'utf8'), name);
  return serializeNotebook(nb);
}

/** Source files, in sample order. */
export function sourceFiles(): string[] {
  return fs.readdirSync(sourcesDir).filter((f) => f.endsWith('.nb')).sort().map((f) => path.join(sourcesDir, f));
}

/** The sample path of a source file. */
export function samplePath(sourceFile: string): string {
  return path.join(samplesDir, `${path.basename(sourceFile, '.nb')}.tfnb`);
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const src of sourceFiles()) {
    const out = samplePath(src);
    const text = notebookText(src);
    const same = fs.existsSync(out) && fs.readFileSync(out, 'utf8') === text;
    if (check) {
      if (!same) { stale++; console.error(`${path.relative(process.cwd(), out)} is out of date`); }
    } else if (!same) {
      fs.writeFileSync(out, text);
      console.log(`wrote ${path.relative(process.cwd(), out)}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
