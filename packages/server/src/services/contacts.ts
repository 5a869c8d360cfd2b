import type { CreateContactBody, FindContactsQuery, UpdateContactBody } from '@baton/protocol';
import type { Kysely } from 'kysely';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { MAX_CONTACT_ATTRIBUTES, normalizeTags } from '@baton/protocol';
import { badRequest, conflict, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { findContact, findContactByExternalId, findContactsBy, insertContact, updateContactRow } from '../storage/contacts.js';
import { toContact } from '../storage/mappers.js';
import type { ContactRow, Database } from '../storage/schema.js';
import { runCommand } from './change-runner.js';

/** A PATCH's attributes over the stored ones: named keys are set, `null` removes one, the rest stay. */
function mergeAttributes(stored: string, patch: Record<string, string | number | boolean | null>): string {
  const merged: Record<string, string | number | boolean> = JSON.parse(stored);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  if (Object.keys(merged).length > MAX_CONTACT_ATTRIBUTES) {
    throw badRequest(`a contact has at most ${MAX_CONTACT_ATTRIBUTES} attributes`, [{ path: ['attributes'], message: `more than ${MAX_CONTACT_ATTRIBUTES} keys once merged` }]);
  }
  return JSON.stringify(merged);
}

/** Inserts a contact inside an existing transaction; an `externalId` already in use is a 409. */
export async function createContactIn(db: Kysely<Database>, workspaceId: string, body: CreateContactBody, now: number) {
  if (body.externalId && (await findContactByExternalId(db, workspaceId, body.externalId))) {
    throw conflict(`a contact with externalId ${body.externalId} exists`);
  }
  const row: ContactRow = {
    id: newId('ctc', now),
    workspace_id: workspaceId,
    name: body.name,
    phone: body.phone ?? null,
    email: body.email ?? null,
    language: body.language?.toLowerCase() ?? null,
    tags: JSON.stringify(normalizeTags(body.tags ?? [])),
    external_id: body.externalId ?? null,
    created_at: now,
    attributes: JSON.stringify(body.attributes ?? {}),
  };
  await insertContact(db, row);
  return row;
}

export async function createContact(deps: Deps, p: WorkspacePrincipal, body: CreateContactBody) {
  return runCommand(deps, async (trx) => toContact(await createContactIn(trx, p.workspaceId, body, deps.clock.now())));
}

export async function getContact(deps: Deps, p: WorkspacePrincipal, id: string) {
  const row = await findContact(deps.storage.db, p.workspaceId, id);
  if (!row) throw notFound('contact');
  return toContact(row);
}

export async function updateContact(deps: Deps, p: WorkspacePrincipal, id: string, body: UpdateContactBody) {
  return runCommand(deps, async (trx) => {
    const existing = await findContact(trx, p.workspaceId, id);
    if (!existing) throw notFound('contact');
    if (body.externalId) {
      const holder = await findContactByExternalId(trx, p.workspaceId, body.externalId);
      if (holder && holder.id !== id) throw conflict(`a contact with externalId ${body.externalId} exists`);
    }
    const patch: Partial<ContactRow> = {};
    if (body.name !== undefined) patch.name = body.name;
    if (body.phone !== undefined) patch.phone = body.phone;
    if (body.email !== undefined) patch.email = body.email;
    if (body.language !== undefined) patch.language = body.language?.toLowerCase() ?? null;
    if (body.tags !== undefined) patch.tags = JSON.stringify(normalizeTags(body.tags));
    if (body.externalId !== undefined) patch.external_id = body.externalId;
    if (body.attributes !== undefined) patch.attributes = mergeAttributes(existing.attributes, body.attributes);
    if (!Object.keys(patch).length) return toContact(existing);
    const row = await updateContactRow(trx, existing, patch);
    if (!row) throw conflict("the contact's tags changed meanwhile; send the change again");
    return toContact(row);
  });
}

/** Lets a host find the Baton contact for its own customer record before forwarding a message. */
export async function findContacts(deps: Deps, p: WorkspacePrincipal, q: FindContactsQuery) {
  const [field, value] = q.externalId !== undefined ? (['external_id', q.externalId] as const) : q.phone !== undefined ? (['phone', q.phone] as const) : (['email', q.email!] as const);
  const rows = await findContactsBy(deps.storage.db, p.workspaceId, field, value);
  return rows.map(toContact);
}
