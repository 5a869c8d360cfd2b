/**
 * The routing rules' vocabulary as plain data, without zod: which fields a condition may test,
 * which operators each field accepts, the shape of the value each operator takes, and the words
 * the builder and the run log use for them ("channel is SMS and (contact language is Spanish or
 * contact tags include spanish)").
 *
 * Everything that explains or checks a rule reads this table: `@baton/rules` (compiler,
 * validator, sentences), `<workflow-builder>` (which operators and values to offer) and the
 * generated field table in `docs/rules.md`. Adding a field is one entry here plus its reader in
 * `@baton/rules` (a test there fails for a field the evaluator cannot read).
 *
 * Zod-free on purpose, like `constants.ts`: the builder needs the labels at run time and should not
 * have to ship the request schemas to get them. `rules.ts` builds the schemas on top of this.
 */

// ---------------------------------------------------------------------------------------------
// Value lists

export interface ValueOption {
  readonly value: string;
  readonly label: string;
}

/** Channel names Baton knows; hosts may send their own (any short lowercase word), so the list is open. */
export const CHANNEL_OPTIONS: readonly ValueOption[] = [
  { value: 'sms', label: 'SMS' },
  { value: 'email', label: 'Email' },
  { value: 'webchat', label: 'Web chat' },
  { value: 'whatsapp', label: 'WhatsApp' },
  { value: 'facebook', label: 'Facebook' },
  { value: 'instagram', label: 'Instagram' },
  { value: 'phone', label: 'Phone' },
];

/** Same order and values as `Priority` in domain.ts (a type check in rules.ts keeps them equal). */
export const PRIORITY_VALUES = ['low', 'normal', 'high', 'urgent'] as const;
export const PRIORITY_OPTIONS: readonly ValueOption[] = [
  { value: 'low', label: 'Low' },
  { value: 'normal', label: 'Normal' },
  { value: 'high', label: 'High' },
  { value: 'urgent', label: 'Urgent' },
];

/** Weekdays as `time.weekday` reports them, Monday first (ISO 8601 order). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_OPTIONS: readonly ValueOption[] = [
  { value: 'mon', label: 'Monday' },
  { value: 'tue', label: 'Tuesday' },
  { value: 'wed', label: 'Wednesday' },
  { value: 'thu', label: 'Thursday' },
  { value: 'fri', label: 'Friday' },
  { value: 'sat', label: 'Saturday' },
  { value: 'sun', label: 'Sunday' },
];

/**
 * ISO 639-1 codes with their English names, in the order of the names (a picker is read by name:
 * "Tibetan" after "Thai", not after "Bengali"). Written out rather than taken from
 * `Intl.DisplayNames` so labels (and the generated docs) do not change with the ICU version.
 */
