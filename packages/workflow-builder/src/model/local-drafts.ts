/**
 * The browser's copy of each draft, in IndexedDB, written on every edit: a crash, a reload or an
 * expired token between two autosaves loses nothing (n8n #13547, #19677). A record says which
 * server draft version the edits started from, so restoring it saves with that `If-Match` and a
 * newer server draft shows the conflict screen instead of being overwritten.
 *
 * Failures (private mode, quota, no IndexedDB) are swallowed: the server autosave still runs.
 */
import type { WorkflowDefinition } from '@baton/protocol';

export interface LocalDraft {
  workflowId: string;
  definition: WorkflowDefinition;
  /** The server `draftVersion` the edits were made on. */
  baseVersion: number;
  /** Epoch ms of the edit. */
  savedAt: number;
}

const DB = 'baton-workflow-builder';
const STORE = 'drafts';

let opening: Promise<IDBDatabase | null> | null = null;
function open(): Promise<IDBDatabase | null> {
  opening ??= new Promise((resolve) => {
    try {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'workflowId' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return opening;
}

async function run<T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> {
  const db = await open();
  if (!db) return undefined;
  return new Promise((resolve) => {
    try {
      const req = op(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(undefined);
    } catch {
      resolve(undefined);
    }
  });
}

export const localDrafts = {
  get: (workflowId: string) => run<LocalDraft | undefined>('readonly', (s) => s.get(workflowId)),
  put: (draft: LocalDraft) => run('readwrite', (s) => s.put(draft)).then(() => undefined),
  delete: (workflowId: string) => run('readwrite', (s) => s.delete(workflowId)).then(() => undefined),
};
