import { z } from 'zod';
import { Id, Timestamp } from './domain.js';
import { AssignDecision, ConditionTrace, RuleFacts, TRIGGER_EVENTS, WorkflowDefinition, WorkflowValidationError, WorkflowValidationWarning } from './rules.js';

/*
 * The workflows API (DESIGN §5–6): an admin edits a workflow's draft (PUT with `If-Match: <draft
 * version>`), and publishing copies the draft into an immutable numbered version, which is what
 * the runner uses. `enabled`, `priority` and `stopProcessing` are part of the definition, so they
 * change with a publication like everything else and every run can say which version it used.
 */

/** One published version: the definition as it was published, never changed afterwards. */
export const WorkflowVersion = z
  .object({
    version: z.number().int().min(1),
    definition: WorkflowDefinition,
    publishedAt: Timestamp,
    /** The agent who published it; null when an API key did (none can today) or the server did. */
    publishedBy: Id.nullable(),
  })
  .meta({ id: 'WorkflowVersion' });
export type WorkflowVersion = z.infer<typeof WorkflowVersion>;

export const Workflow = z
  .object({
    id: Id,
    /** The draft as last saved; the builder edits it. */
    draft: WorkflowDefinition,
    /** +1 on every save of the draft; `PUT` takes it as `If-Match`. */
    draftVersion: z.number().int().min(1),
    /** The agent who last saved the draft (created it, or the latest `PUT`); null when an API key did. */
    draftUpdatedBy: Id.nullable(),
    /** The live version, or null before the first publication. */
    published: WorkflowVersion.nullable(),
    /** True when the draft differs from the live version (or nothing is published yet). */
    hasUnpublishedChanges: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Workflow' });
export type Workflow = z.infer<typeof Workflow>;

/** What a save or a publication also reports: the validator's warnings (errors refuse the request). */
export const WorkflowWarnings = z.array(WorkflowValidationWarning);

export const WorkflowResponse = z.object({ workflow: Workflow, warnings: WorkflowWarnings });
export const WorkflowList = z.object({ items: z.array(Workflow) });
export const WorkflowVersionList = z.object({ items: z.array(WorkflowVersion) });

/**
 * `POST /v1/workflows/validate`: any JSON as `workflow` (the validator reports shape problems at
 * their paths too); with `workflowId`, the check also runs against the workspace's other live
 * workflows in place of that one's live version (shadowed, conflicting actions).
 */
export const ValidateWorkflowBody = z.strictObject({
  workflow: z.unknown().refine((v) => v !== undefined, 'workflow is required'),
  workflowId: Id.optional(),
});
export type ValidateWorkflowBody = z.infer<typeof ValidateWorkflowBody>;

export const ValidateWorkflowResponse = z.object({
  /** True when there are no errors: the workflow can be saved and published. */
  valid: z.boolean(),
  errors: z.array(WorkflowValidationError),
  warnings: WorkflowWarnings,
});
export type ValidateWorkflowResponse = z.infer<typeof ValidateWorkflowResponse>;

/** The 422 `workflow_invalid` error's `details`: every problem at its JSON path in the body. */
export const WorkflowInvalidDetails = z.object({ errors: z.array(WorkflowValidationError), warnings: WorkflowWarnings });

// ---------------------------------------------------------------------------------------------
// Runs: what the runner did with one workflow for one event

export const RUN_OUTCOMES = [
  'not_matched', // the conditions were false
  'applied', // matched, and at least one action changed something
  'no_change', // matched, but nothing was left to do (e.g. already assigned)
  'waiting', // matched; the assign action found nobody eligible and holds the conversation at a step
  'queued', // matched; every assign step was skipped: the conversation waits in the queue
] as const;
export const RunOutcome = z.enum(RUN_OUTCOMES);
export type RunOutcome = z.infer<typeof RunOutcome>;

export const RunAction = z.object({
  /** Index of the action in the workflow's `actions`. */
  index: z.number().int(),
  type: z.string(),
  status: z.enum(['done', 'no_change', 'waiting', 'queued', 'skipped']),
  /** What happened, as a sentence ("Assigned to maria (skill es, round-robin)", "maria away; luis at capacity 25/25"). */
  detail: z.string(),
  /** For `assign`: the plan with every step, its candidates and the excluded agents with reasons. */
  decision: AssignDecision.optional(),
});
export type RunAction = z.infer<typeof RunAction>;

export const WorkflowRun = z
  .object({
    id: Id,
    workflowId: Id,
    workflowName: z.string(),
    /** The published version that ran. */
    version: z.number().int(),
    trigger: z.enum(TRIGGER_EVENTS),
    /** The outbox event that triggered the run; a run is unique per (event, workflow). */
    eventId: z.number().int(),
    conversationId: Id,
    /** The conversation's contact as named now, so a log reads "Dev Patel", not an id; null if it is gone. */
    contactName: z.string().nullable(),
    matched: z.boolean(),
    outcome: RunOutcome,
    /** Every condition with the value it saw (`explainConditions`); null when the workflow has no conditions. */
    conditions: ConditionTrace.nullable(),
    /** Empty when the conditions did not match. */
    actions: z.array(RunAction),
    createdAt: Timestamp,
  })
  .meta({ id: 'WorkflowRun' });
export type WorkflowRun = z.infer<typeof WorkflowRun>;

export const WorkflowRunsQuery = z.strictObject({
  outcome: RunOutcome.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** `nextCursor` of the previous page. */
  cursor: Id.optional(),
  /** Only runs at or after this time (ISO 8601), e.g. since the version went live. */
  since: z.iso.datetime({ offset: true }).optional(),
});
export const WorkflowRunPage = z.object({ items: z.array(WorkflowRun), nextCursor: Id.nullable() });
export const ConversationRouting = z.object({
  items: z.array(WorkflowRun),
  /** The run log keeps runs from this time on (its retention, 90 days by default): older ones are gone. */
  keptSince: Timestamp,
});

// ---------------------------------------------------------------------------------------------
// Dry run: what a draft would do, next to what the live version did, with no side effects

export const TestWorkflowBody = z
  .strictObject({
    /** The draft to try (any JSON; it is validated as a save is, 422 with the errors). */
    workflow: z.unknown().refine((v) => v !== undefined, 'workflow is required'),
    /** The workflow the draft belongs to: its runs show what the live version did. */
    workflowId: Id.optional(),
    /** Exactly one of: made-up facts, one conversation, or the workspace's latest N conversations. */
    sample: RuleFacts.optional(),
    conversationId: Id.optional(),
    last: z.number().int().min(1).max(500).optional(),
  })
  .refine((b) => [b.sample, b.conversationId, b.last].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of sample, conversationId, last',
    path: ['sample'],
  });
export type TestWorkflowBody = z.infer<typeof TestWorkflowBody>;

export const DryRunAction = z.object({
  index: z.number().int(),
  type: z.string(),
  /** What the action would do now ("Assign to maria (skill es, round-robin)", "Tag es"). */
  would: z.string(),
  decision: AssignDecision.optional(),
});

export const DryRunResult = z.object({
  /** Null for a sample. */
  conversationId: Id.nullable(),
  facts: RuleFacts,
  draft: z.object({ matched: z.boolean(), conditions: ConditionTrace.nullable(), actions: z.array(DryRunAction) }),
  /** The live version's latest run for this conversation; null when it never ran on it (or for a sample). */
  published: z.object({ version: z.number().int(), matched: z.boolean(), outcome: RunOutcome, actions: z.array(RunAction) }).nullable(),
});
export type DryRunResult = z.infer<typeof DryRunResult>;

export const TestWorkflowResponse = z.object({ warnings: WorkflowWarnings, results: z.array(DryRunResult) });
