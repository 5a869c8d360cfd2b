import { expect } from '@esm-bundle/chai';
import type { AssignDecision, DryRunResult, WorkflowDefinition, WorkflowVersion } from '@baton/protocol';
import { decidedBy, differs } from './dry-run.js';

const support = 'team_support';
const definition = (tags: string[], team = support): WorkflowDefinition => ({
  name: 'Everyone → Support',
  enabled: true,
  priority: 100,
  stopProcessing: false,
  trigger: { event: 'conversation.created' },
  actions: [
    { type: 'add_tag', tags },
    { type: 'assign', onlyIfUnassigned: true, steps: [{ pool: { team }, strategy: 'round_robin', timeoutSec: 120 }, { pool: { team }, strategy: 'least_loaded' }], onExhausted: { type: 'queue' } },
  ],
});
const live = (version: number, def: WorkflowDefinition): WorkflowVersion => ({ version, definition: def, publishedAt: new Date(0).toISOString(), publishedBy: null });
/** The versions at hand, as the editor gathers them: the live one, and `older` ones read for the replay. */
const at = (current: WorkflowVersion | null, older: [number, WorkflowDefinition][] = []) => new Map([...(current ? [[current.version, current.definition] as const] : []), ...older]);

const assigned = (agentId: string, stepIndex = 0): AssignDecision => ({ kind: 'assign', agentId, stepIndex, strategy: 'round_robin', summary: `to ${agentId}`, steps: [] });
const waiting = (until: number): AssignDecision => ({ kind: 'wait', stepIndex: 0, until, summary: 'waiting', steps: [] });
const queued: AssignDecision = { kind: 'queue', teamId: support, summary: 'queued', steps: [] };

/** A replayed conversation: what the run of `version` did, and what the draft would do now. */
function result(version: number | null, ran: { matched: boolean; decision?: AssignDecision }, would: { matched: boolean; decision?: AssignDecision }): DryRunResult {
  const actions = (matched: boolean, decision?: AssignDecision) => (matched ? [{ index: 0, type: 'add_tag' }, { index: 1, type: 'assign', ...(decision ? { decision } : {}) }] : []);
  return {
    conversationId: 'conv_1',
    facts: {} as DryRunResult['facts'],
    draft: { matched: would.matched, conditions: null, actions: actions(would.matched, would.decision).map((a) => ({ ...a, would: `${a.type} now` })) },
    published:
      version === null
        ? null
        : { version, matched: ran.matched, outcome: ran.matched ? 'applied' : 'not_matched', actions: actions(ran.matched, ran.decision).map((a) => ({ ...a, status: 'done' as const, detail: `${a.type} then` })) },
  };
}

describe('dry run: which conversations the draft would handle differently', () => {
  const def = definition(['vip']);
  const v3 = live(3, def);

  it('the same rule replayed is the same, though round-robin deals to the next agent and a wait ends later', () => {
    expect(differs(result(3, { matched: true, decision: assigned('agt_maria') }, { matched: true, decision: assigned('agt_ben') }), def, at(v3))).to.equal(false);
    expect(differs(result(3, { matched: true, decision: waiting(1_000) }, { matched: true, decision: waiting(61_000) }), def, at(v3))).to.equal(false);
    expect(differs(result(3, { matched: false }, { matched: false }), def, at(v3))).to.equal(false);
  });

  it('another path is a difference: matching or not, assigning against waiting or queueing, another step', () => {
    expect(differs(result(3, { matched: true, decision: assigned('agt_maria') }, { matched: false }), def, at(v3))).to.equal(true);
    expect(differs(result(3, { matched: false }, { matched: true, decision: assigned('agt_maria') }), def, at(v3))).to.equal(true);
    expect(differs(result(3, { matched: true, decision: assigned('agt_maria') }, { matched: true, decision: queued }), def, at(v3))).to.equal(true);
    expect(differs(result(3, { matched: true, decision: waiting(1_000) }, { matched: true, decision: assigned('agt_maria') }), def, at(v3))).to.equal(true);
    expect(differs(result(3, { matched: true, decision: assigned('agt_maria', 0) }, { matched: true, decision: assigned('agt_maria', 1) }), def, at(v3))).to.equal(true);
  });

  it("the draft's other settings are a difference against the live version's run", () => {
    const same = result(3, { matched: true, decision: assigned('agt_maria') }, { matched: true, decision: assigned('agt_maria') });
    expect(differs(same, definition(['billing']), at(v3)), 'another tag').to.equal(true);
    expect(differs(same, definition(['vip'], 'team_bilingual'), at(v3)), 'another team').to.equal(true);
    // A run of an older version: compared with that version's settings when they are at hand
    // (a reorder publishes versions, so most runs are of one), by path alone when not.
    const older = result(2, { matched: true, decision: assigned('agt_maria') }, { matched: true, decision: assigned('agt_ben') });
    expect(differs(older, definition(['billing']), at(v3))).to.equal(false);
    expect(differs(older, definition(['billing']), at(v3, [[2, definition(['vip'])]])), 'another tag than version 2').to.equal(true);
    expect(differs(older, definition(['vip']), at(v3, [[2, definition(['vip'])]])), 'as version 2').to.equal(false);
  });

  it('a conversation the live version never ran on differs when the draft would act on it', () => {
    expect(differs(result(null, { matched: false }, { matched: true, decision: assigned('agt_maria') }), def, at(v3))).to.equal(true);
    expect(differs(result(null, { matched: false }, { matched: false }), def, at(null))).to.equal(false);
  });
});

describe('dry run: what decided the draft', () => {
  type Trace = NonNullable<DryRunResult['draft']['conditions']>;
  const leaf = (field: string, text: string, actual: unknown, result: boolean): Trace => ({ kind: 'condition', path: [], field, op: 'eq', value: null, text, actual, result } as unknown as Trace);
  const decided = (conditions: Trace | null) => decidedBy({ ...result(null, { matched: false }, { matched: conditions?.result ?? true }), draft: { matched: conditions?.result ?? true, conditions, actions: [] } }, { teams: [{ id: support, name: 'Support' }] });

  it('names every condition that kept it from matching, in words, and each that made it match', () => {
    const spanish = leaf('conversation.language', 'conversation language is Spanish', 'en', false);
    const tagged = leaf('contact.tags', 'contact tags include spanish', [], false);
    const spam = leaf('contact.tags', 'contact tags include spam', ['spam'], true);
    expect(decided({ kind: 'any', path: [], result: false, children: [spanish, tagged] } as Trace)).to.equal(
      'conversation language is Spanish: was English; contact tags include spanish: was none',
    );
    expect(decided({ kind: 'all', path: [], result: false, children: [leaf('conversation.team', 'team is Support', support, true), { kind: 'not', path: [], result: false, child: spam }] } as Trace)).to.equal(
      'contact tags include spam (must not): was spam',
    );
    expect(decided({ kind: 'any', path: [], result: true, children: [spanish, { ...spanish, actual: 'es', result: true }, leaf('conversation.team', 'team is Support', support, true)] } as Trace)).to.equal(
      'conversation language is Spanish: was Spanish; team is Support: was Support',
    );
    expect(decided(null)).to.equal('No conditions');
    expect(decided({ kind: 'all', path: [], result: true, children: [] } as Trace)).to.equal('No conditions');
  });
});