export const LANGUAGE_OPTIONS: readonly ValueOption[] = [
  ['aa', 'Afar'], ['ab', 'Abkhazian'], ['ae', 'Avestan'], ['af', 'Afrikaans'], ['ak', 'Akan'],
  ['am', 'Amharic'], ['an', 'Aragonese'], ['ar', 'Arabic'], ['as', 'Assamese'], ['av', 'Avaric'],
  ['ay', 'Aymara'], ['az', 'Azerbaijani'], ['ba', 'Bashkir'], ['be', 'Belarusian'], ['bg', 'Bulgarian'],
  ['bi', 'Bislama'], ['bm', 'Bambara'], ['bn', 'Bengali'], ['bo', 'Tibetan'], ['br', 'Breton'],
  ['bs', 'Bosnian'], ['ca', 'Catalan'], ['ce', 'Chechen'], ['ch', 'Chamorro'], ['co', 'Corsican'],
  ['cr', 'Cree'], ['cs', 'Czech'], ['cu', 'Church Slavic'], ['cv', 'Chuvash'], ['cy', 'Welsh'],
  ['da', 'Danish'], ['de', 'German'], ['dv', 'Divehi'], ['dz', 'Dzongkha'], ['ee', 'Ewe'],
  ['el', 'Greek'], ['en', 'English'], ['eo', 'Esperanto'], ['es', 'Spanish'], ['et', 'Estonian'],
  ['eu', 'Basque'], ['fa', 'Persian'], ['ff', 'Fulah'], ['fi', 'Finnish'], ['fj', 'Fijian'],
  ['fo', 'Faroese'], ['fr', 'French'], ['fy', 'Western Frisian'], ['ga', 'Irish'], ['gd', 'Scottish Gaelic'],
  ['gl', 'Galician'], ['gn', 'Guarani'], ['gu', 'Gujarati'], ['gv', 'Manx'], ['ha', 'Hausa'],
  ['he', 'Hebrew'], ['hi', 'Hindi'], ['ho', 'Hiri Motu'], ['hr', 'Croatian'], ['ht', 'Haitian Creole'],
  ['hu', 'Hungarian'], ['hy', 'Armenian'], ['hz', 'Herero'], ['ia', 'Interlingua'], ['id', 'Indonesian'],
  ['ie', 'Interlingue'], ['ig', 'Igbo'], ['ii', 'Sichuan Yi'], ['ik', 'Inupiaq'], ['io', 'Ido'],
  ['is', 'Icelandic'], ['it', 'Italian'], ['iu', 'Inuktitut'], ['ja', 'Japanese'], ['jv', 'Javanese'],
  ['ka', 'Georgian'], ['kg', 'Kongo'], ['ki', 'Kikuyu'], ['kj', 'Kuanyama'], ['kk', 'Kazakh'],
  ['kl', 'Kalaallisut'], ['km', 'Khmer'], ['kn', 'Kannada'], ['ko', 'Korean'], ['kr', 'Kanuri'],
  ['ks', 'Kashmiri'], ['ku', 'Kurdish'], ['kv', 'Komi'], ['kw', 'Cornish'], ['ky', 'Kyrgyz'],
  ['la', 'Latin'], ['lb', 'Luxembourgish'], ['lg', 'Ganda'], ['li', 'Limburgish'], ['ln', 'Lingala'],
  ['lo', 'Lao'], ['lt', 'Lithuanian'], ['lu', 'Luba-Katanga'], ['lv', 'Latvian'], ['mg', 'Malagasy'],
  ['mh', 'Marshallese'], ['mi', 'Maori'], ['mk', 'Macedonian'], ['ml', 'Malayalam'], ['mn', 'Mongolian'],
  ['mr', 'Marathi'], ['ms', 'Malay'], ['mt', 'Maltese'], ['my', 'Burmese'], ['na', 'Nauru'],
  ['nb', 'Norwegian Bokmål'], ['nd', 'North Ndebele'], ['ne', 'Nepali'], ['ng', 'Ndonga'], ['nl', 'Dutch'],
  ['nn', 'Norwegian Nynorsk'], ['no', 'Norwegian'], ['nr', 'South Ndebele'], ['nv', 'Navajo'], ['ny', 'Chichewa'],
  ['oc', 'Occitan'], ['oj', 'Ojibwa'], ['om', 'Oromo'], ['or', 'Odia'], ['os', 'Ossetian'],
  ['pa', 'Punjabi'], ['pi', 'Pali'], ['pl', 'Polish'], ['ps', 'Pashto'], ['pt', 'Portuguese'],
  ['qu', 'Quechua'], ['rm', 'Romansh'], ['rn', 'Rundi'], ['ro', 'Romanian'], ['ru', 'Russian'],
  ['rw', 'Kinyarwanda'], ['sa', 'Sanskrit'], ['sc', 'Sardinian'], ['sd', 'Sindhi'], ['se', 'Northern Sami'],
  ['sg', 'Sango'], ['si', 'Sinhala'], ['sk', 'Slovak'], ['sl', 'Slovenian'], ['sm', 'Samoan'],
  ['sn', 'Shona'], ['so', 'Somali'], ['sq', 'Albanian'], ['sr', 'Serbian'], ['ss', 'Swati'],
  ['st', 'Southern Sotho'], ['su', 'Sundanese'], ['sv', 'Swedish'], ['sw', 'Swahili'], ['ta', 'Tamil'],
  ['te', 'Telugu'], ['tg', 'Tajik'], ['th', 'Thai'], ['ti', 'Tigrinya'], ['tk', 'Turkmen'],
  ['tl', 'Tagalog'], ['tn', 'Tswana'], ['to', 'Tongan'], ['tr', 'Turkish'], ['ts', 'Tsonga'],
  ['tt', 'Tatar'], ['tw', 'Twi'], ['ty', 'Tahitian'], ['ug', 'Uyghur'], ['uk', 'Ukrainian'],
  ['ur', 'Urdu'], ['uz', 'Uzbek'], ['ve', 'Venda'], ['vi', 'Vietnamese'], ['vo', 'Volapük'],
  ['wa', 'Walloon'], ['wo', 'Wolof'], ['xh', 'Xhosa'], ['yi', 'Yiddish'], ['yo', 'Yoruba'],
  ['za', 'Zhuang'], ['zh', 'Chinese'], ['zu', 'Zulu'],
]
  .map(([value, label]) => ({ value: value!, label: label! }))
  .sort((a, b) => a.label.localeCompare(b.label, 'en'));

