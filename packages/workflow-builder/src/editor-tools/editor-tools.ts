import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { BatonApiError, type BatonRestClient } from '@baton/client/rest';
import type { ConditionNode, ConditionTrace, RuleFacts, RunOutcome, WorkflowDefinition, WorkflowRun, WorkflowVersion } from '@baton/protocol';
import { ATTRIBUTE_FIELD_PREFIX, LANGUAGE_OPTIONS, RULE_FIELDS, triggerDef, type FieldDef } from '@baton/protocol/rule-fields';
import { groupTooDeepAt, MAX_GROUP_DEPTH } from '@baton/protocol/nesting';
import { absoluteTime, dateFormat } from '@baton/ui/relative-time';
import { readableTimes } from '@baton/ui/readable-times';
import { templateLink } from '@baton/ui/template-link';
import { baseStyles } from '@baton/ui/tokens';
import { conditionLeaves, getAt, setAt } from '../model/definition.js';
import { leafText, leaves, leavesByKey, type TraceLeaf } from '../model/traces.js';
import { plainError } from '../workflow-builder/workflow-builder.js';
import { diffLines, versionChanges } from '../workflow-editor/describe-action.js';
import type { Workspace } from '../workspace-context.js';
import { PageReturnController } from '../page-return.js';
import { editorToolsStyles } from './editor-tools.styles.js';

type Panel = 'sample' | 'history' | 'runs' | 'json';

