import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { BatonApiError, type BatonRestClient } from '@baton/client/rest';
import type { Agent, AwayPolicy, Team } from '@baton/protocol';
import { AUTO_AWAY_MAX_SEC, AUTO_AWAY_MIN_SEC, AWAY_POLICIES, MAX_AGENT_CAPACITY } from '@baton/protocol/constants';
import { baseStyles } from '@baton/ui/tokens';
import { plainError } from '../workflow-builder/workflow-builder.js';
import type { Workspace } from '../workspace-context.js';
import { routingSettingsStyles } from './routing-settings.styles.js';

const POLICY_LABELS: Record<AwayPolicy, { label: string; hint: string }> = {
  keep: { label: 'Keep their conversations', hint: 'They stay assigned; the agent picks them up on return.' },
  unassign_on_inbound: {
    label: 'Unassign each one when the customer writes again',
    hint: 'A new customer message sends the conversation back to the queue of the rule that assigned it.',
  },
  unassign_now: { label: 'Unassign them all at once', hint: 'Each goes back to the queue of the rule that assigned it, or to Unassigned.' },
};

/** Skills as typed ("es, Billing ,senior"): trimmed, lower case (as the server keeps them), no repeats. */
export function parseSkills(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))];
}

/** A number as typed; a blank field is no number (sent as such, the server refuses it: never a silent 0). */
const typedNumber = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/**
 * The server's refusal in the words of the field the admin typed into: "Capacity must be …" rather
 * than the request's schema path (seconds where the form says minutes, `capacity` in code).
 */
function refusal(error: unknown): string {
  const issue = error instanceof BatonApiError && error.code === 'validation_failed' && Array.isArray(error.details) ? (error.details[0] as { path?: unknown[]; message?: string }) : null;
  const field = issue?.path?.[0];
  if (field === 'autoAwayAfterSec') return `Away after must be a whole number of minutes from ${AUTO_AWAY_MIN_SEC / 60} to ${AUTO_AWAY_MAX_SEC / 60}.`;
  if (field === 'capacity') return `Capacity must be a whole number from 0 to ${MAX_AGENT_CAPACITY.toLocaleString('en-US')}.`;
  if (field === 'skills') return `Skills: ${issue?.message ?? 'not accepted'}.`;
  if (field === 'name') return /too small/i.test(issue?.message ?? '') ? 'Give the team a name.' : `The team's name: ${issue?.message ?? 'not accepted'}.`;
  return plainError(error);
}

type AgentRow = Agent & { openAssigned?: number };
/** Where a form's save is: under way, refused (in words), or done since the last edit. */
type SaveState = { saving: boolean; error: string; saved: boolean };
const UNSAVED: SaveState = { saving: false, error: '', saved: false };
const SAVED: SaveState = { saving: false, error: '', saved: true };
type RowState = SaveState & { skills: string; capacity: string };
type TeamState = SaveState & { name: string; members: Set<string> };

/**
 * Routing settings, the admin's side of the rules: what happens to an away agent's conversations
 * (the workspace's away policy), after how long without the inbox open an agent counts as away,
 * whether a reply to an unassigned conversation assigns it to the replier,
 * the teams and their members, and each agent's skills and capacity, which skill-based steps and
 * auto-assignment read. Saved through `PATCH /v1/workspace`, `POST` / `PATCH /v1/teams` and
 * `PATCH /v1/agents/:id`; the server's refusals show where they apply. Fires `wb-agent-saved` and
 * `wb-team-saved` with what was saved, so the builder's pickers and hints use it.
 */
export class RoutingSettings extends LitElement {
  static override styles = [baseStyles, routingSettingsStyles];

  @property({ attribute: false }) rest!: BatonRestClient;
  @property({ attribute: false }) workspace: Workspace = { teams: [], agents: [], me: null };

