/**
 * The value editor a condition gets, chosen by its field's type and its operator's value kind
 * (the protocol's field registry): nothing for `is_empty`, a select for an enum, a number box
 * (with the field's bounds) for a number, a pair of them for `between`, chips for lists. Only
 * what the type allows is offered, so most invalid values cannot be typed at all.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { OPERATORS, type FieldDef, type OperatorName, type ValueOption } from '@baton/protocol/rule-fields';

export interface ControlAttrs {
  /** The control's key (its JSON path joined with dots). */
  key: string;
  tabindex: number;
  /** Id of the element describing its problems, or '' for none. */
  describedBy: string;
  invalid: boolean;
}

type Scalar = string | number | boolean;

export interface ValueEditorOptions {
  field: FieldDef;
  op: OperatorName;
  value: unknown;
  attrs: ControlAttrs;
  /** Values to suggest while typing (the workspace's tags, its agents' skills). */
  suggestions?: readonly string[];
  /**
   * What is typed in the adder, on every keystroke and when it gets focus: `suggestions` then
   * follow it (the workspace's tags, asked for by prefix). With it the adder is always a combobox.
   */
  onType?(text: string): void;
  /** A new value; `coalesce` marks typing, which undo takes back as one step. */
  onChange(value: unknown, label: string, coalesce?: boolean): void;
}

const optionLabel = (options: readonly ValueOption[] | undefined, v: Scalar) => options?.find((o) => o.value === v)?.label ?? String(v);

function parseScalar(field: FieldDef, raw: string): Scalar {
  if (field.type === 'number') return raw.trim() === '' ? 0 : Number(raw);
  if (field.type === 'boolean') return raw === 'true';
  return raw;
}

/** Chips for a list value, each with its own Remove button, and an adder that fits the field. */
function chips(o: ValueEditorOptions): TemplateResult {
  const list = (Array.isArray(o.value) ? o.value : []) as Scalar[];
  const { attrs } = o;
  const remaining = o.field.values?.filter((v) => !list.includes(v.value));
  const suggests = !!(o.field.values || o.suggestions?.length || o.onType);
  const add = (raw: string) => {
    const values = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => parseScalar(o.field, s))
      .filter((v) => !list.includes(v));
    if (values.length) o.onChange([...list, ...values], `Add ${values.map((v) => optionLabel(o.field.values, v)).join(', ')}`);
  };
  return html`
    <span class="chips" data-path=${attrs.key}>
      ${list.map(
        (v, i) => html`<span class="chip"
          >${optionLabel(o.field.values, v)}<button
            type="button"
            class="chip-remove"
            tabindex=${attrs.tabindex}
            aria-label="Remove ${optionLabel(o.field.values, v)}"
            @click=${() => o.onChange(list.filter((_, j) => j !== i), `Remove ${optionLabel(o.field.values, v)}`)}
          >×</button></span
        >`,
      )}
      ${remaining && !o.field.openValues
        ? html`<select
            aria-label="Add value"
            tabindex=${attrs.tabindex}
            aria-invalid=${attrs.invalid ? 'true' : 'false'}
            aria-describedby=${attrs.describedBy || nothing}
            @change=${(e: Event) => {
              const select = e.target as HTMLSelectElement;
              if (select.value) add(select.value);
              select.value = '';
            }}
          >
            <option value="">Add…</option>
            ${remaining.map((v) => html`<option value=${v.value}>${v.label}</option>`)}
          </select>`
        : html`<input
            type="text"
            aria-label="Add value"
            placeholder=${o.field.type === 'text' ? 'word or phrase, Enter' : 'value, Enter'}
            list=${suggests ? `values-${attrs.key}` : nothing}
            tabindex=${attrs.tabindex}
            aria-invalid=${attrs.invalid ? 'true' : 'false'}
            aria-describedby=${attrs.describedBy || nothing}
            @input=${o.onType ? (e: Event) => o.onType!((e.target as HTMLInputElement).value) : nothing}
            @focus=${o.onType ? (e: Event) => o.onType!((e.target as HTMLInputElement).value) : nothing}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key !== 'Enter') return;
              e.preventDefault();
              const input = e.target as HTMLInputElement;
              add(input.value);
              input.value = '';
              o.onType?.('');
            }}
          />${o.field.values
            ? html`<datalist id="values-${attrs.key}">${o.field.values.map((v) => html`<option value=${v.value}>${v.label}</option>`)}</datalist>`
            : suggests
              ? html`<datalist id="values-${attrs.key}">${(o.suggestions ?? []).filter((v) => !list.includes(v)).map((v) => html`<option value=${v}></option>`)}</datalist>`
              : nothing}`}
    </span>
  `;
}

