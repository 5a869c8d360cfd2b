import { LitElement, html, nothing } from 'lit';
import { consume } from '@lit/context';
import { state } from 'lit/decorators.js';
import type { InboxStore } from '@baton/client';
import type { Agent } from '@baton/protocol';
import { storeContext } from '@baton/ui/contexts/store';
import { currentAgentContext } from '@baton/ui/contexts/current-agent';
import { baseStyles } from '@baton/ui/tokens';
import { SnapshotController } from '../controllers/snapshot-controller.js';
import { fire } from '../events.js';
import { plainError } from '../format/plain-error.js';
import { availabilitySwitchStyles } from './availability-switch.styles.js';

/**
 * "Available": the signed-in agent's own switch between available (`online`) and `away`
 * (`PATCH /v1/agents/:id`). Routing skips away agents and queued conversations wait for an
 * available one; every teammate's "Assigned to" shows the change live (`agent:updated`). Offline
 * (set by the server) reads as not available; switching on makes the agent available again.
 * Fires `inbox-availability-change` after the server agreed.
 */
export class InboxAvailabilitySwitch extends LitElement {
  static override styles = [baseStyles, availabilitySwitchStyles];

  @consume({ context: storeContext, subscribe: true })
  @state()
  private store?: InboxStore;

  @consume({ context: currentAgentContext, subscribe: true })
  @state()
  private me?: Agent;

  @state() private busy = false;
  @state() private error = '';

  /** The agent as the store has it now (the context's copy is the one from sign-in). */
  private readonly snapshot = new SnapshotController(this, () => this.store, (s) => ({ agents: s.agents }));

  private get agent(): Agent | undefined {
    return this.snapshot.value?.agents.find((a) => a.id === this.me?.id) ?? this.me;
  }

  private async toggle(): Promise<void> {
    const agent = this.agent;
    if (!agent || !this.store || this.busy) return;
    const availability = agent.availability === 'online' ? 'away' : 'online';
    this.busy = true;
    this.error = '';
    try {
      await this.store.setAvailability(agent.id, availability);
      fire(this, 'inbox-availability-change', { agentId: agent.id, availability });
    } catch (e) {
      this.error = plainError(e);
    } finally {
      this.busy = false;
    }
  }

  // While the change is on its way the switch is aria-disabled, not disabled: a disabled button
  // drops the keyboard focus it holds to the page.
  override render() {
    const agent = this.agent;
    const available = agent?.availability === 'online';
    return html`<button
        part="base"
        role="switch"
        aria-checked=${available ? 'true' : 'false'}
        title=${available ? 'Available: rules assign you conversations' : 'Away: rules assign you nothing'}
        ?disabled=${!agent}
        aria-disabled=${this.busy ? 'true' : 'false'}
        @click=${() => this.toggle()}
      >
        <span class="track" aria-hidden="true"></span><span>Available</span>
      </button>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}`;
  }
}
