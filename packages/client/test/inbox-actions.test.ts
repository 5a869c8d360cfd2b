import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatonApiError } from '../src/index.js';
import { setup } from './support.js';

/** The SDK's inbox actions against a real server: edits, with the typed results and errors. */

test('updateConversation edits fields and refuses a stale If-Match with version_conflict', async (t) => {
  const { host, ana, rest } = await setup(t);
  const api = rest(ana);
  const { conversation } = await host.createConversation({ contact: { name: 'Lucía' }, channel: 'sms', message: { body: 'hola' } });
  const edited = await api.updateConversation(conversation.id, { tags: ['billing'], priority: 'high' }, { ifMatch: conversation.version });
  assert.deepEqual(edited.conversation.tags, ['billing']);
  assert.equal(edited.conversation.priority, 'high');
  await assert.rejects(
    api.updateConversation(conversation.id, { priority: 'low' }, { ifMatch: conversation.version }),
    (e) => e instanceof BatonApiError && e.status === 409 && e.code === 'version_conflict',
  );
  const events = (await api.timeline(conversation.id)).items.filter((i) => i.kind === 'event').map((i) => (i.kind === 'event' ? i.type : ''));
  assert.deepEqual(events, ['created', 'tagged', 'priority_changed']);
});
