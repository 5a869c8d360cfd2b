import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { BatonApiError, type BatonRestClient } from '@baton/client/rest';
import type {
  AssignAction,
  AssignStep,
  ConditionNode,
  DryRunResult,
  RuleAction,
  RuleCondition,
  Workflow,
  WorkflowDefinition,
  WorkflowValidationError,
  WorkflowValidationWarning,
  WorkflowVersion,
} from '@baton/protocol';
import {
  PRIORITY_OPTIONS,
  RULE_FIELDS,
  TRIGGERS,
  triggerDef,
  operatorLabel,
  resolveField,
  type FieldDef,
  type OperatorName,
  type TriggerEvent,
} from '@baton/protocol/rule-fields';
import { describeConditions, describeSeen, eligibleAgents, queueTeamOf, type RoutingAgent } from '@baton/rules';
import { TagSuggestionsController } from '@baton/ui/tag-suggestions';
import { baseStyles } from '@baton/ui/tokens';
import { fire } from '../events.js';
import {
  canonicalJson,
  ACTION_LABELS,
  addToGroup,
  childrenOf,
  getAt,
  groupKind,
  indent,
  insertAt,
  moveAt,
  newAction,
  newCondition,
  newStep,
  outdent,
  pathKey,
  removeAt,
  removeCondition,
  rootConditions,
  setAt,
  setConditionField,
  setConditionOp,
  setGroupKind,
  ungroup,
  withRoot,
  wrapInGroup,
  type ActionType,
  type GroupKind,
  type Path,
} from '../model/definition.js';
import { History } from '../model/history.js';
import { localDrafts } from '../model/local-drafts.js';
import { byControl, controlFor, plainIssue } from '../model/problems.js';
import { buildRows, kindLabel, type Row } from '../model/rows.js';
import type { Workspace } from '../workspace-context.js';
import { valueEditor, type ControlAttrs } from './value-editors.js';
import { workflowEditorStyles } from './workflow-editor.styles.js';
import { differs, renderDryRun, type DryRunState } from './dry-run.js';
import { describeAction, diffLines, strategyWords } from './describe-action.js';
import type { TraceLeaf } from '../model/traces.js';



