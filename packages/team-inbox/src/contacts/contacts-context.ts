import { createContext } from '@lit/context';
import type { ContactDirectory } from './contact-directory.js';

export const contactsContext = createContext<ContactDirectory | undefined>(Symbol('baton/contacts'));
