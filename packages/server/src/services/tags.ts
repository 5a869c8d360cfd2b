import type { TagList, TagsQuery } from '@baton/protocol';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { listWorkspaceTags } from '../storage/tags.js';

/** Tag suggestions: the caller's workspace's tags in use with their counts (storage/tags.ts). */
export async function listTags(deps: Deps, p: WorkspacePrincipal, q: TagsQuery): Promise<TagList> {
  return { tags: await listWorkspaceTags(deps.storage.db, p.workspaceId, { prefix: q.prefix, limit: q.limit }) };
}