  @state() private policy: AwayPolicy | null = null;
  @state() private awayMinutes = '';
  @state() private assignOnReply = false;
  @state() private policyState: SaveState = UNSAVED;
  @state() private rows = new Map<string, RowState>();
  @state() private teamRows = new Map<string, TeamState>();
  @state() private newTeam: { name: string; saving: boolean; error: string } = { name: '', saving: false, error: '' };
  @state() private loadError = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadPolicy();
  }

  /** The admin changed the policy form since it was read or saved: a read (on reconnecting) must not undo that. */
  private policyEdited = false;

  private async loadPolicy(): Promise<void> {
    try {
      const { workspace } = await this.rest.getWorkspace();
      if (this.policyEdited) return;
      this.policy = workspace.awayPolicy;
      this.awayMinutes = String(Math.round(workspace.autoAwayAfterSec / 60));
      this.assignOnReply = workspace.assignOnReply;
    } catch (e) {
      this.loadError = plainError(e);
    }
  }

  private row(agent: AgentRow): RowState {
    return this.rows.get(agent.id) ?? { ...UNSAVED, skills: agent.skills.join(', '), capacity: String(agent.capacity) };
  }

  private setRow(id: string, patch: Partial<RowState>): void {
    const agent = this.workspace.agents.find((a) => a.id === id)!;
    this.rows = new Map(this.rows).set(id, { ...this.row(agent), ...patch });
  }

  private async savePolicy(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (!this.policy || this.policyState.saving) return;
    this.policyState = { saving: true, error: '', saved: false };
    try {
      const minutes = typedNumber(this.awayMinutes);
      // Part of a minute is sent as it is, which the server refuses (2.5 minutes would be 150 s).
      const { workspace } = await this.rest.updateWorkspace({
        awayPolicy: this.policy,
        autoAwayAfterSec: Number.isInteger(minutes) ? minutes * 60 : minutes,
        assignOnReply: this.assignOnReply,
      });
      this.policy = workspace.awayPolicy;
      this.awayMinutes = String(Math.round(workspace.autoAwayAfterSec / 60));
      this.assignOnReply = workspace.assignOnReply;
      this.policyState = SAVED;
      this.policyEdited = false;
    } catch (err) {
      this.policyState = { saving: false, error: refusal(err), saved: false };
    }
  }

  private async saveAgent(agent: AgentRow, e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const row = this.row(agent);
    if (row.saving) return;
    this.setRow(agent.id, { saving: true, error: '', saved: false });
    try {
      const { agent: saved } = await this.rest.updateAgent(agent.id, { skills: parseSkills(row.skills), capacity: typedNumber(row.capacity) });
      this.rows = new Map(this.rows).set(agent.id, { ...SAVED, skills: saved.skills.join(', '), capacity: String(saved.capacity) });
      this.dispatchEvent(new CustomEvent<Agent>('wb-agent-saved', { detail: saved as Agent, bubbles: true, composed: true }));
    } catch (err) {
      this.setRow(agent.id, { saving: false, error: refusal(err), saved: false });
    }
  }

  private team(team: Team): TeamState {
    return this.teamRows.get(team.id) ?? { ...UNSAVED, name: team.name, members: new Set(team.memberIds) };
  }

  private setTeam(team: Team, patch: Partial<TeamState>): void {
    this.teamRows = new Map(this.teamRows).set(team.id, { ...this.team(team), ...patch });
  }

  private toggleMember(team: Team, agentId: string, on: boolean): void {
    const members = new Set(this.team(team).members);
    if (on) members.add(agentId);
    else members.delete(agentId);
    this.setTeam(team, { members, saved: false });
  }

  private teamSaved(saved: Team): void {
    this.dispatchEvent(new CustomEvent<Team>('wb-team-saved', { detail: saved, bubbles: true, composed: true }));
  }

  private async saveTeam(team: Team, e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const row = this.team(team);
    if (row.saving) return;
    this.setTeam(team, { saving: true, error: '', saved: false });
    // Members of the team the list does not show (deactivated agents) stay members.
    const hidden = team.memberIds.filter((id) => !this.workspace.agents.some((a) => a.id === id && a.active));
    try {
      const { team: saved } = await this.rest.updateTeam(team.id, { name: row.name, memberIds: [...hidden, ...row.members].filter((id, i, all) => all.indexOf(id) === i) });
      this.teamRows = new Map(this.teamRows).set(team.id, { ...SAVED, name: saved.name, members: new Set(saved.memberIds) });
      this.teamSaved(saved as Team);
    } catch (err) {
      this.setTeam(team, { saving: false, error: refusal(err), saved: false });
    }
  }

  private async createTeam(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.newTeam.saving) return;
    this.newTeam = { ...this.newTeam, saving: true, error: '' };
    try {
      const { team } = await this.rest.createTeam({ name: this.newTeam.name });
      this.newTeam = { name: '', saving: false, error: '' };
      this.teamSaved(team as Team);
    } catch (err) {
      this.newTeam = { ...this.newTeam, saving: false, error: refusal(err) };
    }
  }

  private renderTeams() {
    const agents = this.workspace.agents.filter((a) => a.active);
    return html`<ul class="teams">
        ${this.workspace.teams.map((team) => {
          const row = this.team(team);
          return html`<li>
            <form novalidate @submit=${(e: SubmitEvent) => void this.saveTeam(team, e)}>
              <label class="team-name">Name <input required .value=${row.name}
                @input=${(e: Event) => this.setTeam(team, { name: (e.target as HTMLInputElement).value, saved: false })} /></label>
              <fieldset>
                <legend>Members of ${team.name}</legend>
                ${agents.map(
                  (a) => html`<label class="member"><input type="checkbox" .checked=${row.members.has(a.id)}
                    @change=${(e: Event) => this.toggleMember(team, a.id, (e.target as HTMLInputElement).checked)} />${a.name}</label>`,
                )}
              </fieldset>
              <div class="actions">
                <button type="submit" aria-label=${`Save ${team.name}`} aria-disabled=${row.saving ? 'true' : 'false'}>Save</button>
                ${row.error ? html`<span class="error" role="alert">${row.error}</span>` : nothing}
                ${row.saved ? html`<span class="saved" role="status">Saved.</span>` : nothing}
              </div>
            </form>
          </li>`;
        })}
      </ul>
      <form class="new-team" novalidate @submit=${(e: SubmitEvent) => void this.createTeam(e)}>
        <label>New team <input required .value=${this.newTeam.name} @input=${(e: Event) => (this.newTeam = { ...this.newTeam, name: (e.target as HTMLInputElement).value })} /></label>
        <button type="submit" aria-disabled=${this.newTeam.saving ? 'true' : 'false'}>Create team</button>
        ${this.newTeam.error ? html`<span class="error" role="alert">${this.newTeam.error}</span>` : nothing}
      </form>`;
  }

  private teamsOf(agent: AgentRow): string {
    const names = this.workspace.teams.filter((t: Team) => t.memberIds.includes(agent.id)).map((t) => t.name);
    return names.length ? names.join(', ') : 'No team';
  }

  private renderPolicy() {
    if (this.loadError) return html`<p class="error" role="alert">${this.loadError}</p>`;
    if (!this.policy) return html`<p class="hint">Loading…</p>`;
    const s = this.policyState;
    // The server's checks, not the browser's: its refusal shows here, in words, on the row or form.
    return html`<form class="policy" novalidate @submit=${(e: SubmitEvent) => void this.savePolicy(e)}>
      <fieldset>
        <legend>When an agent is away</legend>
        ${AWAY_POLICIES.map(
          (p) => html`<label class="choice">
            <input type="radio" name="policy" value=${p} .checked=${this.policy === p} @change=${() => ((this.policy = p), (this.policyEdited = true), (this.policyState = { ...s, saved: false }))} />
            <span>${POLICY_LABELS[p].label}<span class="hint">${POLICY_LABELS[p].hint}</span></span>
          </label>`,
        )}
      </fieldset>
      <label class="away-after">
        Away after
        <input type="number" min=${AUTO_AWAY_MIN_SEC / 60} max=${AUTO_AWAY_MAX_SEC / 60} required .value=${this.awayMinutes}
          @input=${(e: Event) => ((this.awayMinutes = (e.target as HTMLInputElement).value), (this.policyEdited = true), (this.policyState = { ...s, saved: false }))} />
        minutes without the inbox open
      </label>
      <fieldset>
        <legend>When an agent replies</legend>
        <label class="choice">
          <input type="checkbox" .checked=${this.assignOnReply} @change=${(e: Event) => ((this.assignOnReply = (e.target as HTMLInputElement).checked), (this.policyEdited = true), (this.policyState = { ...s, saved: false }))} />
          <span>Assign the conversation to them if nobody has it<span class="hint">Whoever answered the customer owns the follow-up.</span></span>
        </label>
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary" aria-disabled=${s.saving ? 'true' : 'false'}>Save</button>
        ${s.error ? html`<span class="error" role="alert">${s.error}</span>` : nothing}
        ${s.saved ? html`<span class="saved" role="status">Saved.</span>` : nothing}
      </div>
    </form>`;
  }

  private renderAgents() {
    const agents = this.workspace.agents.filter((a) => a.active);
    // Narrower than the table, it scrolls sideways inside its own box, not the host's page.
    return html`<div class="table-scroll"><table class="agents">
      <thead>
        <tr><th scope="col">Agent</th><th scope="col">Teams</th><th scope="col">Skills</th><th scope="col">Capacity</th><th scope="col"><span class="visually-hidden">Save</span></th></tr>
      </thead>
      <tbody>
        ${agents.map((agent) => {
          const row = this.row(agent);
          const form = `agent-${agent.id}`;
          return html`<tr>
            <th scope="row">
              ${agent.name}
              <span class="hint">${agent.availability === 'online' ? 'available' : agent.availability}${agent.openAssigned !== undefined ? ` · ${agent.openAssigned} open` : ''}</span>
            </th>
            <td>${this.teamsOf(agent)}</td>
            <td>
              <input form=${form} aria-label=${`Skills of ${agent.name}`} placeholder="No skills yet" .value=${row.skills}
                @input=${(e: Event) => this.setRow(agent.id, { skills: (e.target as HTMLInputElement).value, saved: false })} />
            </td>
            <td>
              <input form=${form} class="capacity" type="number" min="0" max=${MAX_AGENT_CAPACITY} required aria-label=${`Capacity of ${agent.name}`} .value=${row.capacity}
                @input=${(e: Event) => this.setRow(agent.id, { capacity: (e.target as HTMLInputElement).value, saved: false })} />
            </td>
            <td>
              <form id=${form} novalidate @submit=${(e: SubmitEvent) => void this.saveAgent(agent, e)}>
                <button type="submit" aria-label=${`Save ${agent.name}`} aria-disabled=${row.saving ? 'true' : 'false'}>Save</button>
              </form>
              ${row.error ? html`<span class="error" role="alert">${row.error}</span>` : nothing}
              ${row.saved ? html`<span class="saved" role="status">Saved.</span>` : nothing}
            </td>
          </tr>`;
        })}
      </tbody>
    </table></div>`;
  }

  override render() {
    return html`<div part="base" class="settings">
      <div class="toolbar">
        <button type="button" class="back" @click=${() => this.dispatchEvent(new Event('wb-close', { bubbles: true, composed: true }))}>← Workflows</button>
        <h2 id="settings-title" tabindex="-1">Routing settings</h2>
      </div>
      <section aria-labelledby="away-title">
        <h3 id="away-title">Availability</h3>
        ${this.renderPolicy()}
      </section>
      <section aria-labelledby="teams-title">
        <h3 id="teams-title">Teams</h3>
        <p class="hint">A step that assigns from a team picks among its members; the team's queue holds the conversations it waits with.</p>
        ${this.renderTeams()}
      </section>
      <section aria-labelledby="agents-title">
        <h3 id="agents-title">Skills and capacity</h3>
        <p class="hint">
          Steps that require or prefer skills pick among agents who have them. Rules assign an agent no more
          open conversations than their capacity; assigning by hand may go over it.
        </p>
        ${this.renderAgents()}
      </section>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wb-routing-settings': RoutingSettings;
  }
}

if (!customElements.get('wb-routing-settings')) customElements.define('wb-routing-settings', RoutingSettings);
