import type { DryRunResult, RoutingAgent, RuleFacts, RunOutcome, TestWorkflowBody, WorkflowDefinition } from '@baton/protocol';
import { normalizeTags } from '@baton/protocol';
import { explainConditions, planAssign, renderTemplate } from '@baton/rules';
import { detectLanguage } from '@baton/rules/language';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { findAgent } from '../storage/agents.js';
import { findContact } from '../storage/contacts.js';
import { findConversation, latestConversations } from '../storage/conversations.js';
import type { ConversationRow } from '../storage/schema.js';
import { findTeam } from '../storage/teams.js';
import { recentInboundBodies } from '../storage/timeline.js';
import { listConversationRuns, readRunDetail } from '../storage/workflow-runs.js';
import { findWorkflow } from '../storage/workflows.js';
import { findWorkspace } from '../storage/workspaces.js';
import { buildFacts, noteVariables, notifyRecipients } from './workflow-runner.js';
import { acceptDefinition, routingAgents, routingTeamNames } from './workflows.js';

/*
 * `POST /v1/workflows/test` (issue 9, "Dry run and replay"): evaluates a draft with the runner's own
 * pieces (facts, explainConditions, planAssign over the agents as they are now) and writes nothing.
 * Each conversation is taken as if it arrived now, unassigned, on its own: the message is its
 * latest inbound one, and one conversation's would-be assignment does not change the agents the
 * next one sees. Next to it, the live version's latest run on that conversation shows what it did.
 */
export async function testWorkflow(deps: Deps, p: WorkspacePrincipal, body: TestWorkflowBody) {
  const db = deps.storage.db;
  const now = deps.clock.now();
  if (body.workflowId !== undefined && !(await findWorkflow(db, p.workspaceId, body.workflowId))) throw notFound('workflow');
  const { definition, warnings } = await acceptDefinition(db, p.workspaceId, body.workflow, body.workflowId, now);
  const workspace = await findWorkspace(db, p.workspaceId);
  if (!workspace) throw notFound('workspace');
  const [agents, teamNames] = await Promise.all([routingAgents(db, p.workspaceId), routingTeamNames(db, p.workspaceId)]);
  const teams = [...teamNames].map(([id, name]) => ({ id, name }));

  const targets: { row: ConversationRow | null; facts: RuleFacts }[] = [];
  if (body.sample) targets.push({ row: null, facts: sampleFacts(body.sample) });
  else {
    let rows: ConversationRow[];
    if (body.conversationId !== undefined) {
      const row = await findConversation(db, p.workspaceId, body.conversationId);
      if (!row) throw notFound('conversation');
      rows = [row];
    } else rows = await latestConversations(db, p.workspaceId, body.last!);
    for (const row of rows) {
      const contact = await findContact(db, p.workspaceId, row.contact_id);
      if (!contact) continue;
      const [message] = await recentInboundBodies(db, p.workspaceId, row.id, 1);
      targets.push({ row, facts: buildFacts(row, contact, message ?? null, now, workspace.time_zone) });
    }
  }

  const results: DryRunResult[] = [];
  for (const { row, facts } of targets) {
    const trace = definition.conditions ? explainConditions(definition.conditions, facts, { teams }) : null;
    const matched = trace ? trace.result : true;
    const actions = matched ? await wouldDo(deps, p.workspaceId, definition, facts, row, agents, teamNames, now) : [];
    let published: DryRunResult['published'] = null;
    if (row && body.workflowId !== undefined) {
      const run = (await listConversationRuns(db, p.workspaceId, row.id, 200)).find((r) => r.workflow_id === body.workflowId);
      if (run) {
        published = { version: Number(run.version), matched: Number(run.matched) === 1, outcome: run.outcome as RunOutcome, actions: readRunDetail(run.detail).actions };
      }
    }
    results.push({ conversationId: row?.id ?? null, facts, draft: { matched, conditions: trace, actions }, published });
  }
  return { warnings, results };
}

async function wouldDo(
  deps: Deps,
  workspaceId: string,
  definition: WorkflowDefinition,
  facts: RuleFacts,
  row: ConversationRow | null,
  agents: RoutingAgent[],
  teamNames: ReadonlyMap<string, string>,
  now: number,
): Promise<DryRunResult['draft']['actions']> {
  const out: DryRunResult['draft']['actions'] = [];
  const db = deps.storage.db;
  // As the runner's pass leaves them for a later action: a note's {{agent.name}} is whom this
  // rule's assign picked, and its {{team.name}} the team the conversation is in by then.
  let assignee: RoutingAgent | null = null;
  let teamId = facts.conversation.team ?? null;
  for (const [index, action] of definition.actions.entries()) {
    const base = { index, type: action.type };
    switch (action.type) {
      case 'assign': {
        const decision = planAssign(action, agents, { now, waitingSince: now, assigneeId: null, teamNames });
        if (decision.kind === 'assign') {
          assignee = agents.find((a) => a.id === decision.agentId) ?? null;
          const pool = action.steps[decision.stepIndex]?.pool;
          if (pool && 'team' in pool) teamId = pool.team;
        } else if (decision.kind === 'queue' && decision.teamId !== null) teamId = decision.teamId;
        const would =
          decision.kind === 'assign'
            ? `Assign to ${assignee?.name ?? decision.agentId}: ${decision.summary}`
            : decision.kind === 'skip'
              ? decision.summary
              : `Wait in the queue: ${decision.summary}`;
        out.push({ ...base, would, decision });
        break;
      }
      case 'set_team': {
        const team = await findTeam(db, workspaceId, action.team);
        if (team) teamId = team.id;
        out.push({ ...base, would: team ? `Set team to ${team.name}` : `Skip: team ${action.team} no longer exists` });
        break;
      }
      case 'add_tag':
        out.push({ ...base, would: `Tag ${normalizeTags(action.tags).join(', ')}` });
        break;
      case 'remove_tag':
        out.push({ ...base, would: `Untag ${normalizeTags(action.tags).join(', ')}` });
        break;
      case 'set_priority':
        out.push({ ...base, would: `Set priority to ${action.priority}` });
        break;
      case 'add_note': {
        const agent = assignee ? { id: assignee.id, stored: await findAgent(db, workspaceId, assignee.id) } : null;
        const teamName = teamId === null ? null : (teamNames.get(teamId) ?? null);
        const body = renderTemplate(action.body, noteVariables(facts, { ruleName: definition.name, conversationId: row?.id ?? null, phone: null, agent, teamName }));
        out.push({ ...base, would: `Add a note: ${body}` });
        break;
      }
      case 'notify': {
        const reached = await notifyRecipients(db, workspaceId, action.to);
        out.push({ ...base, would: 'skipped' in reached ? `Skip: ${reached.skipped}` : `Notify ${reached.usernames}` });
        break;
      }
    }
  }
  return out;
}

/**
 * A sample is read as the runner reads a conversation: its language is the contact's when set,
 * otherwise the one the sample gives, otherwise the one its message would be detected as. So a
 * sample whose customer writes in Spanish meets "conversation language is Spanish", as the same
 * message would in the inbox; the response's `facts` say which language it was given.
 */
function sampleFacts(sample: RuleFacts): RuleFacts {
  const body = sample.message?.body ?? '';
  const language = sample.contact.language ?? sample.conversation.language ?? (body.trim() ? detectLanguage([body]).language : null);
  return language === sample.conversation.language ? sample : { ...sample, conversation: { ...sample.conversation, language } };
}
