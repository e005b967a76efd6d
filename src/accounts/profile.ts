import { cleanName } from '../model/text.js';

/** Public handles: what /account accepts, and what the header and votes show. */
export const HANDLE_MIN = 3;
export const HANDLE_MAX = 30;
export const DISPLAY_NAME_MAX = 80;

const HANDLE = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/;
/** Handles that would read as the site speaking, or collide with paths. */
const RESERVED = new Set([
  'admin',
  'administrator',
  'paperboy',
  'support',
  'root',
  'system',
  'staff',
  'moderator',
  'account',
  'signin',
  'signout',
  'api',
]);

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export function checkHandle(input: string): Checked<string> {
  const handle = input.trim().replace(/^@/, '').toLowerCase();
  if (handle.length < HANDLE_MIN || handle.length > HANDLE_MAX) {
    return { ok: false, error: `A handle is ${HANDLE_MIN} to ${HANDLE_MAX} characters long.` };
  }
  if (!HANDLE.test(handle)) {
    return {
      ok: false,
      error: 'A handle uses letters a-z, digits, "-" and "_", and starts and ends with a letter or digit.',
    };
  }
  if (RESERVED.has(handle)) return { ok: false, error: `The handle "${handle}" is reserved. Choose another.` };
  return { ok: true, value: handle };
}

export function checkDisplayName(input: string): Checked<string> {
  // Control characters and runs of spaces would let one name imitate another in lists.
  const name = cleanName(input)
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (name.length === 0) return { ok: false, error: 'Enter a display name.' };
  if ([...name].length > DISPLAY_NAME_MAX)
    return { ok: false, error: `A display name is at most ${DISPLAY_NAME_MAX} characters long.` };
  return { ok: true, value: name };
}

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;

export function checkEmail(input: string): Checked<string> {
  const email = input.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email))
    return { ok: false, error: 'Enter an email address, like name@example.org.' };
  return { ok: true, value: email };
}
