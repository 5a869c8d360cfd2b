/**
 * The replay of a draft over recent conversations (`POST /v1/workflows/test` with `last`): per
 * conversation what the live version did and what the draft would do, differences first, and the
 * condition that decided, with the value it saw.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { DryRunResult } from '@baton/protocol';
import { readableTimes } from '@baton/ui/relative-time';

export interface DryRunState {
  /** How many of the latest conversations were replayed. */
  last: number;
  loading: boolean;
  results: DryRunResult[];
  error: string;
}

/** Whether the draft would do something else than the live version did. */
export function differs(x: DryRunResult): boolean {
  return x.published ? x.published.matched !== x.draft.matched || outcomeText(x) !== wouldText(x) : x.draft.matched;
}

export function renderDryRun(d: DryRunState, rerun: (last: number) => void): TemplateResult {
  const changed = d.results.filter(differs).length;
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
    ${!d.loading && d.results.length ? html`<p>${changed} of ${d.results.length} would be handled differently; those come first.</p>` : nothing}
    ${d.loading ? html`<p>Replaying…</p>` : nothing}
    ${d.error ? html`<p class="error">${d.error}</p>` : nothing}
    ${!d.loading && !d.error && d.results.length === 0 ? html`<p>No conversations to replay yet.</p>` : nothing}
    ${d.results.length
      ? html`<table>
          <thead><tr><th scope="col">Conversation</th><th scope="col">Published</th><th scope="col">Draft</th><th scope="col">Decided by</th></tr></thead>
          <tbody>
            ${d.results.map(
              (r) => html`<tr>
                <th scope="row">${r.facts.contact.name} · ${r.facts.conversation.channel}</th>
                <td>${outcomeText(r)}</td>
                <td>${wouldText(r)}</td>
                <td>${decidedBy(r)}</td>
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

/** The conditions that decided the result: the first leaf that agrees with the whole tree's answer. */
export function decidedBy(r: DryRunResult): string {
  const trace = r.draft.conditions;
  if (!trace) return 'No conditions';
  const find = (t: NonNullable<typeof trace>, want: boolean): string | null => {
    if (t.kind === 'condition') return t.result === want ? `${t.text} (was ${JSON.stringify(t.actual ?? null)})` : null;
    if (t.kind === 'not') return find(t.child, !want);
    for (const c of t.children) {
      const hit = find(c, want);
      if (hit) return hit;
    }
    return null;
  };
  return find(trace, trace.result) ?? '';
}
