import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Calls back when the admin comes back to the page (the window regains focus, or the tab is shown
 * again), while its host is connected. The builder has no socket: what changed elsewhere meanwhile
 * (teams, agents, rule runs) is read again at that moment.
 */
export class PageReturnController implements ReactiveController {
  private readonly onReturn = () => {
    if (document.visibilityState === 'visible') this.callback();
  };

  constructor(host: ReactiveControllerHost, private readonly callback: () => void) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('focus', this.onReturn);
    document.addEventListener('visibilitychange', this.onReturn);
  }

  hostDisconnected(): void {
    window.removeEventListener('focus', this.onReturn);
    document.removeEventListener('visibilitychange', this.onReturn);
  }
}
