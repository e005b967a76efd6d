import { html } from 'hono/html';

/** How many avatar colours app.css defines (`.avatar.c0` to `.avatar.c7`, each AA with its text in light and dark). */
export const AVATAR_COLOURS = 8;

/**
 * One or two capital letters for a handle or a name: the first letters of its first two words ("grace_h" and
 * "Grace Hopper" give "GH", "GraceHopper" too), or the first letter alone of a one-word name. "?" when it has no letter
 * or digit.
 */
export function initials(name: string): string {
  const words = name
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const letters = words.slice(0, 2).map((w) => Array.from(w)[0]!.toLocaleUpperCase('en'));
  return letters.join('') || '?';
}

/** Which of the avatar colours a name gets: the same one for the same name, on every page (FNV-1a). */
export function avatarColour(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % AVATAR_COLOURS;
}

/** A small circle with a member's initials, beside their name (which says who it is: the circle is decoration). */
export function Avatar(props: { name: string }) {
  return html`<span class="avatar c${avatarColour(props.name)}" aria-hidden="true">${initials(props.name)}</span>`;
}
