/**
 * Undo and redo over immutable snapshots. Every edit is one call to `apply` with the whole next
 * definition, so a compound edit ("wrap in group", "move", a field change that resets the
 * operator and value) is undone as one step by construction: there is no sequence of small
 * commands that could be undone one at a time (n8n PR #11154). Snapshots share every untouched
 * branch with their neighbours (definition.ts), so keeping a hundred of them is cheap.
 *
 * Typing coalesces: consecutive edits with the same `coalesce` key (one text field) within
 * `coalesceMs` are one step, so undo takes back a word, not a letter.
 */
export interface Entry<T> {
  value: T;
  /** What the edit did, for the announcement ("Undid: move condition"). */
  label: string;
}

export class History<T> {
  private past: Entry<T>[] = [];
  private future: Entry<T>[] = [];
  private lastKey: string | null = null;
  private lastAt = 0;
  private current: T;
  /** The label of the edit that made `present`. */
  private presentLabel = '';

  constructor(
    initial: T,
    private readonly options: { limit?: number; coalesceMs?: number; now?: () => number } = {},
  ) {
    this.current = initial;
  }

  get present(): T {
    return this.current;
  }

  /**
   * The same state as the server spells it (its key order, lower-cased skills and tags): it takes
   * the present's place without an entry of its own, so undo still goes to the edit before.
   */
  respell(value: T): void {
    this.current = value;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
  /** What undo would take back. */
  get undoLabel(): string {
    return this.canUndo ? this.presentLabel : '';
  }
  get redoLabel(): string {
    return this.future[this.future.length - 1]?.label ?? '';
  }

  apply(value: T, label: string, coalesce?: string): void {
    if (value === this.present) return;
    const now = (this.options.now ?? Date.now)();
    const merge = coalesce !== undefined && coalesce === this.lastKey && now - this.lastAt < (this.options.coalesceMs ?? 1500) && this.canUndo;
    if (!merge) {
      this.past.push({ value: this.present, label: this.presentLabel });
      const limit = this.options.limit ?? 200;
      if (this.past.length > limit) this.past.shift();
    }
    this.current = value;
    this.presentLabel = label;
    this.future = [];
    this.lastKey = coalesce ?? null;
    this.lastAt = now;
  }

  /** Returns the label of the edit taken back, or null when there was none. */
  undo(): string | null {
    const prev = this.past.pop();
    if (!prev) return null;
    const label = this.presentLabel;
    this.future.push({ value: this.present, label });
    this.current = prev.value;
    this.presentLabel = prev.label;
    this.lastKey = null;
    return label;
  }

  redo(): string | null {
    const next = this.future.pop();
    if (!next) return null;
    this.past.push({ value: this.present, label: this.presentLabel });
    this.current = next.value;
    this.presentLabel = next.label;
    this.lastKey = null;
    return next.label;
  }

  /** Starts over from `value` (another version loaded): nothing to undo. */
  reset(value: T): void {
    this.current = value;
    this.presentLabel = '';
    this.past = [];
    this.future = [];
    this.lastKey = null;
  }
}
