/**
 * Where the shipped declarations are (dist/types, built by .build/types.mjs): next to the bundle that
 * runs the service (dist/languageWorker.js, dist/cli.js), or, when the sources run directly (tests),
 * in the checkout's dist/ folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The folder with lib/ and node_modules/ (gradscope, @tensorflow/*, @types/node); throws when it is missing. */
export function findTypesRoot(from: string = __dirname): string {
  const candidates = [path.join(from, 'types'), path.resolve(from, '../../dist/types')];
  for (const c of candidates) {
    if (fs.existsSync(path.join(c, 'node_modules/gradscope/package.json'))) return c;
  }
  throw new Error(`the notebook type declarations are missing (looked in ${candidates.join(', ')}); run \`node .build/build.mjs\``);
}
