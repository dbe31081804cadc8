/**
 * The language id of TypeScript cells in Gradscope notebooks, in the editor only (files keep
 * `typescript`; src/notebook/serializer.ts maps between the two). A language of our own keeps VS
 * Code's built-in TypeScript service, which treats each cell as a file of its own, out of our cells:
 * the notebook language service (src/language) answers for them instead.
 */
export const CELL_LANGUAGE = 'gradscope-typescript';

/** The language id a file's cell language has in the editor. */
export function editorLanguage(fileLanguage: string): string {
  return fileLanguage === 'typescript' ? CELL_LANGUAGE : fileLanguage;
}

/** The language a cell's editor language id is written as in the file. */
export function fileLanguage(editorLanguageId: string): string {
  return editorLanguageId === CELL_LANGUAGE ? 'typescript' : editorLanguageId;
}
