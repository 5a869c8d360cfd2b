/**
 * The replay of a draft over recent conversations (`POST /v1/workflows/test` with `last`): per
 * conversation what the live version did and what the draft would do, differences first, and the
 * condition that decided, with the value it saw.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { AssignDecision, DryRunResult, WorkflowDefinition } from '@baton/protocol';
import { describeSeen, matchedConditions, missedConditions, type DescribeOptions } from '@baton/rules';
import { canonicalJson } from '../model/definition.js';
import type { TraceLeaf } from '../model/traces.js';
import { readableTimes } from '@baton/ui/readable-times';
import { templateLink } from '@baton/ui/template-link';

export interface DryRunRow {
  result: DryRunResult;
  /** The draft would handle it otherwise than the live version did (`differs`). */
  changed: boolean;
}

export interface DryRunState {
  /** How many of the latest conversations were replayed. */
  last: number;
  loading: boolean;
  rows: DryRunRow[];
  error: string;
}

/**
 * An action's path through a conversation, without the agent it landed on: which action (its
 * type and, when known, its settings) and, for an assignment, whether it assigned, waited, queued
 * or skipped, at which step. Not who: round-robin has moved on to the next agent since the run,
 * so a replay of the very same rule deals the conversation to someone else.
 */
function path(type: string, settings: unknown, decision: AssignDecision | undefined): string {
  const how = decision ? [decision.kind, 'stepIndex' in decision ? decision.stepIndex : null] : null;
  return canonicalJson([type, settings ?? null, how]);
}

/**
 * Whether the draft would handle a conversation otherwise than the live version did: it matches
 * where that did not (or the reverse), or its actions take another path. The texts cannot be
 * compared: the run says what was done ("Tagged es", "waiting until 3:39 PM") and the draft what
 * it would do now ("Tag es", "waiting until 3:49 PM"). `versions` holds the definitions of the
 * workflow's versions at hand (the live one; earlier ones when runs of them were replayed, which a
 * reorder makes common); a run of a version not among them is compared by action types and paths.
 */
export function differs(x: DryRunResult, draft: WorkflowDefinition, versions: ReadonlyMap<number, WorkflowDefinition>): boolean {
  if (!x.published) return x.draft.matched;
  if (x.published.matched !== x.draft.matched) return true;
  if (!x.draft.matched) return false;
  const ran = versions.get(x.published.version) ?? null;
  const before = x.published.actions.map((a) => path(a.type, ran?.actions[a.index], a.decision));
  const after = x.draft.actions.map((a) => path(a.type, ran ? draft.actions[a.index] : null, a.decision));
  return before.join('\n') !== after.join('\n');
}

/** `names` lets the seen values name the workspace's teams. */
export function renderDryRun(d: DryRunState, rerun: (last: number) => void, conversationHref: string, names: DescribeOptions): TemplateResult {
  const changed = d.rows.filter((r) => r.changed).length;
  return html`<section class="dry-run" aria-labelledby="dry-title" aria-busy=${d.loading ? 'true' : 'false'}>
    <h3 id="dry-title">Test on recent conversations</h3>
    <form class="dry-form" @submit=${(e: SubmitEvent) => {
      e.preventDefault();
      const input = (e.target as HTMLFormElement).querySelector('input')!;
      rerun(Math.max(1, Math.min(500, Number(input.value) || 20)));
    }}>
      <label>Latest <input type="number" min="1" max="500" .value=${String(d.last)} /> conversations</label>
      <button type="submit">Replay</button>
    </form>
    ${!d.loading && d.rows.length ? html`<p>${changed} of ${d.rows.length} would be handled differently${changed ? '; those come first' : ''}.</p>` : nothing}
    ${d.loading ? html`<p>Replaying…</p>` : nothing}
    ${d.error ? html`<p class="error">${d.error}</p>` : nothing}
    ${!d.loading && !d.error && d.rows.length === 0 ? html`<p>No conversations to replay yet.</p>` : nothing}
    ${d.rows.length
      ? html`<table>
          <thead><tr><th scope="col">Conversation</th><th scope="col">Published</th><th scope="col">Draft</th><th scope="col">Decided by</th></tr></thead>
          <tbody>
            ${d.rows.map(
              ({ result: r, changed }) => html`<tr class=${changed ? 'changed' : ''}>
                <th scope="row">${templateLink(conversationHref, r.conversationId, r.facts.contact.name)} · ${describeSeen('conversation.channel', r.facts.conversation.channel)}${changed ? html` <span class="changed-mark">Changed</span>` : nothing}</th>
                <td>${outcomeText(r)}</td>
                <td>${wouldText(r)}</td>
                <td>${decidedBy(r, names)}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : nothing}
  </section>`;
}

export function outcomeText(r: DryRunResult): string {
  if (!r.published) return 'Did not run';
  if (!r.published.matched) return 'Not matched';
  return readableTimes(r.published.actions.map((a) => a.detail).join('; ')) || r.published.outcome;
}

export function wouldText(r: DryRunResult): string {
  if (!r.draft.matched) return 'Not matched';
  return readableTimes(r.draft.actions.map((a) => a.would).join('; '));
}

/**
 * The conditions that decided the draft's answer, each with the value it saw, worded as the inbox's
 * "Why it was routed this way" words them: every condition that made it match, or every one that
 * kept it from matching ("contact tags include spam (must not): was spam").
 */
export function decidedBy(r: DryRunResult, names: DescribeOptions = {}): string {
  const trace = r.draft.conditions;
  const seen = (l: TraceLeaf) => describeSeen(l.field, l.actual, names);
  const one = (l: TraceLeaf, negated: boolean) => `${l.text}${negated ? ' (must not)' : ''}: was ${seen(l)}`;
  if (!trace) return 'No conditions';
  const deciding = trace.result
    ? matchedConditions(trace).map((m) => one(m.leaf, m.negated))
    : missedConditions(trace).map((m) => ('leaf' in m ? one(m.leaf, m.negated) : `must not all hold together: ${m.together.map((l) => `${l.text} (was ${seen(l)})`).join(', ')}`));
  return deciding.join('; ') || 'No conditions';
}
