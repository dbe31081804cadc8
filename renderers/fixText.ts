/**
 * What the panel says about each quick fix: the catalogue's title (the same words as the code lens
 * and the quick fix) and its one-line detail. The edits themselves live in src/fixes.
 */
import { FIX_CATALOGUE, fixInfo, fixTitle, type FixId } from '../src/protocol/fixCatalogue';

/** The title of each fix, as the lens and the quick fix say it. */
export const FIX_TEXT = Object.fromEntries(
  Object.keys(FIX_CATALOGUE).map((id) => [id, fixTitle(id)]),
) as Record<FixId, string>;

/** The one-line detail of a fix (for a tooltip), or '' for an id newer than this renderer. */
export function fixDetail(id: string): string {
  return fixInfo(id)?.detail ?? '';
}

/**
 * The text of a fix id from a payload: its catalogue title, else the id itself. The catalogue looks
 * up own entries only, so an id such as `__proto__` or `constructor` reads as text.
 */
export function fixText(id: string): string {
  return fixTitle(id);
}