// ---------------------------------------------------------------------------------------------
// Operators

/**
 * What an operator's `value` holds:
 * - `none`: no value (`is_empty`, `is_set`);
 * - `one`: a single value of the field's type;
 * - `list`: a list of values of the field's type (words or phrases for `message.body`);
 * - `range`: `[low, high]`, both inclusive;
 * - `pattern`: an RE2 regular expression.
 */
export type ValueKind = 'none' | 'one' | 'list' | 'range' | 'pattern';

export interface OperatorDef {
  readonly label: string;
  readonly valueKind: ValueKind;
  readonly description: string;
  /** The operator that is its exact negation, so `not (x op v)` can be read as `x negation v`. */
  readonly negation?: OperatorName;
}

export const OPERATOR_NAMES = [
  'eq', 'neq', 'in', 'not_in',
  'contains', 'starts_with', 'ends_with',
  'gt', 'gte', 'lt', 'lte', 'between',
  'contains_any', 'contains_all', 'contains_none',
  'matches',
  'is_empty', 'is_set',
] as const;
export type OperatorName = (typeof OPERATOR_NAMES)[number];

export const OPERATORS: { readonly [K in OperatorName]: OperatorDef } = {
  eq: { label: 'is', valueKind: 'one', negation: 'neq', description: 'equals the value' },
  neq: { label: 'is not', valueKind: 'one', negation: 'eq', description: 'does not equal the value (true when the field is empty)' },
  in: { label: 'is any of', valueKind: 'list', negation: 'not_in', description: 'equals one of the values' },
  not_in: { label: 'is none of', valueKind: 'list', negation: 'in', description: 'equals none of the values (true when the field is empty)' },
  contains: { label: 'contains', valueKind: 'one', description: 'has the value as a substring' },
  starts_with: { label: 'starts with', valueKind: 'one', description: 'begins with the value' },
  ends_with: { label: 'ends with', valueKind: 'one', description: 'ends with the value' },
  gt: { label: 'is more than', valueKind: 'one', description: 'is a number greater than the value' },
  gte: { label: 'is at least', valueKind: 'one', description: 'is a number greater than or equal to the value' },
  lt: { label: 'is less than', valueKind: 'one', description: 'is a number less than the value' },
  lte: { label: 'is at most', valueKind: 'one', description: 'is a number less than or equal to the value' },
  between: { label: 'is between', valueKind: 'range', description: 'is a number from low to high, both included' },
  contains_any: { label: 'include any of', valueKind: 'list', negation: 'contains_none', description: 'holds at least one of the values' },
  contains_all: { label: 'include all of', valueKind: 'list', description: 'holds every one of the values' },
  contains_none: { label: 'include none of', valueKind: 'list', negation: 'contains_any', description: 'holds none of the values' },
  matches: { label: 'matches', valueKind: 'pattern', description: 'an RE2 regular expression finds a match (linear time)' },
  is_empty: { label: 'is empty', valueKind: 'none', negation: 'is_set', description: 'has no value (missing, blank or an empty list)' },
  is_set: { label: 'is set', valueKind: 'none', negation: 'is_empty', description: 'has a value' },
};

