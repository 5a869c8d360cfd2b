import { LitElement, html, nothing } from 'lit';
import { ContextProvider } from '@lit/context';
import { property, query, state } from 'lit/decorators.js';
import { BatonApiError, BatonRestClient } from '@baton/client/rest';
import type { Agent, Team, Workflow, WorkflowDefinition } from '@baton/protocol';
import { restContext } from '@baton/ui/contexts/rest';
import { baseStyles, tokenStyles } from '@baton/ui/tokens';
import { fire, type ListIntent } from '../events.js';
import { newDefinition } from '../model/definition.js';
import { groupByTrigger, reorder } from '../model/order.js';
import { TEMPLATES } from '../model/templates.js';
import type { WorkflowList } from '../workflow-list/workflow-list.js';
import type { WorkflowEditor } from '../workflow-editor/workflow-editor.js';
import { workspaceContext, type Workspace } from '../workspace-context.js';
import { PageReturnController } from '../page-return.js';
import { workflowBuilderStyles } from './workflow-builder.styles.js';

export type BuilderTheme = 'light' | 'dark' | 'auto';

/** How often coming back to the page may read the teams and agents again. */
const REFRESH_EVERY_MS = 10_000;

/** A sentence for an error the admin can act on; never a stack or a code alone. */
export function plainError(error: unknown): string {
  if (error instanceof BatonApiError) {
    if (error.status === 0) return 'The server did not answer. Check the connection and try again.';
    if (error.status === 403) return "Only workspace admins can change workflows and routing settings: the builder needs an admin agent's token (not an agent's, and not the API key).";
    if (error.status === 401) return 'Your session has expired. Sign in again.';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The tags the rules test or set, by name: suggested beside the workspace's tags in use, which the
 * editor asks the server for as the admin types (@baton/ui/tag-suggestions).
 */
function namedTags(workflows: readonly Workflow[]): string[] {
  const tags = new Set<string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n.field === 'string' && n.field.endsWith('.tags') && Array.isArray(n.value)) for (const t of n.value) tags.add(String(t));
    if ((n.type === 'add_tag' || n.type === 'remove_tag') && Array.isArray(n.tags)) for (const t of n.tags) tags.add(String(t));
    for (const v of Object.values(n)) if (typeof v === 'object') walk(v);
  };
  for (const w of workflows) walk(w.draft);
  return [...tags].sort();
}

/**
 * `<workflow-builder server="https://…" token="…">`: the workspace's routing rules. Shows the
 * list of workflows (grouped by trigger, in execution order) and, with `workflow-id`, the editor
 * of one workflow. It owns the REST client and the server conversation; its parts ask with
 * internal events and get data as properties and through context.
 *
 * @fires workflow-save - after the server saved a draft; `detail.workflow`
 * @fires workflow-publish - after the server published a draft; `detail.workflow`
 * @fires workflow-delete - after the server deleted a workflow; `detail.workflowId`
 */
export class WorkflowBuilder extends LitElement {
  static override styles = [tokenStyles, baseStyles, workflowBuilderStyles];

  /** The Baton server's base URL. */
  @property() server = '';
  /** An admin's agent token. Prefer `tokenProvider`, which is asked again before expiry. */
  @property() token = '';
  @property({ attribute: false }) tokenProvider: (() => Promise<string>) | undefined;
  /** A REST client the host built (tests, or a host sharing one client); then `server` is not used. */
  @property({ attribute: false }) rest: BatonRestClient | undefined;
  /** The open workflow ('' for the list). Follows the admin's navigation. */
  @property({ attribute: 'workflow-id', reflect: true }) workflowId = '';
  @property({ reflect: true }) theme: BuilderTheme = 'auto';
  /**
   * Where the host shows a conversation, with `{id}` for its id ("/inbox?conversation={id}"): run
   * logs and replays link each conversation there. Unset, they name it without a link.
   */
  @property({ attribute: 'conversation-href' }) conversationHref = '';

  @state() private workflows: Workflow[] = [];
  @state() private warnings = new Map<string, string[]>();
  /** Runs and assignments of each workflow in the last 24 hours. */
  @state() private stats = new Map<string, { runs: number; assigned: number }>();
  @state() private loaded = false;
  /** "Routing settings" is open (its part loads on first use). */
  @state() private settingsOpen = false;
  @state() private busy = false;
  @state() private failure = '';
  /** The credential may not read workflows (403): trying again changes nothing until the host gives another. */
  @state() private refused = false;
  /** The polite live region's text: outcomes of moves, saves, undo. */
  @state() private announcement = '';

