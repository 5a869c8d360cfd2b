import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssignStep as AssignStepSchema, type AssignAction, type AssignStep, type RoutingAgent } from '@baton/protocol';
import { anyStepHasEligible, canTakeMore, eligibleAgents, pickAgent, planAssign } from '../src/index.js';
import { agent } from './support.js';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const at = (seconds: number) => ({ now: T0 + seconds * 1000, waitingSince: T0 });
const step = (patch: Partial<AssignStep> = {}): AssignStep => ({ pool: { team: 'support' }, strategy: 'round_robin', ...patch });

describe('eligibleAgents', () => {
  it('keeps online, active, under-capacity pool members with the required skills, and says why not for the rest', () => {
    const snapshot = [
      agent('ana'),
      agent('maria', { availability: 'away', skills: ['es'] }),
      agent('luis', { openAssigned: 25, capacity: 25, skills: ['es'] }),
      agent('ben', { skills: ['fr'] }),
      agent('tom', { active: false, skills: ['es'] }),
      agent('carla', { skills: ['es', 'technical'] }),
      agent('out', { teamIds: ['sales'], skills: ['es'] }),
    ];
    const { eligible, excluded, preference } = eligibleAgents(step({ require: { skills: ['es'] } }), snapshot, at(0));
    assert.deepEqual(eligible.map((a) => a.id), ['carla']);
    assert.equal(preference, null);
    assert.deepEqual(excluded.map((e) => [e.agentId, e.code, e.message]), [
      ['ana', 'missing_skill', 'ana lacks skill es'],
      ['maria', 'unavailable', 'maria away'],
      ['luis', 'at_capacity', 'luis at capacity 25/25'],
      ['ben', 'missing_skill', 'ben lacks skill es'],
      ['tom', 'deactivated', 'tom deactivated'],
    ]);
  });

  it('a rule skill matches an agent skill whatever its case: the schema stores it lower case, as agents store theirs', () => {
    const parsed = AssignStepSchema.parse(step({ require: { skills: ['ES'] }, prefer: { skills: [' Technical '] } }));
    assert.deepEqual(parsed.require?.skills, ['es']);
    assert.deepEqual(parsed.prefer?.skills, ['technical']);
    const { eligible, excluded } = eligibleAgents(parsed, [agent('carla', { skills: ['es', 'technical'] }), agent('ben', { skills: ['fr'] })], at(0));
    assert.deepEqual(eligible.map((a) => a.id), ['carla']);
    assert.deepEqual(excluded.map((e) => e.message), ['ben lacks skill es']);
  });

  it('an agents pool takes exactly the listed agents and reports unknown ids', () => {
    const { eligible, excluded } = eligibleAgents(step({ pool: { agents: ['tom', 'ghost'] } }), [agent('tom', { teamIds: [] }), agent('ana')], at(0));
    assert.deepEqual(eligible.map((a) => a.id), ['tom']);
    assert.deepEqual(excluded.map((e) => e.code), ['unknown_agent']);
  });

  it('prefers agents with the preferred skills while some are eligible', () => {
    const snapshot = [agent('ana'), agent('maria', { skills: ['es'] })];
    const r = eligibleAgents(step({ prefer: { skills: ['es'] } }), snapshot, at(0));
    assert.deepEqual(r.eligible.map((a) => a.id), ['maria']);
    assert.equal(r.preference?.status, 'applied');
    assert.deepEqual(r.excluded.map((e) => [e.agentId, e.code]), [['ana', 'not_preferred']]);
  });

  it('without dropAfterSec, falls back to everyone at once when no preferred agent is available', () => {
    const snapshot = [agent('ana'), agent('maria', { skills: ['es'], availability: 'offline' })];
    const r = eligibleAgents(step({ prefer: { skills: ['es'] } }), snapshot, at(0));
    assert.deepEqual(r.eligible.map((a) => a.id), ['ana']);
    assert.equal(r.preference?.status, 'fallback');
  });

  it('with dropAfterSec, holds for a preferred agent until the conversation has waited that long', () => {
    const snapshot = [agent('ana'), agent('maria', { skills: ['es'], availability: 'offline' })];
    const s = step({ prefer: { skills: ['es'], dropAfterSec: 60 } });
    const before = eligibleAgents(s, snapshot, at(59));
    assert.deepEqual(before.eligible, []);
    assert.deepEqual(before.preference, { skills: ['es'], status: 'holding', dropsAt: T0 + 60_000 });
    const after = eligibleAgents(s, snapshot, at(60));
    assert.deepEqual(after.eligible.map((a) => a.id), ['ana']);
    assert.equal(after.preference?.status, 'dropped');
  });
});

