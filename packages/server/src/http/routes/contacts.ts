import { CreateContactBody, FindContactsQuery, routes, UpdateContactBody } from '@baton/protocol';
import { Hono } from 'hono';
import { requireWorkspace } from '../../auth/principal.js';
import { createContact, findContacts, getContact, updateContact } from '../../services/contacts.js';
import { contactConversations } from '../../services/conversations.js';
import type { AppEnv } from '../env.js';
import { jsonBody, query } from '../parse.js';
import { reply } from '../reply.js';

export const contactRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.createContact.callers);
    const body = await jsonBody(c, CreateContactBody);
    return reply(c, 'createContact', () => createContact(c.get('deps'), p, body), (contact) => ({ contact }));
  })
  .get('/', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.findContacts.callers);
    return c.json({ items: await findContacts(c.get('deps'), p, query(c, FindContactsQuery)) }, 200);
  })
  .get('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.getContact.callers);
    return c.json({ contact: await getContact(c.get('deps'), p, c.req.param('id')) }, 200);
  })
  .patch('/:id', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.updateContact.callers);
    const body = await jsonBody(c, UpdateContactBody);
    return reply(c, 'updateContact', () => updateContact(c.get('deps'), p, c.req.param('id'), body), (contact) => ({ contact }));
  })
  .get('/:id/conversations', async (c) => {
    const p = requireWorkspace(c.get('principal'), routes.contactConversations.callers);
    return c.json(await contactConversations(c.get('deps'), p, c.req.param('id')), 200);
  });
