/**
 * The samples the e2e suites run: every `samples/NN-*.tfnb` of the repository, as absolute paths
 * that {@link makeWorkspace} copies into a test workspace.
 *
 * @example
 * const ws = makeWorkspace(sampleFiles());
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './buildSuite';

/** Folder of the samples users open. */
export const SAMPLES_DIR = join(REPO_ROOT, 'samples');

/** Absolute paths of every sample notebook, in name order. */
export function sampleFiles(): string[] {
  return readdirSync(SAMPLES_DIR).filter((f) => /^\d\d-.*\.tfnb$/.test(f)).sort().map((f) => join(SAMPLES_DIR, f));
}
