// What both CRM pages do for their Baton element (the inbox and Automation): who is signed in,
// the token route, the theme picker and the "Signed in as" picker.

export const params = new URLSearchParams(location.search);
// The demo's "session": who signed in last in this browser, so a notification email's link
// (/demo?conversation=…, which names no agent) opens as the agent it was sent to.
const SIGNED_IN = 'baton-demo-agent';
export const agent = (params.get('agent') || localStorage.getItem(SIGNED_IN) || 'ana').toLowerCase();
localStorage.setItem(SIGNED_IN, agent);

/** The host's one Baton route: its own session says who is signed in; it answers with a Baton token. */
export function useHostToken(element) {
  element.tokenProvider = async () => {
    const res = await fetch(`/demo/token?agent=${encodeURIComponent(agent)}`, { method: 'POST' });
    // The CRM's own words for who may sign in: the inbox shows a token provider's error as written.
    if (res.status === 404) throw new Error(`There is no demo agent "${agent}". Pick one under "Signed in as".`);
    if (!res.ok) throw new Error(`token request failed: ${res.status}`);
    return (await res.json()).token;
  };
}

/** The "Theme" picker: the element's `theme` and the page's own colours follow it. */
export function useThemePicker(element) {
  const theme = document.getElementById('theme');
  function applyTheme(value) {
    element.setAttribute('theme', value);
    const dark = value === 'dark' || (value === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }
  theme.value = params.get('theme') || 'auto';
  applyTheme(theme.value);
  theme.onchange = () => applyTheme(theme.value);
}

/** "Signed in as": another CRM user signs in on a new page, as in a real CRM. */
export async function useAgentPicker() {
  const select = document.getElementById('agent');
  const { items } = await (await fetch('/demo/agents')).json();
  select.replaceChildren(...items.map((a) => new Option(`${a.name} (@${a.username})`, a.username)));
  // An unknown name in the address stays visible (not a blank picker), beside the ones to pick,
  // and the CRM says so itself: the element only learns that its sign-in was refused.
  if (!items.some((a) => a.username === agent)) {
    select.prepend(new Option(`Unknown: ${agent}`, agent));
    const notice = Object.assign(document.createElement('p'), { className: 'crm-notice', textContent: `There is no demo agent "${agent}". Pick one under "Signed in as".` });
    notice.setAttribute('role', 'alert');
    document.querySelector('main')?.prepend(notice);
  }
  select.value = agent;
  select.onchange = () => { location.search = `?agent=${encodeURIComponent(select.value)}`; };
}

/**
 * The page's address follows the inbox: the view and the open conversation are in it, so a reload
 * or a copied link opens the same place, and the browser's (or a phone's) Back goes from a
 * conversation to the list rather than off the page. Opening one from the list adds a history
 * entry; moving on to the next (j, k, the triage loop) replaces it, so Back never walks through
 * every conversation read. "Back to conversations" in the inbox goes back through that entry.
 */
export function useAddressBar(inbox) {
  const OPENED = 'baton-conversation';
  const write = (change, push) => {
    const next = new URL(location.href);
    change(next.searchParams);
    if (next.href === location.href) return;
    if (push) history.pushState({ [OPENED]: true }, '', next);
    else history.replaceState(history.state, '', next);
  };
  inbox.addEventListener('inbox-view-select', (e) => write((p) => p.set('view', e.detail.view), false));
  inbox.addEventListener('inbox-conversation-open', (e) => {
    const fromList = !new URL(location.href).searchParams.has('conversation');
    write((p) => p.set('conversation', e.detail.conversationId), fromList);
  });
  new MutationObserver(() => {
    if (inbox.getAttribute('conversation-id') || !new URL(location.href).searchParams.has('conversation')) return;
    if (history.state?.[OPENED]) history.back();
    else write((p) => p.delete('conversation'), false);
  }).observe(inbox, { attributes: true, attributeFilter: ['conversation-id'] });
  addEventListener('popstate', () => {
    const p = new URL(location.href).searchParams;
    if (p.get('view')) inbox.setAttribute('view', p.get('view'));
    if (p.get('conversation')) inbox.setAttribute('conversation-id', p.get('conversation'));
    else inbox.removeAttribute('conversation-id');
  });
}
