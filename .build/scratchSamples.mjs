// A scratch copy of the samples for `npm start`: VS Code autosaves outputs and edits into the folder it
// opens, so it must never be the repository's tracked samples/. Each start gets a fresh copy in the
// system's temp folder (the previous ones stay where they were, with whatever was done in them).
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Copies the `.tfnb` files of `samplesDir` into a new folder under `parent` (default: the temp
 * folder) and returns its path.
 * @example
 * const folder = scratchSamples('/repo/samples'); // '/tmp/gradscope-samples-Ab12Cd'
 */
export function scratchSamples(samplesDir, parent = tmpdir()) {
  const dir = mkdtempSync(join(parent, 'gradscope-samples-'));
  const files = readdirSync(samplesDir).filter((f) => f.endsWith('.tfnb'));
  if (!files.length) throw new Error(`no .tfnb samples in ${samplesDir}`);
  for (const f of files) cpSync(join(samplesDir, f), join(dir, f));
  return dir;
}
