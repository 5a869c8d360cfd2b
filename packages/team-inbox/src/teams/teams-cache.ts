import type { BatonRestClient } from '@baton/client';
import type { Team } from '@baton/protocol';

/** One `GET /v1/teams` per REST client for every part that names teams (details, header); a failure is asked again next time. */
const cache = new WeakMap<BatonRestClient, Promise<Team[]>>();

export function loadTeams(rest: BatonRestClient): Promise<Team[]> {
  let teams = cache.get(rest);
  if (!teams) {
    teams = rest.listTeams().then(({ items }) => items);
    teams.catch(() => cache.delete(rest));
    cache.set(rest, teams);
  }
  return teams;
}
