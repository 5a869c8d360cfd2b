import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { consume } from '@lit/context';
import { property, state } from 'lit/decorators.js';
import type { InboxRestClient } from '@baton/client';
import type { Agent, ConditionTrace, WorkflowRun } from '@baton/protocol';
import { currentAgentContext } from '@baton/ui/contexts/current-agent';
import { baseStyles } from '@baton/ui/tokens';
import { absoluteTime, relativeTime } from '@baton/ui/relative-time';
import { readableTimes } from '@baton/ui/readable-times';
import { templateLink } from '@baton/ui/template-link';
import { channelName } from '@baton/ui/icons';
import { matchedConditions, missedConditions, type TraceLeaf } from '@baton/rules/deciding';
import { languageName } from '../format/language-name.js';
import { plainError } from '../format/plain-error.js';

const OUTCOMES: Record<WorkflowRun['outcome'], string> = {
  not_matched: 'did not match',
  applied: 'applied',
  no_change: 'nothing to change',
  waiting: 'waiting for a teammate',
  queued: 'queued: nobody available',
};

const MAX_SHOWN = 80;

const cut = (text: string) => (text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text);

/** A fact's value in a sentence: "none" for nothing, languages and channels by name, lists joined, texts quoted, long ones cut. */
function shown(field: string, actual: unknown): string {
  if (actual === null || actual === undefined || (Array.isArray(actual) && actual.length === 0) || actual === '') return 'none';
  if (typeof actual === 'string' && field.endsWith('.language')) return languageName(actual);
  if (typeof actual === 'string' && field === 'conversation.channel') return channelName(actual);
  if (Array.isArray(actual)) return cut(actual.join(', '));
  if (typeof actual === 'string') return `“${cut(actual)}”`;
  return cut(typeof actual === 'object' ? JSON.stringify(actual) : String(actual));
}

/**
 * "Why it was routed this way" (or, for an open conversation nobody has, "Why no rule assigned
 * it"): every rule run that considered the conversation, newest first
 * (`GET /v1/conversations/:id/routing`), each with what its actions did in the runner's words
 * ("maria away; luis at capacity 25/25"). Loaded with `import()` when the details pane's
 * disclosure is first opened.
 */
export class InboxRoutingWhy extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        font-size: var(--baton-font-size-small);
      }
      ol {
        display: grid;
        gap: 6px;
        margin: 4px 0 0;
        padding: 0;
        list-style: none;
      }
      ul {
        margin: 2px 0 0;
        padding-inline-start: 16px;
      }
      .muted {
        margin: 0;
        color: var(--baton-color-text-muted);
      }
      a {
        color: var(--baton-accent);
      }
      .error {
        margin: 0;
        color: var(--baton-color-danger);
      }
    `,
  ];

  @property({ attribute: false }) rest: InboxRestClient | undefined;
  @property({ attribute: 'conversation-id' }) conversationId = '';
  /** When the conversation started (ISO): a conversation older than the run log's retention has lost some runs. */
  @property({ attribute: false }) createdAt = '';
  /** The host's page for a workflow (`<team-inbox workflow-href>`); rules link there for admins, who can open them. */
  @property({ attribute: false }) workflowHref = '';

  @consume({ context: currentAgentContext, subscribe: true })
  @state()
  private me?: Agent;

  @state() private runs: WorkflowRun[] | null = null;
  @state() private keptSince = '';
  @state() private error = '';
  private loadedFor = '';

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('conversationId') || changed.has('rest')) && this.rest && this.conversationId && this.loadedFor !== this.conversationId) {
      this.loadedFor = this.conversationId;
      void this.load(this.rest, this.conversationId);
    }
  }

  private async load(rest: InboxRestClient, id: string): Promise<void> {
    this.runs = null;
    this.error = '';
    try {
      const { items, keptSince } = await rest.conversationRouting(id);
      if (id !== this.conversationId) return;
      this.runs = items;
      this.keptSince = keptSince;
    } catch (e) {
      if (id !== this.conversationId) return;
      this.loadedFor = '';
      this.error = plainError(e);
    }
  }

  override render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    if (!this.runs) return html`<p class="muted" role="status">Loading…</p>`;
    // Older than the run log's retention: some (or all) of its runs are gone; the timeline keeps who assigned it.
    const older = !!this.keptSince && !!this.createdAt && Date.parse(this.createdAt) < Date.parse(this.keptSince);
    const gone = older ? html`<p class="muted">Rule runs before ${absoluteTime(this.keptSince)} are no longer kept; the timeline still says who assigned it.</p>` : nothing;
    if (!this.runs.length) return older ? gone : html`<p class="muted">No rule has looked at this conversation.</p>`;
    const now = Date.now();
    return html`${gone}<ol aria-label="Rule runs">
      ${this.runs.map(
        (run) => html`<li>
          <strong>${this.ruleName(run)}</strong> · ${OUTCOMES[run.outcome]} · <time datetime=${run.createdAt}>${relativeTime(run.createdAt, now)}</time>
          ${run.matched ? this.renderMatched(run.conditions) : nothing}
          ${run.actions.length ? html`<ul aria-label="What it did">${run.actions.map((a) => html`<li>${readableTimes(a.detail)}</li>`)}</ul>` : nothing}
          ${!run.matched && run.conditions ? this.renderMissed(run.conditions) : nothing}
        </li>`,
      )}
    </ol>`;
  }

  private ruleName(run: WorkflowRun) {
    return templateLink(this.me?.role === 'admin' ? this.workflowHref : '', run.workflowId, run.workflowName);
  }

  /** The conditions that made it match, so an agent sees why the conversation came their way. */
  private renderMatched(trace: ConditionTrace | null) {
    const held = trace ? matchedConditions(trace) : [];
    return html`<ul class="muted" aria-label="Why it matched">
      ${trace ? held.map(({ leaf, negated }) => html`<li>${this.condition(leaf, negated)}</li>`) : html`<li>It has no conditions: every conversation matches.</li>`}
    </ul>`;
  }

  private condition(leaf: TraceLeaf, negated: boolean): string {
    return `${leaf.text}${negated ? ' (must not)' : ''}: was ${shown(leaf.field, leaf.actual)}`;
  }

  private renderMissed(trace: ConditionTrace) {
    const missed = missedConditions(trace);
    if (!missed.length) return nothing;
    return html`<ul aria-label="Why it did not match">
      ${missed.map((m) =>
        'leaf' in m
          ? html`<li>${this.condition(m.leaf, m.negated)}</li>`
          : html`<li>must not all hold together: ${m.together.map((l) => `${l.text} (was ${shown(l.field, l.actual)})`).join('; ')}</li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'inbox-routing-why': InboxRoutingWhy;
  }
}

// Its own define module: only ever reached through `import()`.
if (!customElements.get('inbox-routing-why')) customElements.define('inbox-routing-why', InboxRoutingWhy);
