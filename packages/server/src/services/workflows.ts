import { parseWorkflowDefinition, type ConditionTrace, type WorkflowDefinition, type RoutingAgent, type RunOutcome, type WorkflowRun, type ValidateWorkflowBody, type Workflow, type WorkflowValidationResult, type WorkflowVersion } from '@baton/protocol';
import { inflateTrace, validateWorkflowSet, type LeafOutcome, type ValidationContext } from '@baton/rules';
import type { Kysely } from 'kysely';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { AppError, badRequest, notFound } from '../errors.js';
import { idFloor, newId } from '../ids.js';
import { listAgentRows, openAssignedFromCounters } from '../storage/agents.js';
import { iso } from '../storage/mappers.js';
import type { Database, WorkflowRow, WorkflowRunRow, WorkflowVersionRow } from '../storage/schema.js';
import { findContact } from '../storage/contacts.js';
import { contactNamesOf, findConversation } from '../storage/conversations.js';
import { listConversationRuns, listWorkflowRuns, readRunDetail } from '../storage/workflow-runs.js';
import { listTeamRows, teamMemberships } from '../storage/teams.js';
import {
  findVersion,
  findWorkflow,
  insertWorkflow,
  listVersionRows,
  listWorkflowRows,
  liveVersionRows,
  markWorkflowDeleted,
  publishVersion,
  saveDraft,
} from '../storage/workflows.js';
import { minutesOf, scheduleForDefinition } from './routing-timers.js';
import { runCommand } from './change-runner.js';
import { liveWorkflows, versionDefinition, type LiveWorkflow } from './live-workflows.js';

/*
 * Workflows (DESIGN §6): drafts edited with `If-Match`, publications as immutable versions. Every
 * save and publication is validated by `@baton/rules` against the workspace as it is (teams,
 * agents, the other live workflows): errors refuse it with 422 `workflow_invalid`, each at its
 * JSON path in the body; warnings come back with the result.
 */

type Db = Kysely<Database>;

const parseDefinition = (json: string) => JSON.parse(json) as WorkflowDefinition;

const toVersion = (r: Pick<WorkflowVersionRow, 'version' | 'definition' | 'published_at' | 'published_by'>): WorkflowVersion => ({
  version: Number(r.version),
  definition: parseDefinition(r.definition),
  publishedAt: iso(r.published_at),
  publishedBy: r.published_by,
});

