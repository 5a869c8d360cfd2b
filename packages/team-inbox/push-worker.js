/*
 * Baton's Web Push service worker code for <team-inbox> "Enable desktop notifications".
 *
 * A host serves a service worker from its own origin (browsers require that) and pulls this in:
 *
 *   // sw.js, served by the host at e.g. /sw.js
 *   importScripts('/assets/baton-push-worker.js'); // this file, served by the host
 *
 * and points the element at it: <team-inbox push-worker="/sw.js">.
 *
 * A push carries `{ type, title, body, conversationId, url }` (Baton's server composes it; the body
 * is "Conversation on sms" unless the workspace allows snippets, never a note's text otherwise).
 * One notification per conversation (`tag`), so a burst about one conversation replaces itself.
 * Clicking it focuses a tab that shows <team-inbox> and opens the conversation there, or opens the
 * notification's link.
 */
self.addEventListener('push', (event) => {
  let message;
  try {
    message = event.data ? event.data.json() : null;
  } catch {
    message = null;
  }
  if (!message || typeof message.title !== 'string') return;
  event.waitUntil(
    self.registration.showNotification(message.title, {
      body: typeof message.body === 'string' ? message.body : '',
      tag: typeof message.conversationId === 'string' ? `baton:${message.conversationId}` : undefined,
      renotify: true,
      data: { conversationId: message.conversationId ?? null, url: message.url ?? null, type: message.type ?? null },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const { conversationId, url } = event.notification.data ?? {};
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = windows.find((w) => w.visibilityState === 'visible') ?? windows[0];
      if (tab) {
        tab.postMessage({ type: 'baton:open-conversation', conversationId });
        await tab.focus();
        return;
      }
      if (url) await self.clients.openWindow(url);
    })(),
  );
});
