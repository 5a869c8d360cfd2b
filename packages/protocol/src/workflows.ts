import { z } from 'zod';
import { Id, Timestamp } from './domain.js';
import { WorkflowDefinition, WorkflowValidationError, WorkflowValidationWarning } from './rules.js';

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