describe('pickAgent', () => {
  it('round_robin: never assigned first, then assigned longest ago, ties by id', () => {
    const agents = [agent('c', { lastAssignedAt: 10 }), agent('b', { lastAssignedAt: null }), agent('a', { lastAssignedAt: null }), agent('d', { lastAssignedAt: 5 })];
    assert.equal(pickAgent('round_robin', agents)?.id, 'a');
    assert.equal(pickAgent('round_robin', agents.filter((x) => x.lastAssignedAt !== null))?.id, 'd');
    assert.equal(pickAgent('round_robin', [agent('y', { lastAssignedAt: 7 }), agent('x', { lastAssignedAt: 7 })])?.id, 'x');
  });

  it('least_loaded: fewest open, ties by longest ago, then id', () => {
    const agents = [agent('a', { openAssigned: 3 }), agent('b', { openAssigned: 1, lastAssignedAt: 50 }), agent('c', { openAssigned: 1, lastAssignedAt: 20 })];
    assert.equal(pickAgent('least_loaded', agents)?.id, 'c');
    assert.equal(pickAgent('least_loaded', [agent('b', { openAssigned: 2 }), agent('a', { openAssigned: 2 })])?.id, 'a');
  });

  it('takes times as epoch ms, ISO strings or Dates alike', () => {
    const agents = [agent('b', { lastAssignedAt: '2026-12-01T09:00:00Z' }), agent('a', { lastAssignedAt: Date.parse('2026-12-01T10:00:00Z') })];
    assert.equal(pickAgent('round_robin', agents)?.id, 'b');
    const action: AssignAction = { type: 'assign', steps: [step({ pool: { agents: ['x'] }, timeoutSec: 60 }), step()] };
    const d = planAssign(action, [agent('x', { availability: 'away' })], { now: new Date(T0 + 1000), waitingSince: '2026-12-01T09:00:00Z' });
    assert.ok(d.kind === 'wait');
    assert.equal(d.until, T0 + 60_000);
    assert.throws(() => planAssign(action, [], { now: 'yesterday', waitingSince: T0 }), RangeError);
  });

  it('nobody eligible: null', () => {
    assert.equal(pickAgent('round_robin', []), null);
    assert.equal(pickAgent('least_loaded', []), null);
  });

  it('round_robin spreads picks evenly when lastAssignedAt is updated after each pick', () => {
    for (const n of [2, 3, 5, 7]) {
      let agents: RoutingAgent[] = Array.from({ length: n }, (_, i) => agent(`a${i}`, { lastAssignedAt: i % 2 === 0 ? null : i * 1000 }));
      const counts = new Map<string, number>();
      for (let pick = 0; pick < 1000; pick++) {
        const chosen = pickAgent('round_robin', agents)!;
        counts.set(chosen.id, (counts.get(chosen.id) ?? 0) + 1);
        agents = agents.map((a) => (a.id === chosen.id ? { ...a, lastAssignedAt: 1_000_000 + pick } : a));
      }
      const values = [...counts.values()];
      assert.equal(values.length, n);
      assert.ok(Math.max(...values) - Math.min(...values) <= 1, `${n} agents: ${JSON.stringify([...counts])}`);
    }
  });

  it('least_loaded keeps loads level as conversations are handed out', () => {
    let agents = [agent('a', { openAssigned: 5 }), agent('b', { openAssigned: 0 }), agent('c', { openAssigned: 2 })];
    for (let pick = 0; pick < 30; pick++) {
      const chosen = pickAgent('least_loaded', agents)!;
      agents = agents.map((a) => (a.id === chosen.id ? { ...a, openAssigned: a.openAssigned + 1, lastAssignedAt: pick } : a));
    }
    const loads = agents.map((a) => a.openAssigned);
    assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, JSON.stringify(loads));
  });

  it('capacity is respected across many assignments: nobody goes over', () => {
    let agents = [agent('a', { capacity: 3 }), agent('b', { capacity: 5 })];
    const s = step();
    let assigned = 0;
    for (let i = 0; i < 20; i++) {
      const { eligible } = eligibleAgents(s, agents, at(0));
      const chosen = pickAgent('round_robin', eligible);
      if (!chosen) break;
      assigned++;
      agents = agents.map((a) => (a.id === chosen.id ? { ...a, openAssigned: a.openAssigned + 1, lastAssignedAt: i } : a));
    }
    assert.equal(assigned, 8);
    assert.deepEqual(agents.map((a) => a.openAssigned), [3, 5]);
  });
});

