import type { InboxRestClient } from '@baton/client';
import type { Contact } from '@baton/protocol';

/**
 * Contacts by id, fetched once each and shared by every part. Conversations carry only a
 * `contactId`, and the list shows names, so rows ask here as they are rendered: a virtualized
 * list asks for the rows on screen, never for all 10,000.
 */
export class ContactDirectory {
  private readonly rest: InboxRestClient;
  private readonly contacts = new Map<string, Contact>();
  /** Contacts being fetched, by id: what `nameWhenKnown` waits for. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly failed = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;

  constructor(rest: InboxRestClient) {
    this.rest = rest;
  }

  /** The contact if known; otherwise starts fetching it and returns undefined (subscribers hear when it lands). */
  get(id: string): Contact | undefined {
    const known = this.contacts.get(id);
    if (known || this.pending.has(id) || this.failed.has(id)) return known;
    const fetching = this.rest.getContact(id).then(
      ({ contact }) => this.remember(contact),
      () => void this.failed.add(id),
    ).finally(() => this.pending.delete(id));
    this.pending.set(id, fetching);
    return undefined;
  }

  /** The contact's name, fetched if need be; null when it cannot be read. */
  async nameWhenKnown(id: string): Promise<string | null> {
    if (!this.get(id)) await this.pending.get(id);
    return this.contacts.get(id)?.name ?? null;
  }

  /** The contact's name; null while it loads (show a skeleton, never a made-up name). */
  name(id: string): string | null {
    return this.get(id)?.name ?? (this.failed.has(id) ? 'Unknown contact' : null);
  }

  /** Takes a contact that came with another answer (a contact's conversations). */
  remember(contact: Contact): void {
    this.contacts.set(contact.id, contact);
    this.scheduleNotify();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Many rows land together when a page scrolls in: tell subscribers once per task. */
  private scheduleNotify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    queueMicrotask(() => {
      this.notifyScheduled = false;
      for (const listener of [...this.listeners]) listener();
    });
  }
}
