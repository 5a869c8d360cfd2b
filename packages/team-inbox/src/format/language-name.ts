const names = new Map<string, string>();

/** "es" → "Spanish": the detected ISO 639-1 code as people say it; the code itself if the browser has no name for it. */
export function languageName(code: string): string {
  let name = names.get(code);
  if (name === undefined) {
    try {
      name = new Intl.DisplayNames(['en'], { type: 'language' }).of(code) ?? code;
    } catch {
      name = code; // not a well-formed language tag
    }
    names.set(code, name);
  }
  return name;
}