  @query('wb-workflow-list') private list?: WorkflowList;
  @query('wb-workflow-editor') private editor?: WorkflowEditor;

  private client: BatonRestClient | undefined;
  private readonly restProvider = new ContextProvider(this, { context: restContext });
  private readonly workspaceProvider = new ContextProvider(this, { context: workspaceContext, initialValue: { teams: [], agents: [], me: null } });

  /** A host sets `server` and `tokenProvider` after the element is on the page: (re)load once they are there. */
  override willUpdate(changed: Map<string, unknown>): void {
    // Opening a workflow (the host's navigation too) leaves the settings: back goes to the list.
    if (changed.has('workflowId') && this.workflowId) this.settingsOpen = false;
    if (changed.has('server') || changed.has('rest') || changed.has('token') || changed.has('tokenProvider')) {
      this.client = undefined;
      if (this.canLoad) void this.load();
    }
  }

  /**
   * An injected client, or a server with a credential. A host often sets `tokenProvider` just after
   * putting the element on the page: until then nothing is asked (it would only be refused, 401).
   */
  private get canLoad(): boolean {
    return !!this.rest || (!!this.server && (!!this.token || !!this.tokenProvider));
  }

  /** The REST client in use (the injected one, or one built for `server`). */
  get restClient(): BatonRestClient {
    if (this.rest) return this.rest;
    if (!this.client) {
      this.client = new BatonRestClient({
        baseUrl: this.server,
        ...(this.token ? { token: this.token } : {}),
        ...(this.tokenProvider ? { tokenProvider: this.tokenProvider } : {}),
      });
    }
    return this.client;
  }

  /** Says something to screen readers, politely; the same words twice are still announced. */
  announce(text: string): void {
    this.announcement = this.announcement === text ? `${text}\u00a0` : text;
  }

  /** Counts the loads started: only the latest one shows what it read. */
  private loadsStarted = 0;
  /** Counts the changes made here to the list (saves, moves, deletes), which a load must not undo. */
  private localChanges = 0;

  /** Loads workflows, teams and agents. */
  async load(): Promise<void> {
    if (!this.canLoad) return;
    const load = ++this.loadsStarted;
    this.failure = '';
    this.refused = false;
    try {
      const rest = this.restClient;
      this.restProvider.setValue(rest);
      const changesBefore = this.localChanges;
      const [workflows, teams, agents, me, info] = await Promise.all([
        rest.listWorkflows(),
        rest.listTeams(),
        rest.listAgents(),
        rest.me().catch(() => null),
        rest.getWorkspace().catch(() => null),
      ]);
      const workspace: Workspace = {
        teams: teams.items as Team[],
        agents: agents.items as (Agent & { openAssigned: number })[],
        me: (me?.agent as Agent | undefined) ?? null,
        ...(info ? { timeZone: info.workspace.timeZone } : {}),
        tags: namedTags(workflows.items),
      };
      // Each row's warnings and counts come with the rows, in the same render (neither ever fails:
      // a row that cannot be read shows none). Rows that grew as they arrived moved the rows below
      // them under the pointer, so a click meant for one workflow could land on the next.
      const warningsAsked = ++this.warningsAsked;
      const [warnings, stats] = await Promise.all([this.readWarnings(workflows.items), this.readStats(workflows.items)]);
      if (load !== this.loadsStarted) return;
      // A move or save made here while this load was reading: what it read may be from before it.
      if (this.localChanges !== changesBefore) {
        await this.load();
        return;
      }
      this.workspaceProvider.setValue(workspace);
      this.workflows = workflows.items;
      if (warningsAsked === this.warningsAsked) this.warnings = warnings;
      this.stats = stats;
      this.loaded = true;
    } catch (error) {
      if (load !== this.loadsStarted) return;
      this.failure = plainError(error);
      this.refused = error instanceof BatonApiError && error.status === 403;
    }
  }

  get workspace(): Workspace {
    return this.workspaceProvider.value;
  }

