import type { ReactiveControllerHost } from 'lit';

/** What a composer picker shows: its candidates and which one is active. */
export interface PickerList {
  readonly candidates: readonly unknown[];
  active: number;
}

/**
 * The keys of a picker that opens from what is typed in the composer (the `@` teammates, the `/`
 * saved replies): arrows move through the candidates (wrapping), Enter or Tab choose the active
 * one, Escape dismisses. Returns whether the key was the picker's (then it goes no further).
 */
export function pickerKeydown(event: KeyboardEvent, list: PickerList, host: ReactiveControllerHost, on: { choose(): void; dismiss(): void }): boolean {
  const n = list.candidates.length;
  switch (event.key) {
    case 'ArrowDown':
    case 'ArrowUp':
      if (n) list.active = (list.active + (event.key === 'ArrowDown' ? 1 : -1) + n) % n;
      break;
    case 'Enter':
    case 'Tab':
      if (!n) return false;
      on.choose();
      break;
    case 'Escape':
      on.dismiss();
      break;
    default:
      return false;
  }
  event.preventDefault();
  event.stopPropagation();
  host.requestUpdate();
  return true;
}
