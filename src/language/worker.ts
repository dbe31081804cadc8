/**
 * Entry of the language worker (dist/languageWorker.js), a worker thread of the extension host: it
 * holds one {@link NotebookService} per open notebook and answers the requests of
 * src/language/messages.ts in arrival order. The TypeScript compiler is loaded here only, so typing in
 * the editor never waits on it.
 */
import { parentPort } from 'node:worker_threads';
import { NotebookService } from './service';
import type { Method, RequestMessage, Requests, ResponseMessage } from './messages';

interface Open {
  service: NotebookService;
  texts: Map<string, string>;
}

const notebooks = new Map<string, Open>();

function notebook(uri: string): NotebookService {
  const nb = notebooks.get(uri);
  if (!nb) throw new Error(`notebook ${uri} is not open in the language worker`);
  return nb.service;
}

type Handlers = { [M in Method]: (p: Requests[M]['params']) => Requests[M]['result'] };

const handlers: Handlers = {
  sync: ({ notebook: uri, dir, name, cells }) => {
    let nb = notebooks.get(uri);
    if (!nb) {
      nb = { service: new NotebookService({ dir, name }), texts: new Map() };
      notebooks.set(uri, nb);
    }
    const texts = new Map<string, string>();
    for (const c of cells) {
      const text = c.text ?? nb.texts.get(c.id);
      if (text === undefined) throw new Error(`sync: cell ${c.id} has no text yet`);
      texts.set(c.id, text);
    }
    nb.texts = texts;
    nb.service.setCells(cells.map((c) => ({ id: c.id, text: texts.get(c.id)! })));
    return null;
  },
  close: ({ notebook: uri }) => {
    notebooks.get(uri)?.service.dispose();
    notebooks.delete(uri);
    return null;
  },
  diagnostics: (p) => notebook(p.notebook).diagnostics(p.cell),
  completions: (p) => notebook(p.notebook).completions(p.cell, p.offset, p.trigger),
  completionDetail: (p) => notebook(p.notebook).completionDetail(p.cell, p.offset, p.name, p.source, p.data),
  hover: (p) => notebook(p.notebook).hover(p.cell, p.offset),
  signatureHelp: (p) => notebook(p.notebook).signatureHelp(p.cell, p.offset),
  definition: (p) => notebook(p.notebook).definition(p.cell, p.offset),
  references: (p) => notebook(p.notebook).references(p.cell, p.offset),
  rename: (p) => notebook(p.notebook).rename(p.cell, p.offset),
};

parentPort?.on('message', (m: RequestMessage) => {
  let reply: ResponseMessage;
  try {
    const handler = handlers[m.method] as (p: unknown) => unknown;
    if (!handler) throw new Error(`unknown method ${String(m.method)}`);
    reply = { id: m.id, result: handler(m.params) ?? null };
  } catch (e) {
    reply = { id: m.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
