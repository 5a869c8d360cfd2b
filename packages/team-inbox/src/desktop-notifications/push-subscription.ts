import type { InboxRestClient } from '@baton/client';

/**
 * "Enable desktop notifications": a Web Push subscription of this browser for the signed-in agent,
 * through the host's service worker (`push-worker` attribute; push-worker.js says what it holds).
 * Loaded when the notifications panel first opens, so the inbox's first load does not carry it.
 */
export type DesktopState =
  /** No service worker configured, or a browser without Push or Notifications. */
  | 'unsupported'
  /** The agent said no in the browser's prompt; only the browser's site settings can undo it. */
  | 'blocked'
  | 'off'
  | 'on';

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

async function registration(workerUrl: string): Promise<ServiceWorkerRegistration> {
  const existing = await navigator.serviceWorker.getRegistration(workerUrl);
  return existing ?? navigator.serviceWorker.register(workerUrl);
}

export async function desktopState(workerUrl: string): Promise<DesktopState> {
  if (!workerUrl || !supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  const reg = await navigator.serviceWorker.getRegistration(workerUrl);
  const sub = await reg?.pushManager.getSubscription();
  return sub && Notification.permission === 'granted' ? 'on' : 'off';
}

/** base64url → the bytes PushManager wants as `applicationServerKey`. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Asks for permission, subscribes through the service worker with the server's VAPID key and
 * registers the subscription with Baton. Returns the state after it.
 */
export async function enableDesktop(rest: InboxRestClient, workerUrl: string): Promise<DesktopState> {
  if (!workerUrl || !supported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission === 'denied') return 'blocked';
  if (permission !== 'granted') return 'off';
  const reg = await registration(workerUrl);
  await navigator.serviceWorker.ready;
  const { publicKey } = await rest.pushPublicKey();
  let sub = await reg.pushManager.getSubscription();
  // A subscription made for another server key cannot receive this server's pushes.
  if (sub && sub.options.applicationServerKey && !sameKey(sub.options.applicationServerKey, keyBytes(publicKey))) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  const json = sub.toJSON();
  await rest.createPushSubscription({
    endpoint: sub.endpoint,
    expirationTime: sub.expirationTime ?? null,
    keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
  });
  return 'on';
}

function sameKey(a: ArrayBuffer, b: Uint8Array): boolean {
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

/** Removes the subscription from Baton and from the browser. */
export async function disableDesktop(rest: InboxRestClient, workerUrl: string): Promise<DesktopState> {
  const reg = await navigator.serviceWorker.getRegistration(workerUrl);
  const sub = await reg?.pushManager.getSubscription();
  if (sub) {
    await rest.deletePushSubscription({ endpoint: sub.endpoint });
    await sub.unsubscribe();
  }
  return desktopState(workerUrl);
}
