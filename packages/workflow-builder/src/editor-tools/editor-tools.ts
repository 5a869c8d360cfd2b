import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { BatonApiError, type BatonRestClient } from '@baton/client/rest';
import type { ConditionTrace, RuleFacts, RunOutcome, WorkflowDefinition, WorkflowRun, WorkflowVersion } from '@baton/protocol';
import { CHANNEL_OPTIONS, LANGUAGE_OPTIONS, PRIORITY_OPTIONS, WEEKDAY_OPTIONS } from '@baton/protocol/rule-fields';
import { groupTooDeepAt, MAX_GROUP_DEPTH } from '@baton/protocol/nesting';
import { readableTimes } from '@baton/ui/relative-time';
import { templateLink } from '@baton/ui/template-link';
import { baseStyles } from '@baton/ui/tokens';
import { setAt } from '../model/definition.js';
import { leafText, leaves, leavesByKey, type TraceLeaf } from '../model/traces.js';
import { plainError } from '../workflow-builder/workflow-builder.js';
import { diffLines } from '../workflow-editor/describe-action.js';
import type { Workspace } from '../workspace-context.js';
import { editorToolsStyles } from './editor-tools.styles.js';

type Panel = 'sample' | 'history' | 'runs' | 'json';
/** Runs a page: enough to read through, few enough to inflate quickly (`GET …/runs` allows 200). */
const RUNS_PAGE = 20;

/**
 * The tools under the flow: try a sample conversation (each condition of the tree lights up with
 * the value it saw), the published versions with their differences and "Restore as draft", the run
 * log, and the workflow as JSON. It reads the draft and the server; it changes the draft only by
 * asking the editor (`wb-apply`), so a restore or an import is one undoable edit like any other.
 *
 * @fires wb-apply - a definition to make the draft, with the edit's label
 * @fires wb-sample - the sample's condition trace by row key, or null when the sample panel closes
 */
export class EditorTools extends LitElement {
  static override styles = [baseStyles, editorToolsStyles];

  @property({ attribute: false }) rest!: BatonRestClient;
  @property({ attribute: false }) workflowId = '';
  @property({ attribute: false }) definition!: WorkflowDefinition;
  @property({ attribute: false }) workspace: Workspace = { teams: [], agents: [], me: null };
  /** The host's page for a conversation (`<workflow-builder conversation-href>`). */
  @property({ attribute: false }) conversationHref = '';

  /** The open tool panel under the flow. */
  @state() private panel: Panel | null = null;
  @state() private sample: RuleFacts = {
    conversation: { channel: 'sms', source: null, subject: null, tags: [], priority: 'normal', language: null, team: null },
    contact: { name: 'Sample contact', email: null, language: null, tags: [], attributes: {} },
    message: { body: '' },
    time: { weekday: 'mon', hour: 10 },
  };
  /** What the draft does with the sample (the trace itself goes to the editor). */
  @state() private preview: { leaves: Map<string, TraceLeaf>; matched: boolean; would: string[]; error: string } | null = null;
  @state() private versions: WorkflowVersion[] | null = null;
  @state() private versionDiff: number | null = null;
  @state() private versionsError = '';
  @state() private runs: WorkflowRun[] | null = null;
  /** Where the next (older) page of runs starts; null when the last page is shown. */
  @state() private runsCursor: string | null = null;
  @state() private runsError = '';
  /** Bumped by each load, so a page asked for under an earlier filter is dropped. */
  private runsAsked = 0;
  @state() private runFilter: RunOutcome | '' = '';
  @state() private importError = '';
  private sampleTimer: ReturnType<typeof setTimeout> | undefined;

  override updated(changed: Map<string, unknown>): void {
    // Every edit re-checks the open sample, so the lit conditions follow the draft.
    if (changed.has('definition') && changed.get('definition') !== undefined && this.panel === 'sample') this.scheduleSample();
  }

  private setPreview(preview: EditorTools['preview']) {
    this.preview = preview;
    this.dispatchEvent(new CustomEvent('wb-sample', { detail: preview ? preview.leaves : null }));
  }

  private apply(definition: WorkflowDefinition, label: string) {
    this.dispatchEvent(new CustomEvent('wb-apply', { detail: { definition, label } }));
  }