  /**
   * The builder has no socket, and teams and agents are mostly made elsewhere (the host's settings,
   * another tab): when the admin comes back to the page, they are read again, so a team created
   * meanwhile is in the pickers without reopening the builder. At most once per REFRESH_EVERY_MS.
   */
  private readonly pageReturn = new PageReturnController(this, () => {
    if (!this.loaded) return;
    const now = Date.now();
    if (now - this.refreshedAt < REFRESH_EVERY_MS) return;
    this.refreshedAt = now;
    void this.refreshWorkspace();
  });
  private refreshedAt = 0;

  /** Changes the workspace the parts pick from: through context, and as the property some take. */
  private updateWorkspace(patch: Partial<Workspace>): void {
    this.workspaceProvider.setValue({ ...this.workspace, ...patch });
    // The parts that take the workspace as a property (not through context) re-render from here.
    this.requestUpdate();
  }

  /** Reads the teams and agents again; a failure keeps what the builder had (the next return tries again). */
  async refreshWorkspace(): Promise<void> {
    try {
      const rest = this.restClient;
      const [teams, agents] = await Promise.all([rest.listTeams(), rest.listAgents()]);
      this.updateWorkspace({ teams: teams.items as Team[], agents: agents.items as (Agent & { openAssigned: number })[] });
    } catch {
      // Offline for a moment: the pickers keep the teams and agents they show.
    }
  }

  /** Bumped by each re-read of the warnings, so an older answer never replaces a newer one. */
  private warningsAsked = 0;

  /**
   * Reads every row's warnings again after a change made from the list: they compare each rule
   * with the others of its trigger ("… also assigns and runs first", shadowed by a rule that stops
   * processing), so moving, enabling, duplicating or deleting one changes what the others say.
   */
  private async refreshWarnings(): Promise<void> {
    const asked = ++this.warningsAsked;
    const warnings = await this.readWarnings(this.workflows);
    if (asked === this.warningsAsked) this.warnings = warnings;
  }

  /** The validator's warnings for each workflow that has some, as the list shows them. */
  private async readWarnings(workflows: readonly Workflow[]): Promise<Map<string, string[]>> {
    const rest = this.restClient;
    const entries = await Promise.all(
      workflows.map(async (w): Promise<[string, string[]]> => {
        try {
          const r = await rest.validateWorkflow({ workflow: w.draft, workflowId: w.id });
          return [w.id, r.warnings.map((x) => x.message)];
        } catch {
          return [w.id, []];
        }
      }),
    );
    return new Map(entries.filter(([, list]) => list.length > 0));
  }

  /**
   * Counts the run log's last 24 hours (up to 200 runs a workflow: the list shows "200+" beyond),
   * asking the server for those hours only. A workflow whose runs cannot be read shows no count
   * rather than a false "0 runs".
   */
  private async readStats(workflows: readonly Workflow[]): Promise<Map<string, { runs: number; assigned: number }>> {
    const since = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
    const rest = this.restClient;
    const entries = await Promise.all(
      workflows.map(async (w): Promise<[string, { runs: number; assigned: number }] | null> => {
        try {
          const { items } = await rest.listWorkflowRuns(w.id, { since, limit: 200 });
          const assigned = items.filter((r) => r.actions.some((a) => a.type === 'assign' && a.status === 'done')).length;
          return [w.id, { runs: items.length, assigned }];
        } catch {
          return null;
        }
      }),
    );
    return new Map(entries.filter((e) => e !== null));
  }

  private replace(workflow: Workflow) {
    this.localChanges++;
    this.workflows = this.workflows.some((w) => w.id === workflow.id)
      ? this.workflows.map((w) => (w.id === workflow.id ? workflow : w))
      : [...this.workflows, workflow];
  }

  /**
   * A change made from the list (order, enabled): saved into the draft and, when the draft held
   * nothing else unpublished, published at once so the list shows what runs. A draft with other
   * pending edits keeps the change with them: publishing here would publish those too.
   */
  private async applyListChange(w: Workflow, patch: Partial<WorkflowDefinition>, show = true): Promise<Workflow> {
    const rest = this.restClient;
    const saved = await rest.updateWorkflow(w.id, { ...w.draft, ...patch }, { ifMatch: w.draftVersion });
    let result = saved.workflow;
    fire(this, 'workflow-save', { workflow: result });
    if (w.published && !w.hasUnpublishedChanges) {
      result = (await rest.publishWorkflow(w.id, { ifMatch: result.draftVersion })).workflow;
      fire(this, 'workflow-publish', { workflow: result });
    }
    if (show) this.replace(result);
    return result;
  }

