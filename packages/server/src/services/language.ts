import { detectLanguage } from '@baton/rules/language';

/**
 * The customer's language for a conversation (DESIGN §6): the contact's when the host set it,
 * otherwise detected from their inbound messages (oldest first; the latest few are enough and keep
 * the cost per message flat). `detectLanguage` answers null when unsure, and then the language
 * found earlier stays: one short "ok" must not erase it.
 */
export const RECENT_INBOUND = 5;

export function customerLanguage(contactLanguage: string | null, inbound: readonly string[], previous: string | null): string | null {
  if (contactLanguage) return contactLanguage;
  return detectLanguage(inbound).language ?? previous;
}
