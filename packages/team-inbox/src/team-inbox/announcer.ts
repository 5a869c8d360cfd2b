import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';

/**
 * The inbox's polite live region for what just happened that nothing else says to a screen
 * reader: the agent's own assignment, resolve or snooze (the Undo toast arrives with its words
 * already in it, which screen readers do not read out), and a teammate's assignment or mention (the
 * bell only changes its count). Always in the page, so it is watched before words arrive.
 */
export class Announcer implements ReactiveController {
  private text = '';
  private frame = 0;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.frame);
  }

  /** Says `text`. Emptied first, a frame apart, so the same words twice in a row are said twice. */
  say(text: string): void {
    cancelAnimationFrame(this.frame);
    this.text = '';
    this.host.requestUpdate();
    this.frame = requestAnimationFrame(() => {
      this.text = text;
      this.host.requestUpdate();
    });
  }

  render() {
    return html`<p class="visually-hidden" role="status">${this.text}</p>`;
  }
}

/** "Assigned Emma Wilson to you", "… to Ben Okafor", "Unassigned Emma Wilson". */
export function assignmentText(contact: string, assignee: { name: string; isMe: boolean } | null): string {
  if (!assignee) return `Unassigned ${contact}`;
  return `Assigned ${contact} to ${assignee.isMe ? 'you' : assignee.name}`;
}