  private async onListIntent(intent: ListIntent): Promise<void> {
    if (intent.action === 'open') {
      this.workflowId = intent.id;
      return;
    }
    if (intent.action === 'settings') {
      await this.openSettings();
      return;
    }
    const rest = this.restClient;
    this.busy = true;
    this.failure = '';
    try {
      switch (intent.action) {
        case 'create': {
          const template = TEMPLATES.find((t) => t.key === intent.template);
          const base = template ? template.make(this.workspace) : newDefinition(this.workspace);
          if (!base) {
            this.failure = 'This workspace has no teams and no active agents yet, so a rule has nobody to assign to. Add an agent or a team first.';
            break;
          }
          // A new rule goes last in its trigger's order: it cannot take over conversations by accident.
          const last = this.workflows.filter((w) => w.draft.trigger.event === base.trigger.event).map((w) => w.draft.priority ?? 0);
          const priority = last.length ? Math.min(...last) - 100 : 100;
          const def = { ...base, priority };
          const { workflow } = await rest.createWorkflow(def);
          fire(this, 'workflow-save', { workflow });
          this.replace(workflow);
          this.workflowId = workflow.id;
          break;
        }
        case 'duplicate': {
          const w = this.byId(intent.id);
          const { workflow } = await rest.createWorkflow({ ...w.draft, name: `${w.draft.name} (copy)`.slice(0, 120), priority: (w.draft.priority ?? 0) - 1 });
          fire(this, 'workflow-save', { workflow });
          this.replace(workflow);
          this.announce(`Duplicated as “${workflow.draft.name}”, a draft below the original.`);
          void this.refocus(workflow.id, 'open');
          break;
        }
        case 'toggle': {
          const w = this.byId(intent.id);
          const enabled = w.draft.enabled === false;
          const r = await this.applyListChange(w, { enabled });
          const live = r.published && !r.hasUnpublishedChanges;
          this.announce(`“${w.draft.name}” ${enabled ? 'enabled' : 'disabled'}${live ? '' : ' in the draft; it takes effect when published'}.`);
          void this.refocus(w.id, 'toggle');
          break;
        }
        case 'move': {
          const w = this.byId(intent.id);
          const group = groupByTrigger(this.workflows).find((g) => g.trigger.event === w.draft.trigger.event)!;
          const plan = reorder(group.workflows, w.id, intent.delta);
          if (!plan) break;
          // The list shows the new order once every rule of it is saved, never a half-moved list.
          const saved: Workflow[] = [];
          for (const [id, priority] of plan.changes) saved.push(await this.applyListChange(this.byId(id), { priority }, false));
          saved.forEach((x) => this.replace(x));
          // A rule with other unpublished edits takes its new place with them, when it is published.
          const waiting = saved.filter((x) => !x.published || x.hasUnpublishedChanges).map((x) => `“${x.draft.name}”`);
          const later = waiting.length ? ` It runs in this order once ${waiting.join(' and ')} ${waiting.length === 1 ? 'is' : 'are'} published.` : '';
          this.announce(`Moved “${w.draft.name}” to position ${plan.position} of ${group.workflows.length} (when ${group.trigger.label}).${later}`);
          if (Math.abs(intent.delta) === 1) void this.refocus(w.id, intent.delta < 0 ? 'up' : 'down');
          else void this.refocus(w.id, 'open');
          break;
        }
        case 'delete': {
          const w = this.byId(intent.id);
          // Focus goes to the rule shown after it, else the one before, else "New workflow".
          const order = groupByTrigger(this.workflows).flatMap((g) => g.workflows);
          const i = order.indexOf(w);
          const near = order[i + 1] ?? order[i - 1];
          await rest.deleteWorkflow(w.id);
          this.workflows = this.workflows.filter((x) => x.id !== w.id);
          this.localChanges++;
          fire(this, 'workflow-delete', { workflowId: w.id });
          this.announce(`Deleted “${w.draft.name}”.`);
          void this.refocus(near?.id ?? w.id, 'open');
          break;
        }
      }
      if (intent.action !== 'create') void this.refreshWarnings();
    } catch (error) {
      if (error instanceof BatonApiError && error.code === 'version_conflict') {
        this.failure = 'Someone else changed a workflow at the same time. The list has been reloaded; try again.';
        await this.load();
      } else this.failure = plainError(error);
    } finally {
      this.busy = false;
    }
  }