const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
const idOf = (key: string) => `p-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export type SaveState = 'saved' | 'pending' | 'saving' | 'invalid' | 'offline' | 'conflict';

/**
 * The editor of one workflow: the rule as a WAI-ARIA treegrid (one shadow root, roving
 * tabindex), undo/redo over every edit, autosave to the server (`If-Match`) and to IndexedDB,
 * the conflict screen, the server validator's findings on the exact control, publish, and the
 * dry run over recent conversations.
 */
export class WorkflowEditor extends LitElement {
  static override styles = [baseStyles, workflowEditorStyles];

  @property({ attribute: false }) workflow!: Workflow;
  @property({ attribute: false }) rest!: BatonRestClient;
  @property({ attribute: false }) workspace: Workspace = { teams: [], agents: [], me: null };
  /** The host's page for a conversation (`<workflow-builder conversation-href>`). */
  @property({ attribute: false }) conversationHref = '';
  /** Says something politely (the root's live region). */
  @property({ attribute: false }) announcer: (text: string) => void = () => {};
  /** Milliseconds between the last edit and the server autosave. */
  @property({ type: Number, attribute: 'autosave-delay' }) autosaveDelay = 800;

  private history!: History<WorkflowDefinition>;
  /** The server workflow the edits are based on: its `draftVersion` is the next save's `If-Match`. */
  @state() private base!: Workflow;
  @state() private saveState: SaveState = 'saved';
  @state() private errors: WorkflowValidationError[] = [];
  @state() private warnings: WorkflowValidationWarning[] = [];
  @state() private collapsed = new Set<string>();
  @state() private activeKey = 'trigger';
  @state() private conflict: Workflow | null = null;
  @state() private reviewing = false;
  @state() private localOffer: { definition: WorkflowDefinition; baseVersion: number; savedAt: number } | null = null;
  @state() private dryRun: DryRunState | null = null;
  @state() private publishing = false;
  /** The sample's trace by condition row key (from `<wb-editor-tools>`), lighting up the rows. */
  @state() private preview: Map<string, TraceLeaf> | null = null;
  @state() private message = '';

  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> | null = null;
  private rows: Row[] = [];

  /**
   * The workspace's tags in use for every tag field (conditions on tags, Add/Remove tags): the
   * first page once the editor shows, then by prefix as the admin types past a full first page.
   * One for the editor: the focused field says what is typed.
   */
  private readonly tagSuggestions = new TagSuggestionsController(this, {
    rest: () => this.rest,
    fallback: () => this.latestConversationTags(),
  });
  /** The latest conversations' tags, read once when the server has no `GET /v1/tags` (an older one). */
  private recentTags: string[] | undefined;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('workflow') && (!this.base || this.workflow.id !== this.base.id)) {
      this.history = new History(this.workflow.draft);
      this.base = this.workflow;
      void this.checkLocalDraft();
    } else if (changed.has('workflow') && this.localOffer && same(this.localOffer.definition, this.workflow.draft)) {
      // The builder heard of a newer server draft (an earlier editor's save on leaving landed): it
      // holds what the browser held, so there is nothing left to restore.
      this.localOffer = null;
    }
    if (changed.has('rest')) this.tagSuggestions.load();
  }

  private latestConversationTags(): string[] {
    if (!this.recentTags && this.rest) {
      this.recentTags = [];
      this.rest.listConversations({ view: 'all', limit: 100 }).then(
        ({ items }) => {
          this.recentTags = [...new Set(items.flatMap((c) => c.tags))];
          this.requestUpdate();
        },
        () => undefined,
      );
    }
    return this.recentTags ?? [];
  }

  /** A tag field's suggestions and what it tells of typing: the workspace's tags, then those the rules name. */
  private tagField(set: unknown): { suggestions: string[]; onType: (text: string) => void } {
    const chosen = Array.isArray(set) ? set.map(String) : [];
    const inUse = this.tagSuggestions.list(chosen).map((t) => t.name);
    const skip = new Set([...inUse, ...chosen]);
    return {
      suggestions: [...inUse, ...(this.workspace.tags ?? []).filter((t) => !skip.has(t))],
      onType: (text) => this.tagSuggestions.typed(text),
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('beforeunload', this.onBeforeUnload);
    window.addEventListener('pagehide', this.onPageHide);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    window.removeEventListener('pagehide', this.onPageHide);
    super.disconnectedCallback();
    // Leaving with edits not yet sent: send them now (IndexedDB already has them).
    this.flush();
  }

  /** Starts the autosave now if one is waiting for its delay. */
  private flush() {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.save();
  }

  /**
   * The host page navigating away while an edit waits for the autosave delay or is on its way:
   * the save starts at once and the browser asks "Leave site?", so staying gives it time to land.
   * With nothing unsent there is no prompt (offline and refused edits are in IndexedDB and are
   * offered on the next open; a prompt would not get them to the server).
   */
  private readonly onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (!this.timer && !this.saving) return;
    this.flush();
    e.preventDefault();
    // Chrome before 119 and Safari still want `returnValue` set to show the prompt.
    e.returnValue = '';
  };

  /**
   * The page is going (a mobile browser may fire no `beforeunload`, or the admin chose Leave): send
   * what waits, best effort. Not a `keepalive` fetch: the REST client takes no such option, and its
   * token may have to be fetched first; what does not arrive is in IndexedDB and offered next time.
   */
  private readonly onPageHide = () => this.flush();

  get definition(): WorkflowDefinition {
    return this.history.present;
  }

  /** Focuses the tree's active row. */
  async focusTree(): Promise<void> {
    await this.updateComplete;
    this.rowEl(this.activeKey)?.focus();
  }

  // ── Edits ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Every change goes through here: one history entry (typing coalesces per control), the
   * browser copy written, the server autosave scheduled.
   */
  private edit(next: WorkflowDefinition, label: string, opts: { control?: string; coalesce?: boolean; focus?: string; announce?: boolean } = {}) {
    if (next === this.definition) return;
    this.rowOf.set(this.definition, this.activeKey);
    if (opts.focus !== undefined) this.rowOf.set(next, opts.focus);
    this.history.apply(next, label, opts.coalesce ? opts.control : undefined);
    this.changed();
    if (opts.announce) this.announcer(`${label}.`);
    if (opts.focus !== undefined) void this.focusRow(opts.focus);
  }

  private changed() {
    this.requestUpdate();
    void localDrafts.put({ workflowId: this.base.id, definition: this.definition, baseVersion: this.base.draftVersion, savedAt: Date.now() });
    if (this.conflict) return;
    this.saveState = 'pending';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.autosaveDelay);
  }

  undo(): void {
    this.stepped('Undid', this.history.undo());
  }

  redo(): void {
    this.stepped('Redid', this.history.redo());
  }

  /** After an undo or redo (`label` null when there was nothing to step): save, say so, keep focus. */
  private stepped(verb: 'Undid' | 'Redid', label: string | null) {
    if (label === null) return;
    this.changed();
    this.announcer(`${verb}: ${label}.`);
    void this.keepFocus();
  }

  /**
   * Each definition the history holds, with the row that was current in it (when it was left by an
   * edit, or reached by one that moves focus): where an undo or redo back to it puts the focus, so
   * undoing a Delete focuses the row it brings back.
   */
  private readonly rowOf = new WeakMap<WorkflowDefinition, string>();

  /**
   * After undo/redo: from the tree, focus goes to the row the step is about; elsewhere (the Undo
   * button) it stays where it was, unless that is gone, then the nearest row.
   */
  private async keepFocus() {
    await this.updateComplete;
    const active = this.shadowRoot!.activeElement;
    const about = this.rowOf.get(this.definition);
    if (about && active?.closest('[role="treegrid"]') && this.rows.some((r) => r.key === about)) return this.focusRow(about);
    if (active && active.isConnected) return;
    const key = this.rows.some((r) => r.key === this.activeKey) ? this.activeKey : (this.rows[Math.min(this.rows.length - 1, 1)]?.key ?? 'trigger');
    await this.focusRow(key);
  }

  // ── Server ─────────────────────────────────────────────────────────────────────────────────

  /** Sends the draft (waits for a save already running, then sends what changed since). */
  async save(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.saving) await this.saving;
    if (this.conflict) return;
    const draft = this.definition;
    if (same(draft, this.base.draft)) {
      // Back to what the server holds, which it accepted: nothing to fix, nothing to send.
      this.errors = [];
      this.saveState = 'saved';
      void localDrafts.delete(this.base.id);
      return;
    }
    this.saveState = 'saving';
    this.saving = (async () => {
      try {
        const r = await this.rest.updateWorkflow(this.base.id, draft, { ifMatch: this.base.draftVersion });
        this.base = r.workflow;
        const untouched = this.definition === draft;
        // Nothing edited since it was sent: the server's copy (skills and tags in lower case) is the
        // draft now. Otherwise the two would differ for good and every save would ask for another.
        if (untouched && !same(draft, r.workflow.draft)) this.history.respell(r.workflow.draft);
        this.errors = [];
        this.warnings = r.warnings;
        // The browser's record was replaced by these edits (`changed` writes it) and they are on the
        // server now: the offer's copy is older than both, and restoring it would undo them.
        this.localOffer = null;
        this.saveState = same(this.definition, r.workflow.draft) ? 'saved' : 'pending';
        if (untouched) void localDrafts.delete(this.base.id);
        fire(this, 'workflow-save', { workflow: r.workflow });
        this.dispatchEvent(new CustomEvent('wb-workflow-changed', { detail: r.workflow }));
      } catch (error) {
        this.onServerError(error);
      } finally {
        this.saving = null;
      }
    })();
    await this.saving;
    if ((this.saveState as SaveState) === 'pending' && !this.timer) await this.save();
  }

  private onServerError(error: unknown) {
    if (error instanceof BatonApiError) {
      if (error.code === 'version_conflict') {
        const current = (error.details as { workflow?: Workflow } | undefined)?.workflow;
        this.conflict = current ?? this.base;
        this.saveState = 'conflict';
        return;
      }
      if (error.code === 'validation_failed' && Array.isArray(error.details)) {
        // A shape problem outside the condition tree (an empty tag list, an empty note): the
        // schema's issues, at their paths like the validator's errors.
        this.errors = (error.details as { path: (string | number)[]; message: string }[]).map((i) => ({ path: i.path, code: 'invalid' as const, message: plainIssue(i.path, i.message) }));
        this.saveState = 'invalid';
        return;
      }
      if (error.code === 'workflow_invalid') {
        const details = error.details as { errors: WorkflowValidationError[]; warnings: WorkflowValidationWarning[] };
        this.errors = details.errors;
        this.warnings = details.warnings;
        this.saveState = 'invalid';
        return;
      }
      if (error.status === 0 || error.status === 401 || error.status >= 500) {
        this.saveState = 'offline';
        this.message = error.status === 401 ? 'Your session expired: changes are kept in this browser until you sign in again.' : 'The server did not answer: changes are kept in this browser.';
        return;
      }
    }
    this.saveState = 'offline';
    this.message = error instanceof Error ? error.message : String(error);
  }

  get canPublish(): boolean {
    return !this.publishing && !this.conflict && this.errors.length === 0 && (this.saveState === 'saved' || this.saveState === 'pending') && (this.base.hasUnpublishedChanges || !same(this.definition, this.base.draft));
  }

  /**
   * Publish stays focusable while it cannot publish (aria-disabled), so pressing it says why; with
   * problems to fix, focus goes to the first of them, as an error summary does after a failed submit.
   */
  private readonly onPublishClick = () => {
    if (this.canPublish) return void this.publish();
    const n = this.errors.length;
    this.announcer(
      n
        ? `Can’t publish: ${this.problemCount()} to fix.`
        : this.saveState === 'saving' || this.publishing
          ? 'Can’t publish yet: still saving.'
          : this.conflict || this.saveState === 'offline'
            ? 'Can’t publish: the draft is not saved.'
            : 'Nothing to publish: the live version is this draft.',
    );
    if (n) this.renderRoot.querySelector<HTMLElement>('.problem-list button')?.focus();
  };

  private problemCount(): string {
    const n = this.errors.length;
    return `${n} ${n === 1 ? 'problem' : 'problems'}`;
  }

  /** What the save state last announced: said when it becomes a problem, and once when that is over. */
  private saidState = '';

  override updated(changed: Map<string, unknown>): void {
    if (!changed.has('saveState') && !changed.has('errors') && !changed.has('message')) return;
    const s = this.saveState;
    const text = s === 'invalid' ? `Not saved: ${this.problemCount()} to fix.` : s === 'offline' ? this.message || 'Not saved: kept in this browser.' : '';
    // A conflict has its own alert; "saving" and "pending" come and go with every edit.
    if (s === 'conflict' || s === 'saving' || s === 'pending' || text === this.saidState) return;
    if (text || s === 'saved') this.announcer(text || 'All changes saved.');
    this.saidState = text;
  }

  async publish(): Promise<void> {
    if (this.timer || !same(this.definition, this.base.draft)) await this.save();
    if (this.errors.length || this.conflict || this.saveState !== 'saved') return;
    this.publishing = true;
    try {
      const r = await this.rest.publishWorkflow(this.base.id, { ifMatch: this.base.draftVersion });
      this.base = r.workflow;
      this.warnings = r.warnings;
      void localDrafts.delete(this.base.id);
      fire(this, 'workflow-publish', { workflow: r.workflow });
      this.dispatchEvent(new CustomEvent('wb-workflow-changed', { detail: r.workflow }));
      this.announcer(`Published version ${r.workflow.published?.version ?? ''}.`);
    } catch (error) {
      this.onServerError(error);
    } finally {
      this.publishing = false;
    }
  }

  // ── Conflicts and the browser copy ─────────────────────────────────────────────────────────

  private conflictSentence(theirs: Workflow): string {
    const mine = this.base.published?.version ?? 0;
    const name = (id: string | null | undefined) => this.workspace.agents.find((a) => a.id === id)?.name.split(' ')[0] ?? 'Another admin';
    if (theirs.published && theirs.published.version > mine) {
      return `${name(theirs.published.publishedBy)} published a newer version at ${clock.format(new Date(theirs.published.publishedAt))}`;
    }
    return `${theirs.draftUpdatedBy ? name(theirs.draftUpdatedBy) : 'Someone'} saved a newer draft at ${clock.format(new Date(theirs.updatedAt))}`;
  }

  /** Keep mine: save my draft over theirs, knowingly (the next save's If-Match is their version). */
  async keepMine(): Promise<void> {
    const theirs = this.conflict!;
    this.base = theirs;
    this.conflict = null;
    this.reviewing = false;
    this.dispatchEvent(new CustomEvent('wb-workflow-changed', { detail: theirs }));
    await this.save();
    this.announcer('Your changes were saved over the newer version.');
  }

  /** Discard mine: take their draft (an edit, so undo brings mine back). */
  discardMine(): void {
    const theirs = this.conflict!;
    this.base = theirs;
    this.conflict = null;
    this.reviewing = false;
    this.errors = [];
    this.history.apply(theirs.draft, 'Discard my changes');
    this.saveState = 'saved';
    void localDrafts.delete(theirs.id);
    this.dispatchEvent(new CustomEvent('wb-workflow-changed', { detail: theirs }));
    this.announcer('Your changes were discarded; showing the newer version.');
  }

  private async checkLocalDraft() {
    const history = this.history;
    const local = await localDrafts.get(this.workflow.id);
    // An edit made while IndexedDB answered wrote its own record: that is this editor's draft,
    // which the autosave sends, not changes from an earlier visit.
    if (history !== this.history || history.canUndo || history.canRedo) return;
    // Compared with the newest server draft this editor knows (a save may have landed meanwhile).
    if (local && !same(local.definition, this.base.draft)) this.localOffer = local;
  }

  private restoreLocal() {
    const local = this.localOffer!;
    this.localOffer = null;
    // Edits made on an older server draft save with that version: a newer one on the server conflicts.
    if (local.baseVersion !== this.base.draftVersion) this.base = { ...this.base, draftVersion: local.baseVersion };
    this.edit(local.definition, 'Restore unsaved changes', { announce: true });
  }

  private discardLocal() {
    this.localOffer = null;
    void localDrafts.delete(this.base.id);
  }

  // ── Dry run ────────────────────────────────────────────────────────────────────────────────

  /**
   * The definitions of the versions the replayed runs used: the live one, and the earlier ones read
   * when some run was of one (none of those if they cannot be read: types and paths only).
   */
  private async versionsRan(results: readonly DryRunResult[], live: WorkflowVersion | null): Promise<Map<number, WorkflowDefinition>> {
    const versions = new Map(live ? [[live.version, live.definition]] : []);
    if (!results.some((x) => x.published && !versions.has(x.published.version))) return versions;
    try {
      for (const v of (await this.rest.workflowVersions(this.base.id)).items) versions.set(v.version, v.definition);
    } catch {
      // Compared by path alone.
    }
    return versions;
  }

  async runDryRun(last = 20): Promise<void> {
    this.dryRun = { last, loading: true, rows: [], error: '' };
    // Compared with the draft as sent and the live version as it was: edits made while it runs
    // belong to the next replay.
    const draft = this.definition;
    const live = this.base.published;
    try {
      const r = await this.rest.testWorkflow({ workflow: draft, workflowId: this.base.id, last });
      const versions = await this.versionsRan(r.results, live);
      const rows = r.results.map((result) => ({ result, changed: differs(result, draft, versions) })).sort((a, b) => Number(b.changed) - Number(a.changed));
      this.dryRun = { last, loading: false, rows, error: '' };
      this.announcer(`Tested on ${rows.length} conversations: ${rows.filter((row) => row.changed).length} would change.`);
    } catch (error) {
      if (error instanceof BatonApiError && error.code === 'workflow_invalid') {
        const details = error.details as { errors: WorkflowValidationError[]; warnings: WorkflowValidationWarning[] };
        this.errors = details.errors;
      }
      this.dryRun = { last, loading: false, rows: [], error: error instanceof Error ? error.message : String(error) };
    }
  }

  // ── Focus and keys ─────────────────────────────────────────────────────────────────────────

  private rowEl(key: string): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`[role="row"][data-key="${CSS.escape(key)}"]`);
  }

  async focusRow(key: string): Promise<void> {
    this.activeKey = key;
    await this.updateComplete;
    this.rowEl(key)?.focus();
  }

  /** Focuses the control a finding belongs to (expanding what hides it), or its row. */
  async focusControl(key: string): Promise<void> {
    const row = this.rowOfControl(key);
    if (row) {
      const collapsed = new Set(this.collapsed);
      for (let k = row; k; k = this.parentKeyOf(k)) collapsed.delete(k);
      this.collapsed = collapsed;
      this.activeKey = row;
    }
    await this.updateComplete;
    const target = key === 'name' ? this.renderRoot.querySelector<HTMLElement>('#name') : (this.renderRoot.querySelector<HTMLElement>(`[data-path="${CSS.escape(key)}"]`) ?? (row ? this.rowEl(row) : null));
    target?.focus();
  }

  private parentKeyOf(key: string): string {
    const rows = buildRows(this.definition, new Set());
    return rows.find((r) => r.key === key)?.parentKey ?? '';
  }

  private rowOfControl(key: string): string {
    if (key === 'name' || key === '') return '';
    if (key.startsWith('trigger')) return 'trigger';
    const rows = buildRows(this.definition, new Set());
    let best = '';
    for (const r of rows) if ((key === r.key || key.startsWith(`${r.key}.`)) && r.key.length > best.length) best = r.key;
    return best;
  }

  private onKeydown(e: KeyboardEvent) {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && !e.altKey && (e.key === 'z' || e.key === 'Z')) {
      e.preventDefault();
      if (e.shiftKey) this.redo();
      else this.undo();
      return;
    }
    if (mod && !e.altKey && !e.shiftKey && e.key === 'y') {
      e.preventDefault();
      this.redo();
    }
  }

  private onTreeKeydown(e: KeyboardEvent) {
    const target = e.target as HTMLElement;
    const rowEl = target.closest<HTMLElement>('[role="row"]');
    if (!rowEl) return;
    const key = rowEl.dataset.key!;
    const index = this.rows.findIndex((r) => r.key === key);
    const row = this.rows[index];
    if (!row) return;
    if (target !== rowEl) {
      // In a control: Escape goes back to the row.
      if (e.key === 'Escape') {
        e.preventDefault();
        rowEl.focus();
      }
      return;
    }
    if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      this.moveRow(row, e.key === 'ArrowUp' ? -1 : 1);
      return;
    }
    if (e.altKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight') && (row.kind === 'condition' || row.kind === 'group')) {
      e.preventDefault();
      const out = e.key === 'ArrowLeft';
      const moved = out ? outdent(this.definition, row.path) : indent(this.definition, row.path);
      if (!moved) {
        this.announcer(out ? 'Not inside a group.' : 'No group above to move into.');
        return;
      }
      this.edit(moved.def, out ? `Moved ${this.nodeWord(row)} out of its group` : `Moved ${this.nodeWord(row)} into the group above`, { focus: pathKey(moved.path), announce: true });
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const go = (i: number) => {
      e.preventDefault();
      const next = this.rows[Math.max(0, Math.min(this.rows.length - 1, i))];
      if (next) void this.focusRow(next.key);
    };
    switch (e.key) {
      case 'ArrowDown':
        return go(index + 1);
      case 'ArrowUp':
        return go(index - 1);
      case 'Home':
        return go(0);
      case 'End':
        return go(this.rows.length - 1);
      case 'ArrowRight':
        e.preventDefault();
        if (row.parent && this.collapsed.has(key)) this.setCollapsed(key, false);
        else if (row.parent && this.rows[index + 1]?.parentKey === key) void this.focusRow(this.rows[index + 1]!.key);
        return;
      case 'ArrowLeft':
        e.preventDefault();
        if (row.parent && !this.collapsed.has(key)) this.setCollapsed(key, true);
        else if (row.parentKey) void this.focusRow(row.parentKey);
        return;
      case 'Enter':
      case 'F2': {
        e.preventDefault();
        rowEl.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
        return;
      }
      case 'Delete':
        e.preventDefault();
        this.deleteRow(row);
        return;
    }
  }

  private setCollapsed(key: string, collapsed: boolean) {
    const next = new Set(this.collapsed);
    if (collapsed) next.add(key);
    else next.delete(key);
    this.collapsed = next;
  }

  private onFocusIn(e: FocusEvent) {
    const row = (e.composedPath()[0] as HTMLElement).closest?.<HTMLElement>('[role="row"]');
    if (row?.dataset.key && row.dataset.key !== this.activeKey) this.activeKey = row.dataset.key;
  }

  // ── Structural edits (buttons and keys share these) ────────────────────────────────────────

  private nodeWord(row: Row): string {
    if (row.kind === 'condition') return 'condition';
    if (row.kind === 'group') return 'group';
    if (row.kind === 'action') return 'action';
    return 'step';
  }

  private movable(row: Row): boolean {
    const last = row.path[row.path.length - 1];
    return (row.kind === 'condition' || row.kind === 'group' || row.kind === 'action' || row.kind === 'step') && typeof last === 'number';
  }

  moveRow(row: Row, delta: -1 | 1): void {
    if (!this.movable(row)) return;
    const moved = moveAt(this.definition, row.path, delta);
    if (!moved) {
      this.announcer(`Already ${delta < 0 ? 'first' : 'last'}.`);
      return;
    }
    const position = (moved.path[moved.path.length - 1] as number) + 1;
    this.edit(moved.root, `Moved ${this.nodeWord(row)} to position ${position} of ${row.setsize}`, { focus: pathKey(moved.path), announce: true });
  }

  deleteRow(row: Row): void {
    // The child of a `not` takes the `not` with it (`removeCondition`): focus and words follow what goes.
    let gone = row;
    while (gone.path[gone.path.length - 1] === 'not') gone = this.rows.find((r) => r.key === gone.parentKey)!;
    // Then focus goes to the previous sibling, else the parent: rows before the deleted one keep their keys.
    const before = this.rows.find((r) => r.parentKey === gone.parentKey && r.posinset === gone.posinset - 1)?.key || gone.parentKey || 'trigger';
    if (row.kind === 'condition' || (row.kind === 'group' && row.path.length > 1)) {
      this.edit(removeCondition(this.definition, row.path), `Deleted ${this.nodeWord(row)}${gone === row ? '' : ' and its “not” group'}`, { focus: before, announce: true });
    } else if (row.kind === 'action') {
      this.edit(removeAt(this.definition, row.path), 'Deleted action', { focus: before, announce: true });
    } else if (row.kind === 'step') {
      this.edit(removeAt(this.definition, row.path), 'Deleted step', { focus: before, announce: true });
    }
  }

  /** Shows the children of the row at `path` (a group or an assign action) before one is added there. */
  private expand(path: Path) {
    if (this.collapsed.has(pathKey(path))) this.setCollapsed(pathKey(path), false);
  }

  private addCondition(groupPath: Path) {
    this.expand(groupPath);
    const r = addToGroup(this.definition, groupPath, newCondition());
    this.edit(r.def, 'Added condition', { focus: pathKey(r.path), announce: true });
  }

  private addGroup(groupPath: Path, kind: 'all' | 'any') {
    const node: ConditionNode = kind === 'all' ? { all: [newCondition()] } : { any: [newCondition()] };
    this.expand(groupPath);
    const r = addToGroup(this.definition, groupPath, node);
    this.edit(r.def, `Added ${kind === 'all' ? '“all of”' : '“any of”'} group`, { focus: pathKey(r.path), announce: true });
  }

  private wrap(row: Row, kind: GroupKind) {
    const words = { all: '“all of”', any: '“any of”', not: '“not”' }[kind];
    this.edit(wrapInGroup(this.definition, row.path, kind), `Wrapped in ${words} group`, { focus: row.key, announce: true });
  }

  private unwrap(row: Row) {
    this.edit(ungroup(this.definition, row.path), 'Ungrouped', { focus: row.key, announce: true });
  }

  private addAction(type: ActionType) {
    const def = this.definition;
    const next = insertAt(def, ['actions'], def.actions.length, newAction(type, this.workspace));
    this.edit(next, `Added action ${ACTION_LABELS[type]}`, { focus: pathKey(['actions', def.actions.length]), announce: true });
  }

  private addStep(actionPath: Path) {
    const steps = (getAt(this.definition, [...actionPath, 'steps']) as AssignStep[]) ?? [];
    this.expand(actionPath);
    const next = insertAt(this.definition, [...actionPath, 'steps'], steps.length, newStep(this.workspace));
    this.edit(next, `Added step ${steps.length + 1}`, { focus: pathKey([...actionPath, 'steps', steps.length]), announce: true });
  }

  /** Sets a value at a control's path (undefined removes an optional key). */
  private set(path: Path, value: unknown, label: string, coalesce = false) {
    this.edit(setAt(this.definition, path, value), label, { control: pathKey(path), coalesce });
  }

  // ── Rendering helpers ──────────────────────────────────────────────────────────────────────

  private tab(rowKey: string): number {
    return rowKey === this.activeKey ? 0 : -1;
  }

  private problemsOf(key: string) {
    const errors = this.errorMap.get(key) ?? [];
    const warnings = this.warningMap.get(key) ?? [];
    // Every error the list above names is at its control too: an action just added and left
    // empty says "Add at least one tag." where the tags go, not only at the top.
    return { errors, warnings };
  }

  private attrs(key: string, rowKey: string): ControlAttrs {
    const p = this.problemsOf(key);
    return { key, tabindex: this.tab(rowKey), describedBy: p.errors.length || p.warnings.length ? idOf(key) : '', invalid: p.errors.length > 0 };
  }

  private problems(key: string): TemplateResult | typeof nothing {
    const p = this.problemsOf(key);
    if (!p.errors.length && !p.warnings.length) return nothing;
    return html`<span class="problems" id=${idOf(key)}>
      ${p.errors.map((e) => html`<span class="error">${e.message}</span>`)}
      ${p.warnings.map((w) => html`<span class="warning">Warning: ${w.message}</span>`)}
    </span>`;
  }

  private errorMap = new Map<string, WorkflowValidationError[]>();
  private warningMap = new Map<string, WorkflowValidationWarning[]>();

  /** A row's buttons, each named with its row ("Delete condition: contact language is Spanish"), not "Delete" ×4. */
  private rowButtons(row: Row, label: string): TemplateResult {
    const t = this.tab(row.key);
    const of = (verb: string) => `${verb} ${label.charAt(0).toLowerCase()}${label.slice(1)}`;
    const last = row.path[row.path.length - 1];
    const movable = this.movable(row);
    return html`<div role="gridcell" class="row-buttons">
      ${movable
        ? html`<button type="button" tabindex=${t} ?disabled=${last === 0} title="Alt+↑" aria-label=${of('Move up')} @click=${() => this.moveRow(row, -1)}><span aria-hidden="true">↑</span></button
          ><button type="button" tabindex=${t} ?disabled=${(last as number) >= row.setsize - 1 - (row.kind === 'step' ? 1 : 0)} title="Alt+↓" aria-label=${of('Move down')} @click=${() => this.moveRow(row, 1)}><span aria-hidden="true">↓</span></button>`
        : nothing}
      ${row.kind === 'condition' || (row.kind === 'group' && row.path.length > 1)
        ? html`<button type="button" tabindex=${t} aria-label=${of('Group')} @click=${() => this.wrap(row, 'any')}>Group</button
          ><button type="button" tabindex=${t} aria-label=${of('Negate')} @click=${() => this.wrap(row, 'not')}>Negate</button>`
        : nothing}
      ${row.kind === 'group' && row.path.length > 1 ? html`<button type="button" tabindex=${t} aria-label=${of('Ungroup')} @click=${() => this.unwrap(row)}>Ungroup</button>` : nothing}
      ${row.kind === 'condition' || (row.kind === 'group' && row.path.length > 1) || row.kind === 'action' || (row.kind === 'step' && row.setsize > 2)
        ? html`<button type="button" class="danger" tabindex=${t} aria-label=${of('Delete')} @click=${() => this.deleteRow(row)}>Delete</button>`
        : nothing}
    </div>`;
  }

  private rowAttrs(row: Row, label: string, content: TemplateResult, extraClass = ''): TemplateResult {
    const expanded = row.parent ? (this.collapsed.has(row.key) ? 'false' : 'true') : nothing;
    // The row's aria-label replaces its content as its name: its own findings ("this group has no
    // conditions") are read as its description, so arrowing onto it says them.
    return html`<div
      role="row"
      class="row row-${row.kind} ${extraClass}"
      data-key=${row.key}
      tabindex=${this.tab(row.key)}
      aria-level=${row.level}
      aria-posinset=${row.posinset}
      aria-setsize=${row.setsize}
      aria-expanded=${expanded}
      aria-label=${label}
      aria-describedby=${this.attrs(row.key, row.key).describedBy || nothing}
    >
      ${content}${row.kind === 'trigger' || row.kind === 'actions' || row.kind === 'queue' ? nothing : this.rowButtons(row, label)}
      ${expanded === 'false' ? html`<span class="collapsed-mark" aria-hidden="true">▸ Collapsed: → shows what is inside</span>` : nothing}
    </div>`;
  }

  // ── Rows ───────────────────────────────────────────────────────────────────────────────────

  private renderTrigger(row: Row): TemplateResult {
    const trigger = this.definition.trigger;
    const def = triggerDef(trigger.event);
    const minutes = 'minutes' in trigger ? trigger.minutes : undefined;
    const t = this.tab(row.key);
    return this.rowAttrs(
      row,
      `When ${def?.label ?? trigger.event}${minutes ? ` for ${minutes} minutes` : ''}`,
      html`<div role="gridcell" class="card trigger-card">
        <span class="badge">When</span>
        <select aria-label="Trigger" data-path="trigger.event" tabindex=${t}
          @change=${(e: Event) => {
            const event = (e.target as HTMLSelectElement).value as TriggerEvent;
            const timed = triggerDef(event)?.timed;
            this.set(['trigger'], timed ? { event, minutes: minutes ?? 15 } : { event }, 'Changed trigger');
          }}>
          ${TRIGGERS.map((x) => html`<option value=${x.event} ?selected=${x.event === trigger.event}>${cap(x.label)}</option>`)}
        </select>
        ${def?.timed
          ? html`<label>for <input type="number" min="1" max="10080" data-path="trigger.minutes" tabindex=${t} .value=${live(String(minutes ?? ''))}
              aria-invalid=${this.attrs('trigger.minutes', 'trigger').invalid ? 'true' : 'false'} aria-describedby=${this.attrs('trigger.minutes', 'trigger').describedBy || nothing}
              @input=${(e: Event) => {
                // What is typed is the rule, valid or not (0, empty, letters as null): the server's
                // finding shows at the field, as for the step timeout, and it never snaps back.
                const raw = (e.target as HTMLInputElement).value;
                this.set(['trigger', 'minutes'], raw === '' ? null : Number(raw), 'Set minutes', true);
              }} /> minutes</label>`
          : nothing}
        ${this.problems('trigger.event')}${this.problems('trigger.minutes')}
      </div>`,
    );
  }

  private renderCondition(row: Row, c: RuleCondition): TemplateResult {
    const field = this.withWorkspaceValues(resolveField(c.field));
    const key = row.key;
    const t = this.tab(key);
    const a = (k: string) => this.attrs(`${key}.${k}`, key);
    const text = describeConditions(c, this.workspace);
    /** The sample's outcome for this condition, when a sample is being tried. */
    const seen = this.preview?.get(key);
    return this.rowAttrs(
      row,
      `Condition: ${text}`,
      html`<div role="gridcell" class="condition">
        <select aria-label="Field" data-path="${key}.field" tabindex=${t} aria-invalid=${a('field').invalid ? 'true' : 'false'} aria-describedby=${a('field').describedBy || nothing}
          @change=${(e: Event) => this.edit(setConditionField(this.definition, row.path, (e.target as HTMLSelectElement).value), 'Changed field', { control: `${key}.field` })}>
          ${field ? nothing : html`<option selected value=${c.field}>${c.field}</option>`}
          ${RULE_FIELDS.map((f) => html`<option value=${f.name} ?selected=${f.name === c.field}>${cap(f.label)}</option>`)}
        </select>
        <select aria-label="Operator" data-path="${key}.op" tabindex=${t} aria-invalid=${a('op').invalid ? 'true' : 'false'} aria-describedby=${a('op').describedBy || nothing}
          @change=${(e: Event) => this.edit(setConditionOp(this.definition, row.path, (e.target as HTMLSelectElement).value as OperatorName), 'Changed operator', { control: `${key}.op` })}>
          ${(field?.operators ?? [c.op as OperatorName]).map((op) => html`<option value=${op} ?selected=${op === c.op}>${field ? operatorLabel(op, field.type) : op}</option>`)}
        </select>
        ${field
          ? valueEditor({
              field,
              op: c.op as OperatorName,
              value: c.value,
              attrs: a('value'),
              ...(field.type === 'tags' ? this.tagField(c.value) : {}),
              onChange: (value, label, coalesce) => this.set([...row.path, 'value'], value, label, coalesce),
            })
          : nothing}
        ${field?.name.startsWith('time.') ? html`<span class="hint">workspace time zone${this.workspace.timeZone ? ` (${this.workspace.timeZone})` : ''}</span>` : nothing}
        ${seen
          ? html`<span class="lit lit-${seen.result}">Sample: ${seen.result ? 'met' : 'not met'}, was ${describeSeen(seen.field, seen.actual, this.workspace)}</span>`
          : nothing}
        ${this.problems(`${key}.field`)}${this.problems(`${key}.op`)}${this.problems(`${key}.value`)}${this.problems(key)}
      </div>`,
    );
  }

  private renderGroupRow(row: Row, node: ConditionNode): TemplateResult {
    const kind = groupKind(node)!;
    const key = row.key;
    const t = this.tab(key);
    const sentence = describeConditions(node, this.workspace);
    const root = row.path.length === 1;
    const count = childrenOf(node).length;
    return this.rowAttrs(
      row,
      `${root ? 'If' : 'Group'}: ${kindLabel(node).toLowerCase()} ${count} ${count === 1 ? 'item' : 'items'}`,
      html`<div role="gridcell" class="group-head">
        ${root ? html`<span class="badge">If</span>` : nothing}
        ${kind === 'not'
          ? html`<span class="kind">Not</span>`
          : html`<select aria-label="Group type" data-path=${key} tabindex=${t} aria-invalid=${this.attrs(key, key).invalid ? 'true' : 'false'} aria-describedby=${this.attrs(key, key).describedBy || nothing}
              @change=${(e: Event) => this.edit(setGroupKind(this.definition, row.path, (e.target as HTMLSelectElement).value as 'all' | 'any'), 'Changed group type', { control: key })}>
              <option value="all" ?selected=${kind === 'all'}>All of these are true</option>
              <option value="any" ?selected=${kind === 'any'}>Any of these is true</option>
            </select>`}
        <button type="button" tabindex=${t} @click=${() => this.addCondition(row.path)}>Add condition</button>
        <button type="button" tabindex=${t} @click=${() => this.addGroup(row.path, kind === 'any' ? 'all' : 'any')}>Add group</button>
        <span class="sentence">${root && count === 0 ? 'Matches every conversation.' : cap(sentence)}</span>
        ${this.problems(key)}
      </div>`,
      root ? '' : 'nested',
    );
  }

  /**
   * A group: its row, then its children inside a bracket. An empty group has no bracket: its label
   * (AND/OR/NOT) would stand on nothing, across the group's border.
   */
  private renderNode(node: ConditionNode, path: Path): TemplateResult {
    const key = pathKey(path);
    const row = this.rows.find((r) => r.key === key);
    if (!row) return html``;
    if (row.kind === 'condition') return this.renderCondition(row, node as RuleCondition);
    const kind = groupKind(node)!;
    const children = childrenOf(node);
    return html`<div class="group group-${kind}">
      ${this.renderGroupRow(row, node)}
      ${this.collapsed.has(key) || children.length === 0
        ? nothing
        : html`<div class="bracket" data-kind=${kind === 'all' ? 'and' : kind === 'any' ? 'or' : 'not'}>
            ${children.map((child, i) => this.renderNode(child, kind === 'not' ? [...path, 'not'] : [...path, kind, i]))}
          </div>`}
    </div>`;
  }

  /**
   * A field whose values are the workspace's teams (`conversation.team`) as a closed list of them,
   * so the value editor offers the same named picker a pool does and never shows an id.
   */
  private withWorkspaceValues(field: FieldDef | undefined): FieldDef | undefined {
    if (field?.valuesFrom !== 'teams') return field;
    return { ...field, openValues: false, values: this.workspace.teams.map((x) => ({ value: x.id, label: x.name })) };
  }

  private teamName(id: string): string {
    return this.workspace.teams.find((t) => t.id === id)?.name ?? id;
  }

  private agentName(id: string): string {
    return this.workspace.agents.find((a) => a.id === id)?.name ?? 'an unknown agent';
  }

  /** A step as its row names it: "Support, round-robin", "Tom Becker" (one agent has no one to choose among). */
  private stepWords(step: AssignStep): string {
    const pool = 'team' in step.pool ? this.teamName(step.pool.team) : step.pool.agents.map((id) => this.agentName(id)).join(' or ') || 'no agent';
    const strategy = strategyWords(step);
    return strategy ? `${pool}, ${strategy}` : pool;
  }

  /**
   * Where the conversation waits when every step was skipped, as the server queues it
   * (`queueTeamOf`): in a team's queue, or with no team when the steps name agents only, until one
   * of them can take it.
   */
  private queueWords(steps: readonly AssignStep[]): string {
    const team = queueTeamOf(steps);
    if (team) return `Otherwise the conversation waits in ${this.teamName(team)}’s queue and goes to the first agent who becomes available.`;
    const names = [...new Set(steps.flatMap((s) => ('agents' in s.pool ? s.pool.agents : [])))].map((id) => this.agentName(id));
    return `Otherwise the conversation waits, with no team, until ${names.length > 1 ? `one of ${names.join(', ')}` : (names[0] ?? 'an agent')} becomes available.`;
  }

  private routingAgents(): RoutingAgent[] {
    return this.workspace.agents.map((a) => ({
      id: a.id,
      name: a.name,
      active: a.active,
      availability: a.availability,
      openAssigned: a.openAssigned ?? 0,
      capacity: a.capacity,
      skills: a.skills,
      lastAssignedAt: null,
      teamIds: this.workspace.teams.filter((t) => t.memberIds.includes(a.id)).map((t) => t.id),
    }));
  }

  private renderAction(row: Row, action: RuleAction): TemplateResult {
    const key = row.key;
    const t = this.tab(key);
    const p = row.path;
    const a = (k: string) => this.attrs(`${key}.${k}`, key);
    let body: TemplateResult;
    switch (action.type) {
      case 'assign':
        body = html`<label><input type="checkbox" data-path="${key}.onlyIfUnassigned" tabindex=${t} .checked=${live(action.onlyIfUnassigned !== false)}
            @change=${(e: Event) => this.set([...p, 'onlyIfUnassigned'], (e.target as HTMLInputElement).checked, 'Changed “only if unassigned”')} /> Only if unassigned</label>
          <button type="button" tabindex=${t} @click=${() => this.addStep(p)}>Add step</button>`;
        break;
      case 'set_team':
        body = this.teamSelect('Team', a('team'), action.team, (v) => this.set([...p, 'team'], v, 'Changed team'));
        break;
      case 'add_tag':
      case 'remove_tag':
        body = html`${valueEditor({
          field: { name: 'tags', label: 'tags', description: '', type: 'tags', nullable: false, operators: [] },
          op: 'contains_any',
          value: action.tags,
          attrs: a('tags'),
          ...this.tagField(action.tags),
          onChange: (v, label) => this.set([...p, 'tags'], v, label),
        })}`;
        break;
      case 'set_priority':
        body = html`<select aria-label="Priority" data-path="${key}.priority" tabindex=${t} @change=${(e: Event) => this.set([...p, 'priority'], (e.target as HTMLSelectElement).value, 'Changed priority')}>
          ${PRIORITY_OPTIONS.map((o) => html`<option value=${o.value} ?selected=${o.value === action.priority}>${o.label}</option>`)}
        </select>`;
        break;
      case 'add_note':
        body = html`<textarea class="note-body" aria-label="Note" data-path="${key}.body" tabindex=${t} rows="2" aria-invalid=${a('body').invalid ? 'true' : 'false'} aria-describedby=${a('body').describedBy || nothing}
          .value=${live(action.body)} @input=${(e: Event) => this.set([...p, 'body'], (e.target as HTMLTextAreaElement).value, 'Edited note', true)}></textarea>`;
        break;
      case 'notify': {
        const to = 'agent' in action.to ? `agent:${action.to.agent}` : `team:${action.to.team}`;
        body = html`<select aria-label="Notify" data-path="${key}.to" tabindex=${t} @change=${(e: Event) => {
          const [kind, id] = (e.target as HTMLSelectElement).value.split(':') as ['agent' | 'team', string];
          this.set([...p, 'to'], kind === 'agent' ? { agent: id } : { team: id }, 'Changed who is notified');
        }}>
          <optgroup label="Teams">${this.workspace.teams.map((x) => html`<option value="team:${x.id}" ?selected=${to === `team:${x.id}`}>${x.name}</option>`)}</optgroup>
          <optgroup label="Agents">${this.workspace.agents.map((x) => html`<option value="agent:${x.id}" ?selected=${to === `agent:${x.id}`}>${x.name}</option>`)}</optgroup>
        </select>`;
        break;
      }
    }
    const fields = ['team', 'tags', 'priority', 'body', 'to', 'onlyIfUnassigned'];
    return this.rowAttrs(
      row,
      `Action ${row.posinset}: ${describeAction(action, this.workspace)}`,
      html`<div role="gridcell" class="card action-card">
        <span class="badge">${ACTION_LABELS[action.type]}</span>
        ${body}
        ${fields.map((f) => this.problems(`${key}.${f}`))}${this.problems(key)}
      </div>`,
    );
  }

  private teamSelect(label: string, attrs: ControlAttrs, value: string, onChange: (v: string) => void): TemplateResult {
    const known = this.workspace.teams.some((x) => x.id === value);
    return html`<select aria-label=${label} data-path=${attrs.key} tabindex=${attrs.tabindex} aria-invalid=${attrs.invalid ? 'true' : 'false'} aria-describedby=${attrs.describedBy || nothing}
      @change=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}>
      ${known ? nothing : html`<option value=${value} selected>${value ? 'Unknown team' : 'Choose a team'}</option>`}
      ${this.workspace.teams.map((x) => html`<option value=${x.id} ?selected=${x.id === value}>${x.name}</option>`)}
    </select>`;
  }

  private renderStep(row: Row, step: AssignStep, stepCount: number): TemplateResult {
    const key = row.key;
    const t = this.tab(key);
    const p = row.path;
    const a = (k: string) => this.attrs(`${key}.${k}`, key);
    const index = p[p.length - 1] as number;
    const isLast = index === stepCount - 1;
    const pool = step.pool;
    const poolValue = 'team' in pool ? `team:${pool.team}` : `agent:${pool.agents[0] ?? ''}`;
    const now = Date.now();
    const eligibility = eligibleAgents(step, this.routingAgents(), { now, waitingSince: now });
    const names = eligibility.eligible.map((x) => x.name ?? x.id);
    const skills = step.require?.skills ?? [];
    return this.rowAttrs(
      row,
      `Step ${index + 1}: ${this.stepWords(step)}`,
      html`<div role="gridcell" class="card step-card">
        <span class="badge">Step ${index + 1}</span>
        <select aria-label="Pool" data-path="${key}.pool" tabindex=${t} aria-invalid=${a('pool').invalid ? 'true' : 'false'} aria-describedby=${a('pool').describedBy || nothing}
          @change=${(e: Event) => {
            const [kind, id] = (e.target as HTMLSelectElement).value.split(':') as ['agent' | 'team', string];
            this.set([...p, 'pool'], kind === 'team' ? { team: id } : { agents: [id] }, 'Changed pool');
          }}>
          ${'team' in pool && !this.workspace.teams.some((x) => x.id === pool.team) ? html`<option selected value=${poolValue}>Choose a team</option>` : nothing}
          <optgroup label="Teams">${this.workspace.teams.map((x) => html`<option value="team:${x.id}" ?selected=${poolValue === `team:${x.id}`}>${x.name}</option>`)}</optgroup>
          <optgroup label="One agent">${this.workspace.agents.map((x) => html`<option value="agent:${x.id}" ?selected=${poolValue === `agent:${x.id}`}>${x.name}</option>`)}</optgroup>
        </select>
        <select aria-label="Strategy" data-path="${key}.strategy" tabindex=${t} @change=${(e: Event) => this.set([...p, 'strategy'], (e.target as HTMLSelectElement).value, 'Changed strategy')}>
          <option value="round_robin" ?selected=${step.strategy === 'round_robin'}>Round-robin</option>
          <option value="least_loaded" ?selected=${step.strategy === 'least_loaded'}>Least loaded</option>
        </select>
        <span class="skills"><span class="label">Required skills</span>${valueEditor({
          field: { name: 'skills', label: 'skills', description: '', type: 'tags', nullable: false, operators: [] },
          op: 'contains_any',
          value: skills,
          attrs: a('require'),
          suggestions: [...new Set(this.workspace.agents.flatMap((x) => x.skills))].sort(),
          onChange: (v, label) => this.set([...p, 'require'], (v as string[]).length ? { skills: v } : undefined, label.replace(/^(Add|Remove)/, '$1 skill')),
        })}</span>
        ${isLast
          ? nothing
          : html`<label>Hand over after <input type="number" min="1" data-path="${key}.timeoutSec" tabindex=${t} aria-invalid=${a('timeoutSec').invalid ? 'true' : 'false'} aria-describedby=${a('timeoutSec').describedBy || nothing}
                .value=${live(step.timeoutSec === undefined ? '' : String(step.timeoutSec))}
                @input=${(e: Event) => {
                  const raw = (e.target as HTMLInputElement).value;
                  this.set([...p, 'timeoutSec'], raw === '' ? undefined : Number(raw), 'Set timeout', true);
                }} /> seconds</label>
              <label><input type="checkbox" data-path="${key}.skipIfNoneAvailable" tabindex=${t} aria-invalid=${a('skipIfNoneAvailable').invalid ? 'true' : 'false'} aria-describedby=${a('skipIfNoneAvailable').describedBy || nothing} .checked=${live(step.skipIfNoneAvailable === true)}
                @change=${(e: Event) => this.set([...p, 'skipIfNoneAvailable'], (e.target as HTMLInputElement).checked || undefined, 'Changed “skip when nobody is available”')} /> Skip when nobody is available</label>`}
        <span class="eligible">${names.length ? `Eligible now: ${names.join(', ')}` : `Nobody eligible now${eligibility.excluded.length ? `: ${eligibility.excluded.map((x) => x.message).join('; ')}` : ''}`}</span>
        ${['pool', 'strategy', 'require', 'timeoutSec', 'skipIfNoneAvailable'].map((f) => this.problems(`${key}.${f}`))}${this.problems(key)}
      </div>`,
    );
  }

  private renderActions(): TemplateResult {
    const row = this.rows.find((r) => r.key === 'actions')!;
    const def = this.definition;
    const t = this.tab(row.key);
    return html`<div class="group">
      ${this.rowAttrs(
        row,
        `Then: ${def.actions.length} ${def.actions.length === 1 ? 'action' : 'actions'}`,
        html`<div role="gridcell" class="group-head">
          <span class="badge">Then</span>
          <select aria-label="New action" tabindex=${t} id="new-action">
            ${(Object.keys(ACTION_LABELS) as ActionType[]).map((type) => html`<option value=${type}>${ACTION_LABELS[type]}</option>`)}
          </select>
          <button type="button" tabindex=${t} @click=${() => this.addAction((this.renderRoot.querySelector<HTMLSelectElement>('#new-action')!.value as ActionType))}>Add action</button>
          ${this.problems('actions')}
        </div>`,
      )}
      ${this.collapsed.has('actions')
        ? nothing
        : html`<div class="actions-list">
            ${def.actions.map((action, i) => {
              const key = pathKey(['actions', i]);
              const arow = this.rows.find((r) => r.key === key)!;
              if (action.type !== 'assign') return this.renderAction(arow, action);
              const steps = (action as AssignAction).steps;
              return html`<div class="assign">
                ${this.renderAction(arow, action)}
                ${this.collapsed.has(key)
                  ? nothing
                  : html`<div class="ladder">
                      ${steps.map((step, j) => {
                        const srow = this.rows.find((r) => r.key === pathKey(['actions', i, 'steps', j]))!;
                        return html`${this.renderStep(srow, step, steps.length)}<div class="rung" aria-hidden="true">${j < steps.length - 1 ? (step.timeoutSec ? `↓ after ${step.timeoutSec} s${step.skipIfNoneAvailable ? ' (or at once when nobody is available)' : ''}` : step.skipIfNoneAvailable ? '↓ when nobody is available' : '↓ never (this step waits)') : '↓ when every step was skipped'}</div>`;
                      })}
                      ${this.rowAttrs(this.rows.find((r) => r.key === `${key}.queue`)!, 'Otherwise: wait in the queue', html`<div role="gridcell" class="card queue-card"><span class="badge">Queue</span> ${this.queueWords(steps)}</div>`)}
                    </div>`}
              </div>`;
            })}
          </div>`}
    </div>`;
  }

  // ── Panels ─────────────────────────────────────────────────────────────────────────────────

  private renderHeader(): TemplateResult {
    const def = this.definition;
    const status: Record<SaveState, string> = {
      saved: 'All changes saved',
      pending: 'Saving soon…',
      saving: 'Saving…',
      invalid: 'Not saved to the server: fix the problems below (kept in this browser)',
      offline: this.message || 'Not saved: kept in this browser',
      conflict: 'Not saved: someone else changed this workflow',
    };
    const nameAttrs = this.attrs('name', '');
    // Undo, Redo and Publish are aria-disabled, not disabled: the last Undo, or a Publish that
    // leaves nothing to publish, would otherwise drop its own focus to the page.
    return html`<header class="editor-header">
      <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('wb-close'))}>← Workflows</button>
      <label class="name-label">Name <input id="name" data-path="name" .value=${live(def.name)} aria-invalid=${nameAttrs.invalid ? 'true' : 'false'} aria-describedby=${nameAttrs.describedBy || nothing}
        @input=${(e: Event) => this.set(['name'], (e.target as HTMLInputElement).value, 'Renamed', true)} /></label>
      ${this.problems('name')}
      <label><input type="checkbox" .checked=${live(def.enabled !== false)} @change=${(e: Event) => this.set(['enabled'], (e.target as HTMLInputElement).checked, 'Changed “enabled”')} /> Enabled</label>
      <label><input type="checkbox" .checked=${live(def.stopProcessing === true)} @change=${(e: Event) => this.set(['stopProcessing'], (e.target as HTMLInputElement).checked, 'Changed “stop processing”')} /> Stop processing later rules when this one matches</label>
      <span class="toolbar">
        <button type="button" aria-disabled=${this.history.canUndo ? 'false' : 'true'} aria-keyshortcuts="Control+Z" @click=${() => this.undo()}>Undo</button>
        <button type="button" aria-disabled=${this.history.canRedo ? 'false' : 'true'} aria-keyshortcuts="Control+Shift+Z" @click=${() => this.redo()}>Redo</button>
        <button type="button" @click=${() => void this.runDryRun()}>Test on recent conversations</button>
        <button type="button" class="primary" aria-disabled=${this.canPublish ? 'false' : 'true'} @click=${this.onPublishClick}>Publish</button>
      </span>
      <span class="save-state" data-state=${this.saveState}>${status[this.saveState]}</span>
      <span class="version">${this.base.published ? `Live: version ${this.base.published.version}` : 'Never published'}</span>
    </header>`;
  }

  private renderConflict(theirs: Workflow): TemplateResult {
    const lines = this.reviewing ? diffLines(theirs.draft, this.definition, this.workspace) : null;
    return html`<div class="conflict" role="alert">
      <p><strong>${this.conflictSentence(theirs)}</strong> — your changes are not saved.</p>
      <button type="button" @click=${() => (this.reviewing = !this.reviewing)} aria-expanded=${this.reviewing ? 'true' : 'false'}>Review changes</button>
      <button type="button" @click=${() => void this.keepMine()}>Keep mine</button>
      <button type="button" @click=${() => this.discardMine()}>Discard mine</button>
      ${lines
        ? html`<div class="diff">
            <h3>Only in the newer version</h3>
            <ul>${lines.theirs.length ? lines.theirs.map((l) => html`<li>${l}</li>`) : html`<li>Nothing</li>`}</ul>
            <h3>Only in yours</h3>
            <ul>${lines.mine.length ? lines.mine.map((l) => html`<li>${l}</li>`) : html`<li>Nothing</li>`}</ul>
          </div>`
        : nothing}
    </div>`;
  }

  private renderProblems(): TemplateResult | typeof nothing {
    if (this.errors.length === 0) return nothing;
    return html`<section class="problem-list" aria-labelledby="problems-title">
      <h3 id="problems-title">${this.errors.length} ${this.errors.length === 1 ? 'problem' : 'problems'} to fix before publishing</h3>
      <ul>
        ${this.errors.map((e) => html`<li><button type="button" class="link" @click=${() => void this.focusControl(controlFor(e.path))}>${e.message}</button></li>`)}
      </ul>
    </section>`;
  }

  override render() {
    if (!this.history) return nothing;
    const def = withRoot(this.definition);
    this.rows = buildRows(def, this.collapsed);
    if (!this.rows.some((r) => r.key === this.activeKey)) this.activeKey = this.rows[0]!.key;
    this.errorMap = byControl(this.errors);
    this.warningMap = byControl(this.warnings);
    return html`<div part="base" class="editor" @keydown=${this.onKeydown}>
      ${this.renderHeader()}
      ${this.localOffer
        ? html`<div class="offer" role="alert">
            <p>This browser has changes from ${clock.format(new Date(this.localOffer.savedAt))} that were not saved to the server.</p>
            <button type="button" @click=${() => this.restoreLocal()}>Restore them</button>
            <button type="button" @click=${() => this.discardLocal()}>Discard them</button>
          </div>`
        : nothing}
      ${this.conflict ? this.renderConflict(this.conflict) : nothing}
      ${this.renderProblems()}
      ${this.problems('')}
      <p class="keys" id="keys">Arrow keys move between rows, Enter edits a row, Escape returns to it, Alt+↑/↓ moves it, Alt+←/→ takes it out of its group or into the group above, Delete removes it, Ctrl+Z undoes.</p>
      <div role="treegrid" class="flow" aria-label="Rule ${def.name}" aria-describedby="keys" @keydown=${this.onTreeKeydown} @focusin=${this.onFocusIn}>
        ${this.renderTrigger(this.rows[0]!)}
        <div class="connector" aria-hidden="true"></div>
        ${this.renderNode(rootConditions(def), ['conditions'])}
        <div class="connector" aria-hidden="true"></div>
        ${this.renderActions()}
      </div>
      ${this.dryRun ? renderDryRun(this.dryRun, (last) => void this.runDryRun(last), this.conversationHref, this.workspace) : nothing}
      <wb-editor-tools
        .rest=${this.rest}
        .workflowId=${this.base.id}
        .definition=${this.definition}
        .workspace=${this.workspace}
        .conversationHref=${this.conversationHref}
        @wb-apply=${(e: CustomEvent<{ definition: WorkflowDefinition; label: string }>) => this.edit(e.detail.definition, e.detail.label, { announce: true })}
        @wb-sample=${(e: CustomEvent<Map<string, TraceLeaf> | null>) => (this.preview = e.detail)}
      ></wb-editor-tools>
    </div>`;
  }
}