function toWorkflow(row: WorkflowRow, live: WorkflowVersionRow | undefined): Workflow {
  return {
    id: row.id,
    draft: parseDefinition(row.draft),
    draftVersion: Number(row.draft_version),
    draftUpdatedBy: row.draft_updated_by ?? null,
    published: live ? toVersion(live) : null,
    hasUnpublishedChanges: !live || live.definition !== row.draft,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Agents as routing sees them now: availability, open load, capacity, skills, teams, last assignment. */
export async function routingAgents(db: Db, workspaceId: string): Promise<RoutingAgent[]> {
  const [rows, load, memberships] = await Promise.all([listAgentRows(db, workspaceId), openAssignedFromCounters(db, workspaceId), teamMemberships(db, workspaceId)]);
  const teams = new Map<string, string[]>();
  for (const m of memberships) teams.set(m.agent_id, [...(teams.get(m.agent_id) ?? []), m.team_id]);
  return rows.map((r) => ({
    id: r.id,
    name: r.username,
    active: Number(r.active) === 1,
    availability: r.availability,
    openAssigned: load.get(r.id) ?? 0,
    capacity: Number(r.capacity),
    skills: JSON.parse(r.skills) as string[],
    lastAssignedAt: r.last_assigned_at === null ? null : Number(r.last_assigned_at),
    teamIds: (teams.get(r.id) ?? []).sort(),
  }));
}

/** The workspace's team names by id, for the assign plan's sentences ("step 1 (team Support, …)"). */
export async function routingTeamNames(db: Db, workspaceId: string): Promise<Map<string, string>> {
  return new Map((await listTeamRows(db, workspaceId)).map((t) => [t.id, t.name]));
}

async function validationContext(db: Db, workspaceId: string, now: number): Promise<ValidationContext> {
  const [teams, agents] = await Promise.all([listTeamRows(db, workspaceId), routingAgents(db, workspaceId)]);
  return { teams: teams.map((t) => ({ id: t.id, name: t.name })), agents, now };
}

/**
 * Validates `candidate` as the workspace would run it: in place of `workflowId`'s live version (or
 * after the others, for a new workflow), so shadowing and conflicts with the other live workflows
 * are found. Only the candidate's own findings are returned, with paths into the candidate.
 */
/** `live`: the workspace's live workflows when the caller has read them already. */
async function check(
  db: Db,
  workspaceId: string,
  candidate: unknown,
  workflowId: string | undefined,
  now: number,
  liveSet?: readonly LiveWorkflow[],
): Promise<WorkflowValidationResult> {
  const [context, live] = await Promise.all([validationContext(db, workspaceId, now), liveSet ?? liveWorkflows(db, workspaceId)]);
  const set: unknown[] = live.filter((l) => l.workflowId !== workflowId).map((l) => l.definition);
  const own = live.findIndex((l) => l.workflowId === workflowId);
  const index = own === -1 ? set.length : own;
  set.splice(index, 0, candidate);
  const all = validateWorkflowSet(set, context);
  const mine = <T extends { path: (string | number)[] }>(items: T[]) => items.filter((i) => i.path[0] === index).map((i) => ({ ...i, path: i.path.slice(1) }));
  return { errors: mine(all.errors), warnings: mine(all.warnings) };
}

function refuseInvalid(result: WorkflowValidationResult): void {
  if (result.errors.length === 0) return;
  const first = result.errors[0]!;
  throw new AppError(422, 'workflow_invalid', `the workflow has ${result.errors.length} error(s), first at ${JSON.stringify(first.path)}: ${first.message}`, result);
}

/**
 * Checks a save's body against the schema and the validator (with the workspace as context). When
 * the schema refuses it only for problems the validator pins down better (the condition tree:
 * unknown field, operator, empty group…), the answer is those, as 422 `workflow_invalid` like any
 * other validation error; any other shape problem is the plain 400 with the schema's issues.
 */
export async function acceptDefinition(db: Db, workspaceId: string, body: unknown, workflowId: string | undefined, now: number) {
  // Not WorkflowDefinition.safeParse: a tree nested too deep for zod's recursion is refused here
  // first, and the validator (which stops at the same depth) reports it as too_deep, a 422.
  const parsed = parseWorkflowDefinition(body);
  const result = await check(db, workspaceId, parsed.success ? parsed.data : body, workflowId, now);
  if (!parsed.success) {
    if (result.errors.length === 0 || result.errors.some((e) => e.code === 'invalid')) {
      throw badRequest('the body does not match the schema', parsed.error.issues.map((i) => ({ path: i.path, message: i.message, code: i.code })));
    }
  }
  refuseInvalid(result);
  return { definition: parsed.data!, warnings: result.warnings };
}

function checkDraftVersion(workflow: Workflow, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && workflow.draftVersion !== ifMatch) {
    throw new AppError(409, 'version_conflict', `the draft is at version ${workflow.draftVersion}, not ${ifMatch}`, { workflow });
  }
}

async function load(db: Db, workspaceId: string, id: string): Promise<{ row: WorkflowRow; live: WorkflowVersionRow | undefined }> {
  const row = await findWorkflow(db, workspaceId, id);
  if (!row) throw notFound('workflow');
  const live = row.published_version === null ? undefined : await findVersion(db, workspaceId, id, Number(row.published_version));
  return { row, live };
}

export async function listWorkflows(deps: Deps, p: WorkspacePrincipal): Promise<Workflow[]> {
  const db = deps.storage.db;
  const [rows, live] = await Promise.all([listWorkflowRows(db, p.workspaceId), liveVersionRows(db, p.workspaceId)]);
  const byId = new Map(live.map((l) => [l.workflow_id, { ...l, workspace_id: p.workspaceId }]));
  return rows.map((r) => toWorkflow(r, byId.get(r.id)));
}

export async function getWorkflow(deps: Deps, p: WorkspacePrincipal, id: string): Promise<Workflow> {
  const { row, live } = await load(deps.storage.db, p.workspaceId, id);
  return toWorkflow(row, live);
}

export async function createWorkflow(deps: Deps, p: WorkspacePrincipal, body: unknown) {
  return runCommand(deps, async (trx) => {
    const now = deps.clock.now();
    const { definition, warnings } = await acceptDefinition(trx, p.workspaceId, body, undefined, now);
    const row: WorkflowRow = {
      id: newId('wf', now),
      workspace_id: p.workspaceId,
      draft: JSON.stringify(definition),
      draft_version: 1,
      draft_updated_by: p.kind === 'agent' ? p.agentId : null,
      published_version: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    await insertWorkflow(trx, row);
    return { workflow: toWorkflow(row, undefined), warnings };
  });
}

export async function updateWorkflow(deps: Deps, p: WorkspacePrincipal, id: string, body: unknown, ifMatch: number | undefined) {
  return runCommand(deps, async (trx) => {
    const now = deps.clock.now();
    const { row, live } = await load(trx, p.workspaceId, id);
    checkDraftVersion(toWorkflow(row, live), ifMatch);
    const { definition, warnings } = await acceptDefinition(trx, p.workspaceId, body, id, now);
    const draft = JSON.stringify(definition);
    // Units run one at a time on the embedded database; on PostgreSQL the conditional update is what
    // keeps two saves from both winning.
    const by = p.kind === 'agent' ? p.agentId : null;
    if (!(await saveDraft(trx, p.workspaceId, id, Number(row.draft_version), draft, now, by))) {
      const current = await load(trx, p.workspaceId, id);
      throw new AppError(409, 'version_conflict', 'the draft changed concurrently', { workflow: toWorkflow(current.row, current.live) });
    }
    const saved: WorkflowRow = { ...row, draft, draft_version: Number(row.draft_version) + 1, draft_updated_by: by, updated_at: now };
    return { workflow: toWorkflow(saved, live), warnings };
  });
}

export async function deleteWorkflow(deps: Deps, p: WorkspacePrincipal, id: string): Promise<void> {
  await runCommand(deps, async (trx) => {
    await load(trx, p.workspaceId, id);
    await markWorkflowDeleted(trx, p.workspaceId, id, deps.clock.now());
  });
}

/**
 * Publishes the draft as the next version. Publishing a draft identical to the live version adds
 * no version (versions stay meaningful); the answer is the workflow as it is.
 */
export async function publishWorkflow(deps: Deps, p: WorkspacePrincipal, id: string, ifMatch: number | undefined) {
  return runCommand(deps, async (trx) => {
    const now = deps.clock.now();
    const { row, live } = await load(trx, p.workspaceId, id);
    checkDraftVersion(toWorkflow(row, live), ifMatch);
    const definition = parseDefinition(row.draft);
    // Read once: the validation's context, and the timer minutes live before this version.
    const liveSet = await liveWorkflows(trx, p.workspaceId);
    const result = await check(trx, p.workspaceId, definition, id, now, liveSet);
    refuseInvalid(result);
    if (live && live.definition === row.draft) return { workflow: toWorkflow(row, live), warnings: result.warnings };
    const version: WorkflowVersionRow = {
      workspace_id: p.workspaceId,
      workflow_id: id,
      version: (row.published_version === null ? 0 : Number(row.published_version)) + 1,
      definition: row.draft,
      published_at: now,
      published_by: p.kind === 'agent' ? p.agentId : null,
    };
    await publishVersion(trx, version);
    await scheduleForDefinition(trx, p.workspaceId, definition, minutesOf(liveSet));
    return { workflow: toWorkflow({ ...row, published_version: version.version, updated_at: now }, version), warnings: result.warnings };
  });
}

export async function workflowVersions(deps: Deps, p: WorkspacePrincipal, id: string): Promise<WorkflowVersion[]> {
  await load(deps.storage.db, p.workspaceId, id);
  return (await listVersionRows(deps.storage.db, p.workspaceId, id)).map(toVersion);
}

export async function validateWorkflowBody(deps: Deps, p: WorkspacePrincipal, body: ValidateWorkflowBody) {
  if (body.workflowId !== undefined) await load(deps.storage.db, p.workspaceId, body.workflowId);
  const result = await check(deps.storage.db, p.workspaceId, body.workflow, body.workflowId, deps.clock.now());
  return { valid: result.errors.length === 0, ...result };
}

// ---------------------------------------------------------------------------------------------
// Runs (written by services/workflow-runner.ts)

function toRun(r: WorkflowRunRow, versions: Map<string, WorkflowDefinition>, teams: readonly RunTeam[], contactNames: Map<string, string>): WorkflowRun {
  const definition = versions.get(`${r.workflow_id}:${r.version}`);
  const detail = readRunDetail(r.detail);
  return {
    id: r.id,
    workflowId: r.workflow_id,
    workflowName: definition?.name ?? '',
    version: Number(r.version),
    trigger: r.trigger as WorkflowRun['trigger'],
    eventId: Number(r.outbox_id),
    conversationId: r.conversation_id,
    contactName: contactNames.get(r.conversation_id) ?? null,
    matched: Number(r.matched) === 1,
    outcome: r.outcome as RunOutcome,
    conditions: !detail.conditions ? null : 'trace' in detail.conditions ? detail.conditions.trace : inflated(definition, detail.conditions.leaves, teams),
    actions: detail.actions,
    createdAt: iso(r.created_at),
  };
}

/**
 * A run's trace from its outcomes and its version's conditions. Null, rather than a wrong trace or
 * a failed page, when the version is not there or no longer fits them (a tree today's checks
 * refuse, a record of another shape): the run's outcome and actions still say what happened.
 */
function inflated(definition: WorkflowDefinition | undefined, leaves: LeafOutcome[], teams: readonly RunTeam[]): ConditionTrace | null {
  if (!definition) return null;
  try {
    return inflateTrace(definition.conditions, leaves, { teams });
  } catch {
    return null;
  }
}

type RunTeam = { id: string; name: string };

/** The workspace's teams as they are named now, for the sentences of `conversation.team` conditions ("team is Billing"). */
async function runTeams(db: Db, workspaceId: string): Promise<RunTeam[]> {
  return (await listTeamRows(db, workspaceId)).map((t) => ({ id: t.id, name: t.name }));
}

/** The versions the runs used, as they were published: their names, and the conditions a run's outcomes belong to. */
async function runVersions(db: Db, workspaceId: string, rows: WorkflowRunRow[]): Promise<Map<string, WorkflowDefinition>> {
  const versions = new Map<string, WorkflowDefinition>();
  for (const id of new Set(rows.map((r) => r.workflow_id))) {
    for (const v of await listVersionRows(db, workspaceId, id)) versions.set(`${id}:${v.version}`, versionDefinition(id, Number(v.version), v.definition));
  }
  return versions;
}

export async function workflowRuns(deps: Deps, p: WorkspacePrincipal, id: string, query: { outcome?: RunOutcome; limit: number; cursor?: string; since?: string }) {
  const db = deps.storage.db;
  await load(db, p.workspaceId, id);
  const from = query.since === undefined ? undefined : idFloor('run', Date.parse(query.since));
  const rows = await listWorkflowRuns(db, p.workspaceId, id, { outcome: query.outcome, before: query.cursor, from, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const [versions, teams, names] = await Promise.all([
    runVersions(db, p.workspaceId, page),
    runTeams(db, p.workspaceId),
    contactNamesOf(db, p.workspaceId, page.map((r) => r.conversation_id)),
  ]);
  return { items: page.map((r) => toRun(r, versions, teams, names)), nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null };
}

/** Every run that considered a conversation (at most the latest 200): the answer to "why was this routed so?". */
export async function conversationRouting(deps: Deps, p: WorkspacePrincipal, conversationId: string) {
  const db = deps.storage.db;
  const conversation = await findConversation(db, p.workspaceId, conversationId);
  if (!conversation) throw notFound('conversation');
  const rows = await listConversationRuns(db, p.workspaceId, conversationId, 200);
  const [versions, teams, contact] = await Promise.all([
    runVersions(db, p.workspaceId, rows),
    runTeams(db, p.workspaceId),
    findContact(db, p.workspaceId, conversation.contact_id),
  ]);
  // One conversation, whose row is read above: its contact by id, not the join a page of runs needs.
  const names = new Map(contact ? [[conversationId, contact.name]] : []);
  // The runs of one event share its millisecond, so their ids' random tails say nothing of their
  // order: newest event first, and within one the order the runner took them in (`ofTrigger`:
  // priority, highest first; ties by age, which the workflows' ids sort by).
  const priority = (r: WorkflowRunRow) => versions.get(`${r.workflow_id}:${r.version}`)?.priority ?? 0;
  rows.sort((a, b) => Number(b.outbox_id) - Number(a.outbox_id) || priority(b) - priority(a) || (a.workflow_id < b.workflow_id ? -1 : a.workflow_id > b.workflow_id ? 1 : 0));
  return { items: rows.map((r) => toRun(r, versions, teams, names)), keptSince: iso(deps.housekeeping.runsKeptSince()) };
}
