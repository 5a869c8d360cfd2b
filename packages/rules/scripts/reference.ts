/**
 * The generated parts of docs/rules.md: tables of fields, operators, triggers and placeholders
 * from the protocol's registry, and the seed rules as JSON. `pnpm --filter @baton/rules run docs`
 * writes them between the markers; test/docs.test.ts fails when the file is out of date.
 */
import {
  LANGUAGE_OPTIONS,
  OPERATOR_NAMES,
  OPERATORS,
  PHRASE_LIMITS,
  RULE_FIELDS,
  TEMPLATE_VARIABLES,
  TRIGGERS,
  TYPE_OPERATOR_LABELS,
  TYPE_OPERATORS,
  type FieldDef,
  type FieldType,
} from '@baton/protocol/rule-fields';
import { SEED_RULES } from '../test/fixtures/seed-rules.js';

const VALUE_SHAPE: Record<string, string> = {
  none: '— (no `value`)',
  one: 'one value',
  list: 'a list of values',
  range: '`[low, high]`',
  pattern: 'an RE2 pattern (string)',
};

const TYPE_VALUE: Record<FieldType, string> = {
  enum: 'one of the listed values',
  string: 'string',
  tags: 'tag (string)',
  number: 'number',
  boolean: '`true` / `false`',
  text: `word or phrase; at most ${PHRASE_LIMITS.phrases} a condition, each at most ${PHRASE_LIMITS.words} words and ${PHRASE_LIMITS.characters} characters`,
  attribute: 'string, number or boolean',
};

const code = (s: string) => `\`${s}\``;

function values(field: FieldDef): string {
  if (field.values === LANGUAGE_OPTIONS) return 'ISO 639-1 code (`es`, `pt`, …; list below)';
  if (field.values) return field.values.map((v) => code(v.value)).join(', ') + (field.openValues ? ', or a host channel name' : '');
  if (field.min !== undefined) return `${field.integer ? 'whole number' : 'number'} ${field.min}–${field.max}`;
  return TYPE_VALUE[field.type];
}

function fieldsTable(): string {
  const rows = [
    '| field | reads as | type | operators | values | meaning |',
    '|---|---|---|---|---|---|',
    ...RULE_FIELDS.map((f) => `| ${code(f.name)} | ${f.label} | ${f.type}${f.nullable ? ' (may be empty)' : ''} | ${f.operators.map(code).join(', ')} | ${values(f)} | ${f.description} |`),
    `| ${code('contact.attributes.<key>')} | the key | string, number or boolean (may be empty) | by the attribute's type: string ${TYPE_OPERATORS.string.map(code).join(', ')}; number ${TYPE_OPERATORS.number.map(code).join(', ')}; boolean ${TYPE_OPERATORS.boolean.map(code).join(', ')}; all with ${code('is_empty')}, ${code('is_set')} | ${TYPE_VALUE.attribute} | The host's own contact fields (\`plan\`, \`seats\`, …); keys are letters, digits and \`_\`. When the workspace declares an attribute's type, only that type's operators are accepted; otherwise the value's type picks the comparison. |`,
  ];
  return rows.join('\n');
}

function operatorsTable(): string {
  const overrides = (op: string) => Object.entries(TYPE_OPERATOR_LABELS)
    .filter(([, labels]) => labels && op in labels)
    .map(([type, labels]) => `${type}: “${(labels as Record<string, string>)[op]}”`);
  return [
    '| operator | value | reads as | true when the field … |',
    '|---|---|---|---|',
    ...OPERATOR_NAMES.map((op) => {
      const def = OPERATORS[op];
      const extra = overrides(op);
      return `| ${code(op)} | ${VALUE_SHAPE[def.valueKind]} | “${def.label}”${extra.length ? ` (${extra.join('; ')})` : ''} | ${def.description} |`;
    }),
  ].join('\n');
}

function triggersTable(): string {
  return [
    '| event | reads as | `minutes` | has a message | fires when |',
    '|---|---|---|---|---|',
    ...TRIGGERS.map((t) => `| ${code(t.event)} | ${t.label} | ${t.timed ? 'required (1–10080)' : '—'} | ${t.hasMessage ? 'yes' : 'no (`message.body` is empty)'} | ${t.description} |`),
  ].join('\n');
}

function placeholdersTable(): string {
  return ['| placeholder | value |', '|---|---|', ...TEMPLATE_VARIABLES.map((v) => `| ${code(`{{${v.name}}}`)} | ${v.description} |`)].join('\n');
}

function languages(): string {
  return LANGUAGE_OPTIONS.map((o) => `${code(o.value)} ${o.label}`).join(' · ');
}

function seedExamples(): string {
  return SEED_RULES.map((rule) => `**${rule.name}**\n\n\`\`\`json\n${JSON.stringify(rule, null, 2)}\n\`\`\``).join('\n\n');
}

/** Generated sections by marker name. */
export function generatedSections(): Record<string, string> {
  return {
    triggers: triggersTable(),
    fields: fieldsTable(),
    operators: operatorsTable(),
    languages: languages(),
    placeholders: placeholdersTable(),
    examples: seedExamples(),
  };
}

/** `text` with every `<!-- generated:NAME -->…<!-- /generated:NAME -->` block replaced; throws if one is missing. */
export function fillReference(text: string): string {
  let out = text;
  for (const [name, body] of Object.entries(generatedSections())) {
    const pattern = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!pattern.test(out)) throw new Error(`docs/rules.md has no <!-- generated:${name} --> block`);
    out = out.replace(pattern, (_m, start: string, end: string) => `${start}\n${body}\n${end}`);
  }
  return out;
}

export const RULES_DOC = new URL('../../../docs/rules.md', import.meta.url);