describe('planAssign', () => {
  // The seed's Spanish rule: bilingual agents with es (skip when none), then the bilingual team by load.
  const spanish: AssignAction = {
    type: 'assign',
    onlyIfUnassigned: true,
    steps: [
      { pool: { team: 'bilingual' }, require: { skills: ['es'] }, strategy: 'round_robin', timeoutSec: 120, skipIfNoneAvailable: true },
      { pool: { team: 'bilingual' }, strategy: 'least_loaded' },
    ],
    onExhausted: { type: 'queue' },
  };

  it('assigns at the first step with an eligible agent, with the reason', () => {
    const snapshot = [agent('maria', { skills: ['es'], teamIds: ['bilingual'], lastAssignedAt: 100 }), agent('marta', { skills: ['es'], teamIds: ['bilingual'], lastAssignedAt: 50 })];
    const d = planAssign(spanish, snapshot, at(0));
    assert.equal(d.kind, 'assign');
    assert.ok(d.kind === 'assign');
    assert.equal(d.agentId, 'marta');
    assert.equal(d.stepIndex, 0);
    assert.deepEqual(d.steps.map((s) => s.status), ['assigned', 'not_reached']);
    assert.match(d.summary, /step 1 .*marta, assigned longest ago/);
  });

  it('names the pool in its sentences: the team by the name it is given, agents by theirs', () => {
    const snapshot = [agent('maria', { name: 'Maria', skills: ['es'], teamIds: ['bilingual'] })];
    const named = planAssign(spanish, snapshot, { ...at(0), teamNames: new Map([['bilingual', 'Bilingual']]) });
    assert.match(named.summary, /^step 1 \(team Bilingual, requires es, round-robin\): Maria/);
    assert.match(planAssign(spanish, snapshot, at(0)).summary, /^step 1 \(team bilingual,/, 'without names, the id');
    const toPeople = { ...spanish, steps: [{ pool: { agents: ['maria', 'gone'] }, strategy: 'round_robin' as const }] };
    assert.match(planAssign(toPeople, snapshot, at(0)).summary, /^step 1 \(agents Maria, gone, round-robin\)/);
  });

  it('skipIfNoneAvailable goes straight to the next step', () => {
    const snapshot = [agent('maria', { skills: ['es'], teamIds: ['bilingual'], availability: 'away' }), agent('ana', { teamIds: ['bilingual'] })];
    const d = planAssign(spanish, snapshot, at(0));
    assert.ok(d.kind === 'assign');
    assert.equal(d.agentId, 'ana');
    assert.equal(d.stepIndex, 1);
    assert.deepEqual(d.steps.map((s) => s.status), ['skipped', 'assigned']);
    assert.match(d.summary, /maria away/);
  });

  it('a step without skip waits until its timeout, then the next step takes over', () => {
    const action: AssignAction = {
      type: 'assign',
      steps: [
        { pool: { team: 'support' }, require: { skills: ['technical'] }, strategy: 'least_loaded', timeoutSec: 300 },
        { pool: { team: 'support' }, strategy: 'round_robin' },
      ],
    };
    const snapshot = [agent('tom', { skills: ['technical'], availability: 'away' }), agent('ana')];
    const waiting = planAssign(action, snapshot, at(299));
    assert.ok(waiting.kind === 'wait');
    assert.equal(waiting.stepIndex, 0);
    assert.equal(waiting.until, T0 + 300_000);
    assert.deepEqual(waiting.steps.map((s) => s.status), ['waiting', 'not_reached']);
    const after = planAssign(action, snapshot, at(300));
    assert.ok(after.kind === 'assign');
    assert.equal(after.agentId, 'ana');
    assert.deepEqual(after.steps.map((s) => s.status), ['expired', 'assigned']);
    // Tom comes back before the timeout: the first step assigns him.
    const back = planAssign(action, [agent('tom', { skills: ['technical'] }), agent('ana')], at(120));
    assert.ok(back.kind === 'assign');
    assert.equal(back.agentId, 'tom');
  });

  it('timeouts add up from waitingSince, so planning again later (after a restart) gives the same step', () => {
    const action: AssignAction = {
      type: 'assign',
      steps: [step({ pool: { agents: ['x'] }, timeoutSec: 60 }), step({ pool: { agents: ['y'] }, timeoutSec: 60 }), step({ pool: { agents: ['z'] } })],
    };
    const nobody = [agent('x', { availability: 'offline' }), agent('y', { availability: 'offline' }), agent('z', { availability: 'offline' })];
    const d = (seconds: number) => planAssign(action, nobody, at(seconds));
    assert.deepEqual([d(0), d(59), d(60), d(119), d(120), d(100_000)].map((x) => x.kind === 'wait' && [x.stepIndex, x.until]), [
      [0, T0 + 60_000], [0, T0 + 60_000], [1, T0 + 120_000], [1, T0 + 120_000], [2, null], [2, null],
    ]);
  });

  it('every step skipped: queue, in the last team pool', () => {
    const action: AssignAction = { type: 'assign', steps: [step({ skipIfNoneAvailable: true }), step({ pool: { agents: ['tom'] }, skipIfNoneAvailable: true })], onExhausted: { type: 'queue' } };
    const d = planAssign(action, [agent('ana', { availability: 'offline' }), agent('tom', { openAssigned: 30, capacity: 25 })], at(0));
    assert.ok(d.kind === 'queue');
    assert.equal(d.teamId, 'support');
    assert.deepEqual(d.steps.map((s) => s.status), ['skipped', 'skipped']);
    assert.match(d.summary, /tom at capacity 30\/25.*queued/);
  });

  it('leaves an assigned conversation alone unless onlyIfUnassigned is false', () => {
    const snapshot = [agent('ana')];
    assert.equal(planAssign({ type: 'assign', steps: [step()] }, snapshot, { ...at(0), assigneeId: 'ben' }).kind, 'skip');
    const d = planAssign({ type: 'assign', onlyIfUnassigned: false, steps: [step()] }, snapshot, { ...at(0), assigneeId: 'ben' });
    assert.ok(d.kind === 'assign');
    assert.equal(d.agentId, 'ana');
  });

  it('a reassignment never picks the current assignee, even when the strategy would', () => {
    const action: AssignAction = { type: 'assign', onlyIfUnassigned: false, steps: [step()] };
    // Round-robin would pick Ben (assigned longest ago), least-loaded too (fewest open).
    const snapshot = [agent('ben', { lastAssignedAt: T0 - 60_000, openAssigned: 1 }), agent('ana', { lastAssignedAt: T0, openAssigned: 4 })];
    for (const strategy of ['round_robin', 'least_loaded'] as const) {
      const d = planAssign({ ...action, steps: [step({ strategy })] }, snapshot, { ...at(0), assigneeId: 'ben' });
      assert.ok(d.kind === 'assign', strategy);
      assert.equal(d.agentId, 'ana', strategy);
      assert.deepEqual(d.steps[0]!.excluded.map((e) => [e.agentId, e.code, e.message]), [['ben', 'current_assignee', 'ben is already assigned']]);
    }
    assert.equal((planAssign(action, snapshot, { ...at(0), assigneeId: null }) as { agentId: string }).agentId, 'ben', 'unassigned: Ben is eligible');
  });

  it('a rule for unassigned conversations leaves an assigned one alone, naming its agent as the run log names everyone', () => {
    const action: AssignAction = { type: 'assign', steps: [step()] };
    const d = planAssign(action, [agent('ben', { name: 'Ben' }), agent('ana')], { ...at(0), assigneeId: 'ben' });
    assert.ok(d.kind === 'skip');
    assert.equal(d.summary, 'already assigned to Ben; the rule assigns only unassigned conversations');
    assert.match(planAssign(action, [agent('ana')], { ...at(0), assigneeId: 'gone' }).summary, /^already assigned to gone;/, 'an agent the snapshot lacks: by id');
  });

  it('a reassignment with nobody else eligible waits, and says the assignee is already assigned before anything else about them', () => {
    const action: AssignAction = { type: 'assign', onlyIfUnassigned: false, steps: [step()] };
    const d = planAssign(action, [agent('ben', { availability: 'away' }), agent('maria', { availability: 'away' }), agent('luis', { openAssigned: 25, capacity: 25 })], { ...at(0), assigneeId: 'ben' });
    assert.ok(d.kind === 'wait');
    assert.deepEqual(d.steps[0]!.excluded.map((e) => e.message), ['ben is already assigned', 'maria away', 'luis at capacity 25/25']);
    assert.match(d.summary, /no eligible agent \(ben is already assigned; maria away; luis at capacity 25\/25\)/);
  });

  it('a held preference waits until it drops, then assigns anyone eligible', () => {
    const action: AssignAction = { type: 'assign', steps: [step({ prefer: { skills: ['es'], dropAfterSec: 90 } })] };
    const snapshot = [agent('ana'), agent('maria', { skills: ['es'], availability: 'away' })];
    const held = planAssign(action, snapshot, at(30));
    assert.ok(held.kind === 'wait');
    assert.equal(held.until, T0 + 90_000);
    const dropped = planAssign(action, snapshot, at(90));
    assert.ok(dropped.kind === 'assign');
    assert.equal(dropped.agentId, 'ana');
  });
});

describe('anyStepHasEligible', () => {
  const action = (steps: AssignStep[]): AssignAction => ({ type: 'assign', steps, onExhausted: { type: 'queue' } }) as AssignAction;
  const ladder = action([step({ pool: { team: 'bilingual' }, require: { skills: ['es'] }, timeoutSec: 60 }), step({ pool: { team: 'bilingual' } })]);
  const bilingual = (id: string, patch: Partial<RoutingAgent> = {}) => agent(id, { teamIds: ['bilingual'], skills: ['es'], ...patch });

  it('is false only when no step of the action has anyone who could take a conversation now', () => {
    assert.equal(anyStepHasEligible(ladder, [bilingual('maria', { availability: 'away' }), bilingual('luis', { openAssigned: 25 }), agent('ana')]), false);
    // The second step needs no skill: a bilingual agent without es can take it (after step 1's timeout).
    assert.equal(anyStepHasEligible(ladder, [bilingual('maria', { availability: 'away' }), bilingual('pat', { skills: [] })]), true);
    assert.equal(anyStepHasEligible(ladder, [bilingual('maria')]), true);
    assert.equal(anyStepHasEligible(ladder, [bilingual('tom', { active: false })]), false);
  });

  it('canTakeMore: active, online and below capacity, whatever the skills', () => {
    assert.deepEqual(
      [agent('a'), agent('b', { availability: 'away' }), agent('c', { openAssigned: 25 }), agent('d', { active: false }), agent('e', { skills: [] })].map(canTakeMore),
      [true, false, false, false, true],
    );
  });

  it('agrees with planAssign: when it is false, no waiting time lets planAssign assign', () => {
    const snapshots: RoutingAgent[][] = [
      [bilingual('maria', { availability: 'offline' }), agent('ana')],
      [bilingual('luis', { openAssigned: 25, capacity: 25 })],
      [bilingual('pat', { skills: [] })],
      [bilingual('maria')],
    ];
    for (const snapshot of snapshots) {
      const assignsSometime = [0, 30, 61, 3600].some((s) => planAssign(ladder, snapshot, { ...at(s), assigneeId: null }).kind === 'assign');
      assert.equal(anyStepHasEligible(ladder, snapshot), assignsSometime, snapshot.map((a) => a.id).join(','));
    }
  });
});
