/** Temporary folders and file helpers shared by the file:// tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';

const made: string[] = [];
after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-fileio-'));
  made.push(d);
  return d;
}

/** Name → bytes of every file in `dir` (to compare a folder before and after). */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('hex')]));
}

/** Reads and parses `dir/model.json`. */
export const modelJson = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
/** Writes `dir/model.json`. */
export const writeModelJson = (dir: string, json: unknown) => fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
