/**
 * `add_note` bodies: `{{rule.name}}`-style placeholders filled from a plain object.
 *
 * Only dotted names are placeholders (`{{ contact.name }}`; spaces inside the braces are allowed);
 * there are no expressions, filters or helpers, so a template can never run code. Lookups read own
 * properties only (`{{constructor.name}}` does not reach Object.prototype).
 *
 * A placeholder whose path does not exist in `vars` stays in the text as written, so a typo
 * (`{{contact.nmae}}`) shows up in the note instead of vanishing; one whose value is null or
 * undefined renders empty (the runner passes every TEMPLATE_VARIABLE, null when it has none).
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;

export type TemplateVars = { readonly [key: string]: unknown };

function lookup(vars: TemplateVars, path: string): { found: boolean; value?: unknown } {
  let current: unknown = vars;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return { found: false };
    current = (current as Record<string, unknown>)[key];
  }
  return { found: true, value: current };
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(show).join(', ');
  if (typeof value === 'object') return '';
  return String(value);
}

export function renderTemplate(body: string, vars: TemplateVars): string {
  return body.replace(PLACEHOLDER, (whole, path: string) => {
    const { found, value } = lookup(vars, path);
    return found ? show(value) : whole;
  });
}

/** The placeholder names a template uses, in order of appearance (for validation). */
export function placeholders(body: string): string[] {
  return [...body.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
