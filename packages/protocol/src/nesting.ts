/**
 * How deep JSON may nest, measured without recursion, so a hostile body is refused before anything
 * recursive reads it.
 *
 * `JSON.parse` takes any depth (V8's parser keeps its own stack), but most of what reads a parsed
 * value after it recurses once per level: zod's recursive `ConditionNode` schema, the rule
 * compiler, the sentences of the builder, `JSON.stringify`. Nested some thousands of levels deep
 * (`{"not":{"not":…}}`, `[[[…]]]`, well inside the 256 KB body limit), any of them overflows the
 * stack and the request ends in a 500. These walks keep an explicit stack, so they answer for any
 * depth, and the limits below are far above what a legitimate body nests.
 *
 * Zod-free, like `constants.ts` and `rule-fields.ts`: `@baton/rules` and the builder use it too.
 */

/** A path into a JSON value, as the API's error details and the validator give it. */
export type JsonPath = (string | number)[];

/**
 * The deepest a request body may nest arrays and objects; the body itself is level 1. The deepest
 * legitimate body is a dry run of a workflow whose conditions use all 8 levels of groups: about 20
 * levels. 32 leaves room for that to grow, and a walk this deep is harmless to every reader.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * The deepest condition groups (`all`, `any`, `not`) may nest in a rule. Eight is more than a
 * person can read, and the builder's sentence for a rule already needs brackets inside brackets at
 * three. The validator reports a deeper group as `too_deep` at its path.
 */
export const MAX_GROUP_DEPTH = 8;

interface Frame {
  readonly value: unknown;
  readonly depth: number;
  readonly parent: Frame | null;
  readonly key: string | number;
}

function pathOf(frame: Frame): JsonPath {
  const path: JsonPath = [];
  for (let f: Frame | null = frame; f?.parent; f = f.parent) path.push(f.key);
  return path.reverse();
}

/**
 * The path of the first array or object nested deeper than `limit` levels (the value itself is
 * level 1), or null when none is. Iterative: safe on a value of any depth.
 */
export function jsonTooDeepAt(value: unknown, limit: number = MAX_JSON_DEPTH): JsonPath | null {
  const stack: Frame[] = [{ value, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (v === null || typeof v !== 'object') continue;
    if (frame.depth > limit) return pathOf(frame);
    // Only arrays and objects are stacked: a body is mostly strings and numbers, and this runs on every request.
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const child: unknown = v[i];
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth: frame.depth + 1, parent: frame, key: i });
      }
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const child = (v as Record<string, unknown>)[keys[i]!];
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth: frame.depth + 1, parent: frame, key: keys[i]! });
      }
    }
  }
  return null;
}

/**
 * The path of the first condition group nested deeper than `limit` groups, or null when none is:
 * where the validator reports `too_deep`. Works on any JSON, not only a well-formed tree: every
 * object with an `all` or `any` list or a `not` counts as a group and is walked into, whatever else
 * it holds, because that is what a recursive reader (zod's union tries each branch) walks into.
 * Iterative: safe on a tree of any depth.
 */
export function groupTooDeepAt(tree: unknown, limit: number = MAX_GROUP_DEPTH): JsonPath | null {
  // `depth` counts the groups above a node; a group at depth `limit` is one too many.
  const stack: Frame[] = [{ value: tree, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
    const node = v as Record<string, unknown>;
    const lists = (['all', 'any'] as const).filter((k) => Object.hasOwn(node, k) && Array.isArray(node[k]));
    const negates = Object.hasOwn(node, 'not');
    if (lists.length === 0 && !negates) continue;
    if (frame.depth >= limit) return pathOf(frame);
    // Pushed in reverse so the walk visits children in document order and reports the first one.
    // A list's key is a frame of its own on the way down, so paths read as the validator's do:
    // ["all", 0, "not"].
    if (negates) stack.push({ value: node.not, depth: frame.depth + 1, parent: frame, key: 'not' });
    for (const k of [...lists].reverse()) {
      const list = node[k] as unknown[];
      const at: Frame = { value: list, depth: frame.depth, parent: frame, key: k };
      for (let i = list.length - 1; i >= 0; i--) stack.push({ value: list[i], depth: frame.depth + 1, parent: at, key: i });
    }
  }
  return null;
}
