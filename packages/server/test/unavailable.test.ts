import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isConnectionFailure, StorageUnavailable } from '../src/storage/unavailable.js';

// Which database failures the API answers with 503 `unavailable` (retry) rather than 500. The real
// ones, from a PostgreSQL that refuses connections, are in postgres.test.ts.
const failure = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code });

test('a database that cannot be reached, or a connection lost under a query, is a connection failure', () => {
  for (const error of [
    failure('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    failure('read ECONNRESET', 'ECONNRESET'),
    failure('terminating connection due to administrator command', '57P01'),
    failure('the database system is starting up', '57P03'),
    failure('connection failure', '08006'),
    failure('database "acme" is not currently accepting connections', '55000'),
    failure('Connection terminated unexpectedly'),
    failure('Client has encountered a connection error and is not queryable'),
    failure('Client was closed and is not queryable'),
    failure('timeout exceeded when trying to connect'),
  ]) {
    assert.equal(isConnectionFailure(error), true, error.message);
  }
});

test('a statement the database refused is not, nor is anything else', () => {
  for (const error of [
    failure('duplicate key value violates unique constraint "agents_pkey"', '23505'),
    failure('could not serialize access due to concurrent update', '40001'),
    failure('cannot drop the currently open database', '55006'),
    failure('invalid input syntax', '55000'),
    failure('SQLITE_BUSY: database is locked', 'SQLITE_BUSY'),
    new StorageUnavailable('this node is shutting down'),
    new TypeError('x is undefined'),
    'ECONNREFUSED',
    null,
  ]) {
    assert.equal(isConnectionFailure(error), false, String(error));
  }
});