  private togglePanel(panel: Panel) {
    this.panel = this.panel === panel ? null : panel;
    if (this.panel === 'sample') void this.runSample();
    if (this.panel === 'history') void this.loadVersions();
    if (this.panel === 'runs') void this.loadRuns();
    if (this.panel !== 'sample') this.setPreview(null);
  }

  private scheduleSample() {
    clearTimeout(this.sampleTimer);
    this.sampleTimer = setTimeout(() => void this.runSample(), 250);
  }

  /**
   * The draft on the sample. The conditions light up at once, evaluated here by `@baton/rules`
   * (loaded on first use: the evaluator carries a regex engine the builder's first load does not);
   * what the actions would do needs the workspace's agents and their load, so the server's dry run
   * answers that, and replaces the local trace with its own (they agree: same evaluator).
   */
  async runSample(): Promise<void> {
    const local = await this.localTrace();
    if (local) this.setPreview({ leaves: leavesByKey(local), matched: local.result, would: this.preview?.would ?? [], error: '' });
    try {
      const r = await this.rest.testWorkflow({ workflow: this.definition, sample: this.sample });
      const result = r.results[0]!;
      this.setPreview({ leaves: leavesByKey(result.draft.conditions), matched: result.draft.matched, would: result.draft.actions.map((a) => a.would), error: '' });
    } catch (error) {
      const invalid = error instanceof BatonApiError && error.code === 'workflow_invalid';
      this.setPreview({ leaves: new Map(), matched: false, would: [], error: invalid ? 'Fix the problems above to try the sample.' : String((error as Error).message) });
    }
  }

  /** The draft's conditions on the sample, in the browser; null while the draft's conditions cannot be evaluated (incomplete). */
  private async localTrace(): Promise<ConditionTrace | null> {
    try {
      const { explainConditions } = await import('@baton/rules/explain');
      return explainConditions(this.definition.conditions, this.sample);
    } catch {
      return null;
    }
  }

  private setSample(path: (string)[], value: unknown) {
    this.sample = setAt(this.sample, path, value);
    this.scheduleSample();
  }

  private async loadVersions() {
    this.versionsError = '';
    try {
      this.versions = (await this.rest.workflowVersions(this.workflowId)).items;
    } catch (error) {
      this.versionsError = plainError(error);
      this.versions = [];
    }
  }

  private restoreVersion(v: WorkflowVersion) {
    this.apply(v.definition, `Restored version ${v.version} as the draft`);
  }

  /** The newest runs, or with `older` the page after those shown. A failure says so (never "No runs"). */
  private async loadRuns(older = false) {
    const asked = ++this.runsAsked;
    const cursor = older ? this.runsCursor : null;
    this.runsError = '';
    if (!older) this.runs = null;
    try {
      const page = await this.rest.listWorkflowRuns(this.workflowId, {
        limit: RUNS_PAGE,
        ...(this.runFilter ? { outcome: this.runFilter } : {}),
        ...(cursor ? { cursor } : {}),
      });
      if (asked !== this.runsAsked) return;
      this.runs = older ? [...(this.runs ?? []), ...page.items] : page.items;
      this.runsCursor = page.nextCursor;
    } catch (error) {
      if (asked !== this.runsAsked) return;
      this.runsError = plainError(error);
      this.runs ??= [];
    }
  }

  private importJson(text: string) {
    try {
      const parsed = JSON.parse(text) as WorkflowDefinition;
      if (!parsed || typeof parsed !== 'object' || !('trigger' in parsed) || !Array.isArray(parsed.actions)) throw new Error('not a workflow');
      // Measured without recursion: the editor, its sentences and the validator all walk the tree,
      // and a pasted one may nest thousands deep.
      if (groupTooDeepAt(parsed.conditions) !== null) throw new Error(`its conditions nest deeper than ${MAX_GROUP_DEPTH} groups`);
      this.importError = '';
      this.apply(parsed, 'Imported JSON');
    } catch (error) {
      this.importError = `That is not a workflow's JSON (${(error as Error).message}).`;
    }
  }