/** A run's outcome as the Runs panel says it, in its filter and on each run. */
const OUTCOME_LABELS: Record<RunOutcome, string> = { applied: 'Applied', not_matched: 'Not matched', no_change: 'No change', waiting: 'Waiting', queued: 'Queued' };
/** The Runs panel's filter: every outcome, or one. */
const OUTCOME_FILTER = Object.entries({ '': 'All', ...OUTCOME_LABELS }) as [RunOutcome | '', string][];
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
  /**
   * The language the server detected in the sample's message (it runs the inbox's detector, which
   * is too large to ship here), for the message it was asked about: the local trace uses it while
   * the message is unchanged, and the Conversation language field says what it was.
   */
  @state() private detected: { body: string; language: string | null } | null = null;
  /** Bumped by each sample check, so an answer to an older sample never replaces a newer one's. */
  private samplesAsked = 0;
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
  /** The text last typed in each sample tags box, by field name. */
  private readonly typedTags = new Map<string, string>();

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
   * what the actions would do needs the workspace's agents and their load, and the message's
   * language needs the detector, so the server's dry run answers those, and replaces the local
   * trace with its own (they agree: same evaluator, same facts).
   */
  async runSample(): Promise<void> {
    const asked = ++this.samplesAsked;
    const facts = this.localFacts();
    const local = facts && (await this.localTrace(facts));
    if (local && asked === this.samplesAsked) this.setPreview({ leaves: leavesByKey(local), matched: local.result, would: this.preview?.would ?? [], error: '' });
    const sample = this.triggerSample();
    try {
      const r = await this.rest.testWorkflow({ workflow: this.definition, sample });
      if (asked !== this.samplesAsked) return;
      const result = r.results[0]!;
      if (sample.contact.language === null && sample.conversation.language === null) this.detected = { body: sample.message?.body ?? '', language: result.facts.conversation.language };
      this.setPreview({ leaves: leavesByKey(result.draft.conditions), matched: result.draft.matched, would: result.draft.actions.map((a) => a.would), error: '' });
    } catch (error) {
      if (asked !== this.samplesAsked) return;
      const invalid = error instanceof BatonApiError && error.code === 'workflow_invalid';
      this.setPreview({ leaves: new Map(), matched: false, would: [], error: invalid ? 'Fix the problems above to try the sample.' : String((error as Error).message) });
    }
  }

  /** Whether the draft's trigger carries a customer message (the timed ones do not). */
  private get hasMessage(): boolean {
    return triggerDef(this.definition.trigger.event)?.hasMessage !== false;
  }

  /** The sample as the trigger would see it: no message for a timed trigger, as in the runner. */
  private triggerSample(): RuleFacts {
    return this.hasMessage ? this.sample : { ...this.sample, message: null };
  }

  /**
   * The sample as the server reads it (services/workflow-test.ts): the conversation's language is
   * the contact's, else the sample's, else the message's as detected; null while that detection is
   * not known here yet (the server's answer then lights the conditions, without a wrong guess first).
   */
  private localFacts(): RuleFacts | null {
    const s = this.triggerSample();
    const body = s.message?.body ?? '';
    let language = s.contact.language ?? s.conversation.language;
    if (language === null && body.trim() && conditionLeaves(this.definition.conditions).some((l) => l.field === 'conversation.language')) {
      if (this.detected?.body !== body) return null;
      language = this.detected.language;
    }
    return language === s.conversation.language ? s : { ...s, conversation: { ...s.conversation, language } };
  }

  /** The draft's conditions on the sample, in the browser; null while the draft's conditions cannot be evaluated (incomplete). */
  private async localTrace(facts: RuleFacts): Promise<ConditionTrace | null> {
    try {
      const { explainConditions } = await import('@baton/rules/explain');
      return explainConditions(this.definition.conditions, facts);
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

  /**
   * Runs happen while the admin is elsewhere (writing to the inbox as a customer to try the rule):
   * coming back to the page reads the newest again, keeping what is shown until they arrive.
   */
  private readonly pageReturn = new PageReturnController(this, () => {
    if (this.panel === 'runs') void this.loadRuns(false, true);
  });

  /**
   * The newest runs, or with `older` the page after those shown; `keep` leaves the shown ones in
   * place until the answer comes (a refresh), instead of "Loading…". A failure says so (never "No runs").
   */
  private async loadRuns(older = false, keep = false) {
    const asked = ++this.runsAsked;
    const cursor = older ? this.runsCursor : null;
    this.runsError = '';
    if (!older && !keep) this.runs = null;
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
    const p = this.preview;
    // Every field a condition can read (the registry's order, the message last, as it is the
    // widest), and the host attributes this draft's conditions read: nothing a rule tests is
    // out of the sample's reach (but a message, where the trigger has none).
    const text = this.hasMessage ? RULE_FIELDS.filter((f) => f.type === 'text') : [];
    const fields = [...RULE_FIELDS.filter((f) => f.type !== 'text'), ...attributeFields(this.definition.conditions), ...text];
    return html`<section aria-labelledby="sample-title" class="sample">
      <h3 id="sample-title">Try a sample conversation</h3>
      <p class="hint">Each condition in the rule shows whether it holds for this sample and the value it saw.</p>
      <div class="sample-form">${fields.map((f) => this.renderSampleField(f))}</div>
      <p class="sample-result" role="status">${p ? (p.error ? p.error : p.matched ? `Matches: ${readableTimes(p.would.join('; '))}` : 'Does not match this sample.') : 'Checking…'}</p>
    </section>`;
  }

  /** One sample field's control, by the field's type, as the conditions on it compare it. */
  private renderSampleField(f: FieldDef & { valueType?: AttributeValueType }): TemplateResult {
    const path = samplePath(f.name);
    const value = getAt(this.sample, path);
    const label = f.label.charAt(0).toUpperCase() + f.label.slice(1);
    const set = (v: unknown) => this.setSample(path, v);
    const text = (e: Event) => (e.target as HTMLInputElement).value;
    switch (f.type) {
      case 'text':
        return html`<label class="wide">${label} <textarea rows="2" .value=${live(String(value ?? ''))} @input=${(e: Event) => set(text(e))}></textarea></label>`;
      case 'tags': {
        // Read on every keystroke, as the message is (the check is debounced in `scheduleSample`).
        // The box keeps what was typed while it says the same tags: "VIP, " is the list "VIP" is,
        // and writing the list back would take the comma from under the caret.
        const tags = value as string[];
        const typed = this.typedTags.get(f.name);
        const shown = typed !== undefined && same(splitTags(typed), tags) ? typed : tags.join(', ');
        return html`<label>${label} <input .value=${live(shown)} @input=${(e: Event) => {
          this.typedTags.set(f.name, text(e));
          set(splitTags(text(e)));
        }} /></label>`;
      }
      case 'number':
        return html`<label>${label} <input type="number" min=${f.min ?? nothing} max=${f.max ?? nothing} .value=${live(String(value))}
          @change=${(e: Event) => set(Math.max(f.min ?? -Infinity, Math.min(f.max ?? Infinity, Number(text(e)) || 0)))} /></label>`;
      case 'enum': {
        const options = f.valuesFrom === 'teams' ? this.workspace.teams.map((t) => ({ value: t.id, label: t.name })) : (f.values ?? []);
        // Where the trigger carries a message, an unset language is the one detected in it.
        const language = f.name === 'conversation.language' && this.hasMessage;
        const none = language ? 'From the message' : f.valuesFrom === 'teams' ? 'No team' : 'Not set';
        const select = html`<label>${label} <select aria-describedby=${language ? 'detected' : nothing} @change=${(e: Event) => set(text(e) || null)}>
            ${f.nullable ? html`<option value="" ?selected=${value === null}>${none}</option>` : nothing}
            ${options.map((o) => html`<option value=${o.value} ?selected=${o.value === value}>${o.label}</option>`)}</select></label>`;
        // The hint sits beside the label, not in it, so it describes the field without being its name.
        return language ? html`<div class="field">${select}<span id="detected" class="hint">${this.languageSource()}</span></div>` : select;
      }
      default:
        // Free text, and host attributes typed as this draft's conditions compare them.
        return html`<label>${label} <input .value=${live(value === null || value === undefined ? '' : String(value))}
          @change=${(e: Event) => set(sampleValue(text(e), f))} /></label>`;
    }
  }

  /** Where the sample conversation's language comes from, while the field says "From the message". */
  private languageSource(): string {
    const s = this.sample;
    if (s.conversation.language !== null) return '';
    const name = (code: string | null) => LANGUAGE_OPTIONS.find((o) => o.value === code)?.label ?? code;
    if (s.contact.language !== null) return `The contact's: ${name(s.contact.language)}`;
    const body = s.message?.body ?? '';
    if (!body.trim()) return 'Write a message to detect it';
    if (this.detected?.body !== body) return 'Detecting…';
    return this.detected.language === null ? 'Not clear from the message' : `Detected: ${name(this.detected.language)}`;
  }

  private renderHistory(): TemplateResult {
    const name = (id: string | null) => this.workspace.agents.find((a) => a.id === id)?.name ?? 'the server';
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
        ${(this.versions ?? []).map((v, _, all) => {
          const diff = this.versionDiff === v.version ? diffLines(v.definition, this.definition, this.workspace) : null;
          const before = all.find((o) => o.version === v.version - 1);
          return html`<li>
            <strong>Version ${v.version}</strong> · ${v.version === 1 || before ? html`${versionChanges(before?.definition, v.definition)} · ` : nothing}published by ${name(v.publishedBy)}, ${absoluteTime(v.publishedAt)}
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
    const when = dateFormat({ dateStyle: 'medium', timeStyle: 'medium' });
    return html`<section aria-labelledby="runs-title">
      <h3 id="runs-title">Runs of the live version</h3>
      <label>Outcome <select @change=${(e: Event) => {
        this.runFilter = (e.target as HTMLSelectElement).value as RunOutcome | '';
        void this.loadRuns();
      }}>${OUTCOME_FILTER.map(([v, l]) => html`<option value=${v} ?selected=${v === this.runFilter}>${l}</option>`)}</select></label>
      <button type="button" @click=${() => void this.loadRuns(false, true)}>Refresh</button>
      ${this.runs === null
        ? html`<p>Loading…</p>`
        : this.runs.length === 0 && !this.runsError
          ? html`<p>No runs${this.runFilter ? ' with this outcome' : ''} yet.</p>`
          : nothing}
      <ol class="runs">
        ${(this.runs ?? []).map(
          (r) => html`<li>
            <strong>${OUTCOME_LABELS[r.outcome]}</strong> · version ${r.version} · ${when.format(new Date(r.createdAt))} ·
            ${templateLink(this.conversationHref, r.conversationId, r.contactName ?? 'a conversation no longer kept')}
            <ul>
              ${leaves(r.conditions).map((l) => html`<li class=${l.result ? 'held' : 'missed'}>${leafText(l, this.workspace)}</li>`)}
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

type AttributeValueType = 'string' | 'number' | 'boolean';

/** Where a field's value sits in the sample (`message.body` is the message object's body). */
function samplePath(name: string): string[] {
  if (name.startsWith(ATTRIBUTE_FIELD_PREFIX)) return ['contact', 'attributes', name.slice(ATTRIBUTE_FIELD_PREFIX.length)];
  return name.split('.');
}

/**
 * The host attributes the conditions read, as sample fields, each typed as its conditions compare
 * it (a number compared with `gt` 100 takes "150" as 150; a string "02134" stays a string).
 */
function attributeFields(root: ConditionNode | undefined): (FieldDef & { valueType: AttributeValueType })[] {
  const types = new Map<string, AttributeValueType>();
  for (const leaf of conditionLeaves(root)) {
    if (!leaf.field.startsWith(ATTRIBUTE_FIELD_PREFIX) || types.has(leaf.field)) continue;
    const first: unknown = Array.isArray(leaf.value) ? leaf.value[0] : leaf.value;
    types.set(leaf.field, typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'boolean' : 'string');
  }
  return [...types].map(([name, valueType]) => ({
    name,
    label: name.slice(ATTRIBUTE_FIELD_PREFIX.length).replace(/_/g, ' '),
    description: '',
    type: 'attribute',
    nullable: true,
    operators: [],
    valueType,
  }));
}

/** A tags box's text as the list of tags it names: comma-separated, spaces and empty entries dropped. */
const splitTags = (text: string) => text.split(',').map((x) => x.trim()).filter(Boolean);
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** What a text box holds, as the field's value: null when empty, a number or boolean where the conditions compare it as one. */
function sampleValue(text: string, f: FieldDef & { valueType?: AttributeValueType }): unknown {
  // An attribute left empty is left out, as a contact without it has none.
  if (text === '') return f.type === 'attribute' ? undefined : f.nullable ? null : '';
  if (f.valueType === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (f.valueType === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
