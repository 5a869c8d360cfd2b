import { existsSync } from 'node:fs';
import Sqlite from 'libsql';

/**
 * Copies a database file into a new file `out` while nodes keep serving it, with SQLite's
 * `VACUUM INTO`: one read transaction, so the copy is the database as of one instant, committed
 * writes still in the write-ahead log included (a `cp` of the file alone misses those, and copying
 * the file and its `-wal` apart is not one instant). The copy is compact and opens as any
 * database file does; writers wait only for their own commits, not for the copy.
 */
export function backupSqlite(file: string, out: string): void {
  if (!existsSync(file)) throw new Error(`no database at ${file}`);
  // VACUUM INTO refuses an existing file too, in its own words; this says which and why.
  if (existsSync(out)) throw new Error(`${out} exists: a backup is written to a new file`);
  const db = new Sqlite(file, { timeout: 5000, readonly: true });
  try {
    db.prepare('vacuum into ?').run(out);
  } finally {
    db.close();
  }
}