  private renderTools(): TemplateResult {
    const tab = (panel: Panel, label: string) =>
      html`<button type="button" aria-expanded=${this.panel === panel ? 'true' : 'false'} aria-controls="panel" @click=${() => this.togglePanel(panel)}>${label}</button>`;
    return html`<div class="tools">
        ${tab('sample', 'Try a sample')} ${tab('history', 'History')} ${tab('runs', 'Runs')} ${tab('json', 'JSON')}
      </div>
      <div id="panel" class="panel">${this.renderPanel()}</div>`;
  }

  private renderPanel(): TemplateResult | typeof nothing {
    switch (this.panel) {
      case 'sample':
        return this.renderSample();
      case 'history':
        return this.renderHistory();
      case 'runs':
        return this.renderRuns();
      case 'json':
        return this.renderJson();
      default:
        return nothing;
    }
  }

  private renderSample(): TemplateResult {
    const s = this.sample;
    const csv = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);
    const p = this.preview;
    return html`<section aria-labelledby="sample-title" class="sample">
      <h3 id="sample-title">Try a sample conversation</h3>
      <p class="hint">Each condition in the rule shows whether it holds for this sample and the value it saw.</p>
      <div class="sample-form">
        <label>Channel <select @change=${(e: Event) => this.setSample(['conversation', 'channel'], (e.target as HTMLSelectElement).value)}>
          ${CHANNEL_OPTIONS.map((o) => html`<option value=${o.value} ?selected=${o.value === s.conversation.channel}>${o.label}</option>`)}</select></label>
        <label>Contact language <select @change=${(e: Event) => this.setSample(['contact', 'language'], (e.target as HTMLSelectElement).value || null)}>
          <option value="">Not set</option>
          ${LANGUAGE_OPTIONS.map((o) => html`<option value=${o.value} ?selected=${o.value === s.contact.language}>${o.label}</option>`)}</select></label>
        <label>Contact tags <input .value=${live(s.contact.tags.join(', '))} @change=${(e: Event) => this.setSample(['contact', 'tags'], csv((e.target as HTMLInputElement).value))} /></label>
        <label>Conversation tags <input .value=${live(s.conversation.tags.join(', '))} @change=${(e: Event) => this.setSample(['conversation', 'tags'], csv((e.target as HTMLInputElement).value))} /></label>
        <label>Priority <select @change=${(e: Event) => this.setSample(['conversation', 'priority'], (e.target as HTMLSelectElement).value)}>
          ${PRIORITY_OPTIONS.map((o) => html`<option value=${o.value} ?selected=${o.value === s.conversation.priority}>${o.label}</option>`)}</select></label>
        <label>Team <select @change=${(e: Event) => this.setSample(['conversation', 'team'], (e.target as HTMLSelectElement).value || null)}>
          <option value="">No team</option>
          ${this.workspace.teams.map((t) => html`<option value=${t.id} ?selected=${t.id === s.conversation.team}>${t.name}</option>`)}</select></label>
        <label>Weekday <select @change=${(e: Event) => this.setSample(['time', 'weekday'], (e.target as HTMLSelectElement).value)}>
          ${WEEKDAY_OPTIONS.map((o) => html`<option value=${o.value} ?selected=${o.value === s.time.weekday}>${o.label}</option>`)}</select></label>
        <label>Hour <input type="number" min="0" max="23" .value=${live(String(s.time.hour))} @change=${(e: Event) => this.setSample(['time', 'hour'], Math.max(0, Math.min(23, Number((e.target as HTMLInputElement).value) || 0)))} /></label>
        <label class="wide">Message <textarea rows="2" .value=${live(s.message?.body ?? '')} @input=${(e: Event) => this.setSample(['message'], { body: (e.target as HTMLTextAreaElement).value })}></textarea></label>
      </div>
      <p class="sample-result" role="status">${p ? (p.error ? p.error : p.matched ? `Matches: ${readableTimes(p.would.join('; '))}` : 'Does not match this sample.') : 'Checking…'}</p>
    </section>`;
  }

  private renderHistory(): TemplateResult {
    const name = (id: string | null) => this.workspace.agents.find((a) => a.id === id)?.name ?? 'the server';
    const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    return html`<section aria-labelledby="history-title">
      <h3 id="history-title">Published versions</h3>
      ${this.versions === null
        ? html`<p>Loading…</p>`
        : this.versionsError
          ? html`<p class="error" role="alert">Can't load the versions: ${this.versionsError}
              <button type="button" @click=${() => void this.loadVersions()}>Try again</button></p>`
          : this.versions.length === 0
            ? html`<p>Nothing published yet.</p>`
            : nothing}
      <ol class="versions">
        ${(this.versions ?? []).map((v) => {
          const diff = this.versionDiff === v.version ? diffLines(v.definition, this.definition, this.workspace) : null;
          return html`<li>
            <strong>Version ${v.version}</strong> · published by ${name(v.publishedBy)}, ${when.format(new Date(v.publishedAt))}
            <button type="button" aria-expanded=${diff ? 'true' : 'false'} @click=${() => (this.versionDiff = diff ? null : v.version)}>Changes from the draft</button>
            <button type="button" @click=${() => this.restoreVersion(v)}>Restore as draft</button>
            ${diff
              ? html`<div class="diff"><p>Only in version ${v.version}:</p><ul>${diff.theirs.length ? diff.theirs.map((l) => html`<li>${l}</li>`) : html`<li>Nothing</li>`}</ul>
                  <p>Only in the draft:</p><ul>${diff.mine.length ? diff.mine.map((l) => html`<li>${l}</li>`) : html`<li>Nothing</li>`}</ul></div>`
              : nothing}
          </li>`;
        })}
      </ol>
    </section>`;
  }

  private renderRuns(): TemplateResult {
    const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
    const outcomes: [RunOutcome | '', string][] = [['', 'All'], ['applied', 'Applied'], ['not_matched', 'Not matched'], ['no_change', 'No change'], ['waiting', 'Waiting'], ['queued', 'Queued']];
    return html`<section aria-labelledby="runs-title">
      <h3 id="runs-title">Runs of the live version</h3>
      <label>Outcome <select @change=${(e: Event) => {
        this.runFilter = (e.target as HTMLSelectElement).value as RunOutcome | '';
        void this.loadRuns();
      }}>${outcomes.map(([v, l]) => html`<option value=${v} ?selected=${v === this.runFilter}>${l}</option>`)}</select></label>
      ${this.runs === null
        ? html`<p>Loading…</p>`
        : this.runs.length === 0 && !this.runsError
          ? html`<p>No runs${this.runFilter ? ' with this outcome' : ''} yet.</p>`
          : nothing}
      <ol class="runs">
        ${(this.runs ?? []).map(
          (r) => html`<li>
            <strong>${r.outcome.replace('_', ' ')}</strong> · version ${r.version} · ${when.format(new Date(r.createdAt))} ·
            ${templateLink(this.conversationHref, r.conversationId, r.contactName ?? 'a conversation no longer kept')}
            <ul>
              ${leaves(r.conditions).map((l) => html`<li class=${l.result ? 'held' : 'missed'}>${leafText(l)}</li>`)}
              ${r.actions.map((a) => html`<li>${readableTimes(a.detail)}</li>`)}
            </ul>
          </li>`,
        )}
      </ol>
      ${this.runsError
        ? html`<p class="error" role="alert">Can't load the runs: ${this.runsError}
            <button type="button" @click=${() => void this.loadRuns(this.runs !== null && this.runs.length > 0)}>Try again</button></p>`
        : nothing}
      ${this.runsCursor && !this.runsError ? html`<button type="button" @click=${() => void this.loadRuns(true)}>Older runs</button>` : nothing}
    </section>`;
  }

  private renderJson(): TemplateResult {
    // Not `live`: what the admin pastes stays until Import, unless the workflow itself changes.
    return html`<section aria-labelledby="json-title">
      <h3 id="json-title">Export or import as JSON</h3>
      <textarea id="json" aria-label="Workflow JSON" rows="10" class="json" .value=${JSON.stringify(this.definition, null, 2)}></textarea>
      <button type="button" @click=${() => this.importJson(this.renderRoot.querySelector<HTMLTextAreaElement>('#json')!.value)}>Import</button>
      ${this.importError ? html`<p class="error" role="alert">${this.importError}</p>` : nothing}
    </section>`;
  }

  override render() {
    return this.renderTools();
  }
}