// ---------------------------------------------------------------------------------------------
// Field types

/**
 * - `enum`: one value from a list (`values`); an open list (`openValues`) also takes other words.
 * - `string`: free text compared as a whole (case- and accent-insensitive).
 * - `tags`: a list of tags (case- and accent-insensitive).
 * - `number`: a finite number.
 * - `boolean`: true or false.
 * - `text`: a message body, matched word by word (word-bounded, case- and accent-insensitive) or by
 *   an RE2 pattern.
 * - `attribute`: a host attribute whose type the validator does not know (string, number or boolean);
 *   the value's own type picks the comparison.
 */
export type FieldType = 'enum' | 'string' | 'tags' | 'number' | 'boolean' | 'text' | 'attribute';

/** Operators per field type, before `is_empty`/`is_set`, which nullable fields add. */
export const TYPE_OPERATORS: { readonly [K in FieldType]: readonly OperatorName[] } = {
  enum: ['eq', 'neq', 'in', 'not_in'],
  string: ['eq', 'neq', 'in', 'not_in', 'contains', 'starts_with', 'ends_with'],
  tags: ['contains_any', 'contains_all', 'contains_none', 'is_empty', 'is_set'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between'],
  boolean: ['eq', 'neq'],
  text: ['contains_any', 'contains_all', 'contains_none', 'matches'],
  attribute: ['eq', 'neq', 'in', 'not_in', 'contains', 'starts_with', 'ends_with', 'gt', 'gte', 'lt', 'lte', 'between'],
};

/**
 * The most a word list of a `text` field (`message.body` with `contains_any`, `contains_all`,
 * `contains_none`) may hold: phrases per condition, words per phrase (as the body is split), and
 * characters per phrase. Every inbound message meets every such list, so its size is a cost of the
 * server's, not only the admin's; matching is linear in the body's words whatever the list, and
 * these keep the constant small (and most lists within the compiled-regex fast path). A saved rule
 * is held to them by `validateWorkflow` (and the schema, for the counts it can see without
 * splitting words); rules saved before they existed keep running.
 */
export const PHRASE_LIMITS = { phrases: 100, words: 10, characters: 200 } as const;

/** How an operator reads for a type where the generic label would be wrong ("tags include", "body contains"). */
export const TYPE_OPERATOR_LABELS: { readonly [K in FieldType]?: { readonly [O in OperatorName]?: string } } = {
  tags: { is_empty: 'are empty', is_set: 'are not empty' },
  text: { contains_any: 'contains any of the words', contains_all: 'contains all of the words', contains_none: 'contains none of the words' },
};

export interface FieldDef {
  /** The path in the facts (`conversation.channel`). */
  readonly name: string;
  /** Lower-case words for sentences ("contact language"). */
  readonly label: string;
  readonly description: string;
  readonly type: FieldType;
  /** Whether the field can be missing, which adds `is_empty` and `is_set`. */
  readonly nullable: boolean;
  /** Operators the field accepts, in the order the builder offers them. */
  readonly operators: readonly OperatorName[];
  /** The choices of an enum field. */
  readonly values?: readonly ValueOption[];
  /** An enum that also accepts values outside `values` (hosts add channels). */
  readonly openValues?: boolean;
  /**
   * An enum whose values are ids of the workspace's own records (`teams`), so it has no fixed
   * `values`: the builder offers them by name, sentences name them, and the validator, given the
   * workspace's teams, rejects an id that is not one of them (`unknown_team`).
   */
  readonly valuesFrom?: 'teams';
  /** Bounds of a number field, both inclusive. */
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

function field(def: Omit<FieldDef, 'operators'>): FieldDef {
  const operators = [...TYPE_OPERATORS[def.type]];
  if (def.nullable && !operators.includes('is_empty')) operators.push('is_empty', 'is_set');
  return { ...def, operators };
}

/** The fixed fields, in the order the builder lists them. `contact.attributes.<key>` is resolved by `resolveField`. */
export const RULE_FIELDS: readonly FieldDef[] = [
  field({ name: 'conversation.channel', label: 'channel', type: 'enum', nullable: false, values: CHANNEL_OPTIONS, openValues: true,
    description: 'Channel the conversation came in on; hosts may add their own channel names.' }),
  field({ name: 'conversation.source', label: 'source', type: 'string', nullable: true,
    description: "Where the conversation started, as the host reports it (e.g. 'facebook-ad', 'website-form')." }),
  field({ name: 'conversation.subject', label: 'subject', type: 'string', nullable: true,
    description: 'Subject line (email) or title given by the host.' }),
  field({ name: 'conversation.tags', label: 'conversation tags', type: 'tags', nullable: false,
    description: 'Tags on the conversation.' }),
  field({ name: 'conversation.priority', label: 'priority', type: 'enum', nullable: false, values: PRIORITY_OPTIONS,
    description: 'Priority of the conversation.' }),
  field({ name: 'conversation.team', label: 'team', type: 'enum', nullable: true, openValues: true, valuesFrom: 'teams',
    description: 'Team the conversation is in (a team id; empty when it has none), as it is when the rule runs: set by hand, by `set_team`, or by an assignment from a team pool.' }),
  field({ name: 'conversation.language', label: 'conversation language', type: 'enum', nullable: true, values: LANGUAGE_OPTIONS,
    description: "Language of the customer's messages: the contact's language when set, otherwise detected from their inbound messages (ISO 639-1)." }),
  field({ name: 'contact.name', label: 'contact name', type: 'string', nullable: false,
    description: "The contact's name." }),
  field({ name: 'contact.email', label: 'contact email', type: 'string', nullable: true,
    description: "The contact's email address." }),
  field({ name: 'contact.language', label: 'contact language', type: 'enum', nullable: true, values: LANGUAGE_OPTIONS,
    description: "The contact's language as the host set it (ISO 639-1)." }),
  field({ name: 'contact.tags', label: 'contact tags', type: 'tags', nullable: false,
    description: 'Tags on the contact.' }),
  field({ name: 'message.body', label: 'message', type: 'text', nullable: true,
    description: 'Body of the inbound message that fired the rule (empty for triggers without a message).' }),
  field({ name: 'time.weekday', label: 'weekday', type: 'enum', nullable: false, values: WEEKDAY_OPTIONS,
    description: "Day of the week when the rule runs, in the workspace's time zone." }),
  field({ name: 'time.hour', label: 'hour', type: 'number', nullable: false, min: 0, max: 23, integer: true,
    description: "Hour of the day (0–23) when the rule runs, in the workspace's time zone." }),
];

export const RULE_FIELD_NAMES = RULE_FIELDS.map((f) => f.name);

/** `contact.attributes.<key>`: the host's own contact fields. Keys are identifiers so paths stay unambiguous. */
export const ATTRIBUTE_FIELD_PREFIX = 'contact.attributes.';
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const ATTRIBUTE_FIELD_PATTERN = /^contact\.attributes\.[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The types a host attribute can have; a workspace may declare them so the builder offers the right operators. */
export type AttributeType = 'string' | 'number' | 'boolean';
export type AttributeTypes = Readonly<Record<string, AttributeType>>;

const FIELD_BY_NAME = new Map(RULE_FIELDS.map((f) => [f.name, f]));

/**
 * The definition of a field name, or undefined for an unknown one. An attribute whose type the
 * caller declares is that type; an undeclared one is `attribute` (any of the three).
 */
export function resolveField(name: string, attributeTypes?: AttributeTypes): FieldDef | undefined {
  const fixed = FIELD_BY_NAME.get(name);
  if (fixed) return fixed;
  if (!ATTRIBUTE_FIELD_PATTERN.test(name)) return undefined;
  const key = name.slice(ATTRIBUTE_FIELD_PREFIX.length);
  const declared = attributeTypes && Object.hasOwn(attributeTypes, key) ? attributeTypes[key] : undefined;
  return field({
    name,
    label: key.replace(/_/g, ' '),
    type: declared ?? 'attribute',
    nullable: true,
    description: `The host's contact attribute \`${key}\`.`,
  });
}

/** The operator's words for a field type ("include any of" for tags, "contains any of the words" for a message). */
export function operatorLabel(op: OperatorName, type: FieldType): string {
  return TYPE_OPERATOR_LABELS[type]?.[op] ?? OPERATORS[op].label;
}

// ---------------------------------------------------------------------------------------------
// Triggers

export const TRIGGER_EVENTS = [
  'conversation.created',
  'message.received',
  'conversation.reopened',
  'conversation.unassigned_for',
  'conversation.unanswered_for',
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export interface TriggerDef {
  readonly event: TriggerEvent;
  readonly label: string;
  readonly description: string;
  /** Takes `minutes`: the rule fires once the state has lasted that long. */
  readonly timed: boolean;
  /** Whether the event carries an inbound message, i.e. `message.body` has a value. */
  readonly hasMessage: boolean;
}

export const TRIGGERS: readonly TriggerDef[] = [
  { event: 'conversation.created', label: 'a conversation is created', timed: false, hasMessage: true,
    description: 'A new conversation, with its first inbound message when there is one.' },
  { event: 'message.received', label: 'a customer message arrives', timed: false, hasMessage: true,
    description: 'An inbound message on an existing conversation.' },
  { event: 'conversation.reopened', label: 'a conversation is reopened', timed: false, hasMessage: true,
    description: 'A resolved conversation opens again (an inbound message, a reply, or by hand).' },
  { event: 'conversation.unassigned_for', label: 'a conversation stays unassigned', timed: true, hasMessage: false,
    description: 'An open conversation has had no assignee for `minutes` (counted from when it became unassigned; snoozed conversations do not count).' },
  { event: 'conversation.unanswered_for', label: 'a customer waits for a reply', timed: true, hasMessage: false,
    description: "An assigned conversation's customer has waited `minutes` for an agent's reply: counted from their first message after the last reply, or from the assignment when that came later." },
];

const TRIGGER_BY_EVENT = new Map(TRIGGERS.map((t) => [t.event, t]));

/** A trigger's definition by its event name, or undefined for an unknown one. */
export const triggerDef = (event: string): TriggerDef | undefined => TRIGGER_BY_EVENT.get(event as TriggerEvent);

// ---------------------------------------------------------------------------------------------
// Note templates

export interface TemplateVariable {
  readonly name: string;
  readonly description: string;
}

/**
 * Placeholders an `add_note` body may use, as `{{contact.name}}`. The runner passes every one of
 * them (null when it has no value, which renders empty); a name not in this list stays visible as
 * written so a typo shows in the note, and the validator warns about it.
 */
export const TEMPLATE_VARIABLES: readonly TemplateVariable[] = [
  { name: 'rule.name', description: 'name of the rule that ran' },
  { name: 'contact.name', description: "contact's name" },
  { name: 'contact.email', description: "contact's email" },
  { name: 'contact.phone', description: "contact's phone" },
  { name: 'contact.language', description: "contact's language code" },
  { name: 'conversation.id', description: 'conversation id' },
  { name: 'conversation.channel', description: 'conversation channel' },
  { name: 'conversation.subject', description: 'conversation subject' },
  { name: 'conversation.source', description: 'conversation source' },
  { name: 'conversation.priority', description: 'conversation priority' },
  { name: 'conversation.language', description: "language of the customer's messages" },
  { name: 'agent.name', description: 'agent this rule assigned (empty when it assigned nobody)' },
  { name: 'agent.username', description: 'username of the agent this rule assigned' },
  { name: 'team.name', description: 'team of the conversation' },
];