function one(o: ValueEditorOptions, label = 'Value', index?: number): TemplateResult {
  const { field, attrs } = o;
  const current = index === undefined ? o.value : (o.value as Scalar[] | undefined)?.[index];
  const set = (v: Scalar, coalesce: boolean) => {
    if (index === undefined) o.onChange(v, `Set ${field.label} value`, coalesce);
    else {
      const pair = [...((o.value as Scalar[] | undefined) ?? [field.min ?? 0, field.max ?? 0])];
      pair[index] = v;
      o.onChange(pair, `Set ${field.label} range`, coalesce);
    }
  };
  const common = {
    tabindex: attrs.tabindex,
    invalid: attrs.invalid ? 'true' : 'false',
  };
  if (field.type === 'boolean') {
    return html`<select aria-label=${label} data-path=${attrs.key} tabindex=${common.tabindex} aria-invalid=${common.invalid} aria-describedby=${attrs.describedBy || nothing}
      @change=${(e: Event) => set((e.target as HTMLSelectElement).value === 'true', false)}>
      <option value="true" ?selected=${current === true}>true</option>
      <option value="false" ?selected=${current === false}>false</option>
    </select>`;
  }
  if (field.values && !field.openValues) {
    return html`<select aria-label=${label} data-path=${attrs.key} tabindex=${common.tabindex} aria-invalid=${common.invalid} aria-describedby=${attrs.describedBy || nothing}
      @change=${(e: Event) => set((e.target as HTMLSelectElement).value, false)}>
      ${field.values.some((v) => v.value === current) ? nothing : html`<option value="" selected disabled>Choose…</option>`}
      ${field.values.map((v) => html`<option value=${v.value} ?selected=${v.value === current}>${v.label}</option>`)}
    </select>`;
  }
  if (field.type === 'number') {
    return html`<input type="number" aria-label=${label} data-path=${attrs.key} tabindex=${common.tabindex} aria-invalid=${common.invalid} aria-describedby=${attrs.describedBy || nothing}
      min=${field.min ?? nothing} max=${field.max ?? nothing} step=${field.integer ? 1 : 'any'}
      .value=${live(current === undefined ? '' : String(current))}
      @input=${(e: Event) => {
        const raw = (e.target as HTMLInputElement).value;
        if (raw !== '' && Number.isFinite(Number(raw))) set(Number(raw), true);
      }} />`;
  }
  return html`<input type="text" aria-label=${label} data-path=${attrs.key} tabindex=${common.tabindex} aria-invalid=${common.invalid} aria-describedby=${attrs.describedBy || nothing}
    list=${field.values ? `values-${attrs.key}` : nothing}
    .value=${live(current === undefined ? '' : String(current))}
    @input=${(e: Event) => set((e.target as HTMLInputElement).value, true)} />${field.values
    ? html`<datalist id="values-${attrs.key}">${field.values.map((v) => html`<option value=${v.value}>${v.label}</option>`)}</datalist>`
    : nothing}`;
}

export function valueEditor(o: ValueEditorOptions): TemplateResult | typeof nothing {
  switch (OPERATORS[o.op]?.valueKind) {
    case 'none':
      return nothing;
    case 'one':
      return one(o);
    case 'list':
      return chips(o);
    case 'range':
      return html`<span class="range">${one(o, 'From', 0)} and ${one(o, 'To', 1)}</span>`;
    case 'pattern':
      return html`<input type="text" class="pattern" aria-label="Pattern (RE2)" data-path=${o.attrs.key} tabindex=${o.attrs.tabindex}
        aria-invalid=${o.attrs.invalid ? 'true' : 'false'} aria-describedby=${o.attrs.describedBy || nothing}
        .value=${live(typeof o.value === 'string' ? o.value : '')}
        @input=${(e: Event) => o.onChange((e.target as HTMLInputElement).value, 'Set pattern', true)} />`;
    default:
      return nothing;
  }
}
