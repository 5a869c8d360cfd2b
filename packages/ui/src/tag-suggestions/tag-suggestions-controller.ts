// Shared by the inbox's details editor and the builder's tag value editors: one implementation of
// when to ask the server, so both offer the right tags in a workspace with thousands. REST only
// (`@baton/client/rest`): the builder ships no socket client.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { InboxRestClient } from '@baton/client/rest';
import type { TagUsage } from '@baton/protocol';

/** As many as `GET /v1/tags` gives at once: most workspaces have fewer, so one request holds them all. */
const FIRST_PAGE = 200;
const PREFIX_PAGE = 50;
/** Typing pauses this long before a prefix is asked for, so a word typed at speed is one request. */
const DEBOUNCE_MS = 250;
/** Prefix answers kept while the editor is open; past this the oldest goes. */
const MAX_CACHED_PREFIXES = 30;

export interface TagSuggestionsOptions {
  /** The client to ask; only `listTags` is used. `undefined` until the host has one. */
  rest: () => Pick<InboxRestClient, 'listTags'> | undefined;
  /** Tags to suggest when the server cannot be asked (the inbox: the conversations it holds). */
  fallback: () => string[];
}

/**
 * A tag field's suggestions: the workspace's tags in use, most used first (`GET /v1/tags`), read
 * once when the editor opens. When that first page is full there may be more, so what the user
 * types is asked for as a prefix, after a pause in typing and once per prefix (answers are kept);
 * a prefix that extends one whose answer was not full is filtered here without asking. If the
 * server cannot answer, the tags of the conversations already loaded stand in.
 */
export class TagSuggestionsController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly options: TagSuggestionsOptions;
  private all: TagUsage[] | null = null;
  private failed = false;
  private readonly byPrefix = new Map<string, TagUsage[]>();
  private prefix = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Prefixes asked for and not answered yet: a pause in typing does not ask twice. */
  private readonly asking = new Set<string>();
  private loading = false;

  constructor(host: ReactiveControllerHost, options: TagSuggestionsOptions) {
    this.host = host;
    this.options = options;
    host.addController(this);
  }

  hostConnected(): void {
    this.load();
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
  }

  /** The first page; called again by the host once its REST client arrives. */
  load(): void {
    const rest = this.options.rest();
    if (!rest || this.all || this.loading || this.failed) return;
    this.loading = true;
    rest.listTags({ limit: FIRST_PAGE }).then(
      ({ tags }) => {
        this.all = tags;
        this.loading = false;
        this.host.requestUpdate();
      },
      () => {
        this.failed = true;
        this.loading = false;
        this.host.requestUpdate();
      },
    );
  }

  /** What is typed in the tag field now (a host with several tag fields calls it for the focused one). */
  typed(value: string): void {
    this.prefix = value.trim().toLowerCase();
    clearTimeout(this.timer);
    // Drawn now in every case: until an answer comes, the first page stands in (the field's own
    // list narrows it to what is typed), never the answer for what was typed before.
    this.host.requestUpdate();
    if (!this.prefix || this.known(this.prefix)) return;
    this.timer = setTimeout(() => {
      const prefix = this.prefix;
      if (prefix && !this.known(prefix) && !this.asking.has(prefix)) this.ask(prefix);
    }, DEBOUNCE_MS);
  }

  /** Suggestions for the field, leaving out the tags already set. */
  list(set: readonly string[]): { name: string; label: string }[] {
    const skip = new Set(set);
    if (this.failed || (!this.all && !this.loading)) {
      return this.options.fallback().filter((t) => !skip.has(t)).sort((a, b) => a.localeCompare(b)).map((name) => ({ name, label: '' }));
    }
    const tags = (this.prefix && this.known(this.prefix)) || this.all || [];
    return tags.filter((t) => !skip.has(t.name)).map((t) => ({ name: t.name, label: usage(t) }));
  }

  /** The tags starting with `prefix` if they are known without asking: all of them fit in an answer already here. */
  private known(prefix: string): TagUsage[] | undefined {
    const starts = (tags: TagUsage[]) => tags.filter((t) => t.name.toLowerCase().startsWith(prefix));
    if (this.all && this.all.length < FIRST_PAGE) return starts(this.all);
    for (let p = prefix; p; p = p.slice(0, -1)) {
      const answer = this.byPrefix.get(p);
      if (answer && (p === prefix || answer.length < PREFIX_PAGE)) return starts(answer);
    }
    return undefined;
  }

  private ask(prefix: string): void {
    const rest = this.options.rest();
    if (!rest || this.failed) return;
    this.asking.add(prefix);
    rest.listTags({ prefix, limit: PREFIX_PAGE }).then(
      ({ tags }) => {
        this.asking.delete(prefix);
        if (this.byPrefix.size >= MAX_CACHED_PREFIXES) this.byPrefix.delete(this.byPrefix.keys().next().value!);
        this.byPrefix.set(prefix, tags);
        // Also when more was typed meanwhile: a short enough answer holds the longer prefix too.
        if (this.prefix.startsWith(prefix)) this.host.requestUpdate();
      },
      () => {
        // The first page stays the suggestion; the next pause asks again.
        this.asking.delete(prefix);
        this.host.requestUpdate();
      },
    );
  }
}

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** "3 conversations, 1 contact": how much a tag is used, beside it in the list. */
function usage(t: TagUsage): string {
  const parts = [];
  if (t.conversations) parts.push(count(t.conversations, 'conversation'));
  if (t.contacts) parts.push(count(t.contacts, 'contact'));
  return parts.join(', ');
}
