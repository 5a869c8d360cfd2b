import { z } from 'zod';
import { AllowedOrigins, AUTO_AWAY_MAX_SEC, AUTO_AWAY_MIN_SEC, AwayPolicy, Id, Timestamp } from './domain.js';

// Notification preferences, workspace notification settings and Web Push subscriptions.

/** The notification types an agent can tune; `queued_timeout` is in-app only. */
export const PREFERENCE_TYPES = ['assigned', 'mentioned', 'reopened'] as const;
export const PreferenceType = z.enum(PREFERENCE_TYPES);
export type PreferenceType = z.infer<typeof PreferenceType>;

export const NOTIFICATION_CHANNELS = ['inapp', 'email', 'push'] as const;
export const NotificationChannel = z.enum(NOTIFICATION_CHANNELS);
export type NotificationChannel = z.infer<typeof NotificationChannel>;

export const ChannelSwitches = z.object({ inapp: z.boolean(), email: z.boolean(), push: z.boolean() });
/** The full matrix: type × channel → on/off. */
export const NotificationPreferences = z.object({
  assigned: ChannelSwitches,
  mentioned: ChannelSwitches,
  reopened: ChannelSwitches,
});
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

/** What an agent gets before touching anything: in-app for all; email and push for what is about them. */
export const DEFAULT_PREFERENCES: NotificationPreferences = {
  assigned: { inapp: true, email: true, push: true },
  mentioned: { inapp: true, email: true, push: true },
  reopened: { inapp: true, email: false, push: false },
};

const ChannelPatch = z.strictObject({ inapp: z.boolean().optional(), email: z.boolean().optional(), push: z.boolean().optional() });
/** A partial matrix: only the switches named change. */
export const UpdatePreferencesBody = z.strictObject({
  assigned: ChannelPatch.optional(),
  mentioned: ChannelPatch.optional(),
  reopened: ChannelPatch.optional(),
});
export type UpdatePreferencesBody = z.infer<typeof UpdatePreferencesBody>;
export const PreferencesResponse = z.object({ preferences: NotificationPreferences });

const httpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

/**
 * Where email and push links point, e.g. `https://crm.example/inbox?c={conversationId}`. Must be
 * an http(s) URL once the placeholders are filled in, and must say which conversation.
 */
export const LinkTemplate = z
  .string()
  .trim()
  .max(2000)
  .refine((t) => t.includes('{conversationId}'), 'must contain {conversationId}')
  .refine(
    (t) => httpUrl(t.replaceAll('{conversationId}', 'conv_x').replaceAll('{workspaceId}', 'ws_x')),
    'must be an http or https URL (placeholders {conversationId}, {workspaceId})',
  );

export const UpdateWorkspaceBody = z.strictObject({
  linkTemplate: LinkTemplate.nullable().optional(),
  /** Lets email and push carry a short snippet of the note or message (customer text may leave Baton). */
  notificationSnippets: z.boolean().optional(),
  /** Seconds without a connected socket after which an online agent becomes away. */
  autoAwayAfterSec: z.number().int().min(AUTO_AWAY_MIN_SEC).max(AUTO_AWAY_MAX_SEC).optional(),
  /** What happens to an away agent's open conversations. */
  awayPolicy: AwayPolicy.optional(),
  /** An agent's reply to an unassigned conversation assigns it to them. */
  assignOnReply: z.boolean().optional(),
  /**
   * The pages whose sockets the workspace admits, replacing the list (each kept as its origin,
   * `https://crm.example.com`); `[]` admits server-side clients only. Checked at each handshake,
   * so a socket already connected from an origin taken off the list keeps going until it
   * reconnects (at the latest when its token, at most an hour long, is renewed).
   */
  allowedOrigins: AllowedOrigins.optional(),
});
export type UpdateWorkspaceBody = z.infer<typeof UpdateWorkspaceBody>;

const Base64Url = z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url');

/** `PushSubscription.toJSON()` as browsers produce it. */
export const PushSubscriptionBody = z.strictObject({
  endpoint: z.string().max(2048).refine(httpUrl, 'must be an http or https URL'),
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({
    /** The subscription's P-256 public key, uncompressed (65 bytes). */
    p256dh: Base64Url.min(86).max(88),
    /** The 16-byte authentication secret. */
    auth: Base64Url.min(22).max(24),
  }),
});
export type PushSubscriptionBody = z.infer<typeof PushSubscriptionBody>;

export const DeletePushSubscriptionBody = z.strictObject({ endpoint: z.string().max(2048) });

export const PushSubscriptionInfo = z.object({ id: Id, endpoint: z.string(), createdAt: Timestamp });
export const PushSubscriptionResponse = z.object({ subscription: PushSubscriptionInfo });
export const PushPublicKeyResponse = z.object({ publicKey: z.string() });
export const DeletedResponse = z.object({ deleted: z.boolean() });

/** What a push notification's (encrypted) payload holds: who did what where, never customer data by default. */
export const PushPayload = z.object({
  type: PreferenceType,
  title: z.string(),
  body: z.string(),
  conversationId: Id,
  url: z.string().nullable(),
});
export type PushPayload = z.infer<typeof PushPayload>;