  /** Focus back on a row's control once the list shows the change. */
  private async refocus(id: string, control: 'up' | 'down' | 'toggle' | 'open'): Promise<void> {
    await this.updateComplete;
    await this.list?.focusControl(id, control);
  }

  private byId(id: string): Workflow {
    const w = this.workflows.find((x) => x.id === id);
    if (!w) throw new Error('That workflow is no longer there.');
    return w;
  }

  /** The editor saved, published or reloaded its workflow. */
  private onEditorWorkflow(workflow: Workflow) {
    this.replace(workflow);
  }

  private async openSettings(): Promise<void> {
    try {
      await import('../routing-settings/routing-settings.js');
      this.settingsOpen = true;
      await this.updateComplete;
      this.renderRoot.querySelector('wb-routing-settings')?.shadowRoot?.querySelector<HTMLElement>('h2')?.focus();
    } catch (error) {
      this.failure = plainError(error);
    }
  }

  private closeSettings(): void {
    this.settingsOpen = false;
    void this.updateComplete.then(() => this.list?.focusSettings());
  }

  /** An agent's skills or capacity saved in the settings: the pickers and "Eligible now" use them. */
  private onAgentSaved(agent: Agent): void {
    this.updateWorkspace({ agents: this.workspace.agents.map((a) => (a.id === agent.id ? { ...a, ...agent } : a)) });
  }

  /** A team created, renamed or re-staffed in the settings: the pickers and hints use it at once. */
  private onTeamSaved(team: Team): void {
    const known = this.workspace.teams.some((t) => t.id === team.id);
    this.updateWorkspace({ teams: known ? this.workspace.teams.map((t) => (t.id === team.id ? team : t)) : [...this.workspace.teams, team] });
  }

  private backToList() {
    const id = this.workflowId;
    this.workflowId = '';
    void this.load().then(() => this.list?.focusControl(id, 'open'));
  }

  override render() {
    const open = this.workflowId ? this.workflows.find((w) => w.id === this.workflowId) : undefined;
    return html`
      <div part="base" class="builder">
        ${this.failure ? html`<p class="failure" role="alert">${this.failure}</p>` : nothing}
        ${!this.loaded
          ? this.failure
            ? this.refused
              ? nothing
              : html`<button type="button" @click=${() => void this.load()}>Try again</button>`
            : html`<p class="loading">Loading workflows…</p>`
          : this.settingsOpen
            ? html`<wb-routing-settings
                .rest=${this.restClient}
                .workspace=${this.workspace}
                @wb-close=${() => this.closeSettings()}
                @wb-agent-saved=${(e: CustomEvent<Agent>) => this.onAgentSaved(e.detail)}
                @wb-team-saved=${(e: CustomEvent<Team>) => this.onTeamSaved(e.detail)}
              ></wb-routing-settings>`
          : open
            ? html`<wb-workflow-editor
                .workflow=${open}
                .rest=${this.restClient}
                .workspace=${this.workspace}
                .conversationHref=${this.conversationHref}
                .announcer=${(text: string) => this.announce(text)}
                @wb-workflow-changed=${(e: CustomEvent<Workflow>) => this.onEditorWorkflow(e.detail)}
                @wb-close=${() => this.backToList()}
              ></wb-workflow-editor>`
            : html`<wb-workflow-list
                .workflows=${this.workflows}
                .agents=${this.workspace.agents}
                .warnings=${this.warnings}
                .stats=${this.stats}
                ?busy=${this.busy}
                @wb-list-intent=${(e: CustomEvent<ListIntent>) => void this.onListIntent(e.detail)}
              ></wb-workflow-list>`}
        <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
      </div>
    `;
  }

  /** Focus moves into the editor's tree when a workflow opens. */
  override updated(changed: Map<string, unknown>): void {
    if (changed.has('workflowId') && this.workflowId && changed.get('workflowId') !== undefined) void this.editor?.updateComplete.then(() => this.editor?.focusTree());
  }
}
