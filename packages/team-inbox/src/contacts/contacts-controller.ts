import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ContactDirectory } from './contact-directory.js';

/** Re-renders the host when contacts it may show arrive. */
export class ContactsController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly getDirectory: () => ContactDirectory | undefined;
  private directory: ContactDirectory | undefined;
  private unsubscribe: (() => void) | null = null;

  constructor(host: ReactiveControllerHost, getDirectory: () => ContactDirectory | undefined) {
    this.host = host;
    this.getDirectory = getDirectory;
    host.addController(this);
  }

  hostConnected(): void {
    this.follow();
  }
  hostUpdate(): void {
    if (this.getDirectory() !== this.directory) this.follow();
  }
  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.directory = undefined;
  }

  private follow(): void {
    this.unsubscribe?.();
    this.directory = this.getDirectory();
    this.unsubscribe = this.directory?.subscribe(() => this.host.requestUpdate()) ?? null;
  }
}
