import { z } from 'zod';

/**
 * Response fields that carry a credential: an API key, a token signing secret, a webhook signing
 * secret, an agent token. Such a field is shown in the response that makes it and nowhere else:
 * the server never stores it, not even with the `Idempotency-Key` that lets a retry get the first
 * response back, so a replay (`Idempotent-Replayed: true`) has every field of that response but
 * these. The schema says which fields they are (not the field names or the values), so the
 * server's stored replies, the OpenAPI document and this table cannot disagree.
 */
const SECRET_FIELDS = new Set<z.ZodType>();

export const SECRET_NOTE = 'Secret, shown only in this response: a replay of the request (Idempotent-Replayed: true) omits it.';

/** Marks a response field as a secret (see above); wrap the field's own schema. */
export function secret<S extends z.ZodType>(schema: S): S {
  const marked = schema.meta({ description: SECRET_NOTE });
  SECRET_FIELDS.add(marked);
  return marked;
}

export const isSecret = (schema: z.ZodType): boolean => SECRET_FIELDS.has(schema);

/** Every schema marked secret, for the check that each is reachable from a route's response. */
export const secretSchemas = (): readonly z.ZodType[] => [...SECRET_FIELDS];

/**
 * The schemas a secret can sit under and be found: objects, arrays (step `'*'`) and optional or
 * nullable fields (no step of their own). A secret anywhere else (inside a union, a record) would
 * not be found; the protocol's tests check every secret is reachable from a route.
 */
function children(schema: z.ZodType): [step: string | null, child: z.ZodType][] {
  if (schema instanceof z.ZodObject) return Object.entries(schema.shape as Record<string, z.ZodType>);
  if (schema instanceof z.ZodArray) return [['*', schema.element as z.ZodType]];
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return [[null, schema.unwrap() as z.ZodType]];
  return [];
}

/** Field names from the response's root; `'*'` stands for every element of an array. */
export type SecretPath = string[];

const pathCache = new WeakMap<z.ZodType, SecretPath[]>();

/** Where a response schema holds secrets; empty for almost every route. */
export function secretPaths(schema: z.ZodType): SecretPath[] {
  let paths = pathCache.get(schema);
  if (!paths) {
    paths = [];
    const walk = (node: z.ZodType, path: SecretPath) => {
      if (isSecret(node)) {
        if (path.length === 0) throw new Error('a whole response cannot be secret: mark its fields');
        return void paths!.push(path);
      }
      for (const [step, child] of children(node)) walk(child, step === null ? path : [...path, step]);
    };
    walk(schema, []);
    pathCache.set(schema, paths);
  }
  return paths;
}

/** A copy of `value` without the fields `schema` marks secret; `value` itself is not changed. */
export function withoutSecrets<T>(schema: z.ZodType, value: T): T {
  const paths = secretPaths(schema);
  if (paths.length === 0) return value;
  const strip = (node: unknown, path: SecretPath): unknown => {
    if (node === null || typeof node !== 'object') return node;
    const [step, ...rest] = path as [string, ...string[]];
    if (step === '*') return Array.isArray(node) ? node.map((item) => strip(item, rest)) : node;
    const record = node as Record<string, unknown>;
    if (!Object.hasOwn(record, step)) return node;
    const copy = { ...record };
    if (rest.length === 0) delete copy[step];
    else copy[step] = strip(record[step], rest);
    return copy;
  };
  return paths.reduce<unknown>((node, path) => strip(node, path), value) as T;
}
