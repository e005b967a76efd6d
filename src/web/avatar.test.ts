import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AVATAR_COLOURS, avatarColour, initials } from './avatar.js';

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('avatars', () => {
  it('takes one or two initials from a handle or a name', () => {
    expect(initials('alice')).toBe('A');
    expect(initials('grace_h')).toBe('GH');
    expect(initials('Grace Hopper')).toBe('GH');
    expect(initials('GraceHopper')).toBe('GH');
    expect(initials('Jean-Pierre Serre')).toBe('JP');
    expect(initials('émile borel')).toBe('ÉB');
    expect(initials('42cats')).toBe('4');
    expect(initials('محمد علي')).toBe('مع');
    expect(initials('𝒜lice')).toBe('𝒜');
    expect(initials('__')).toBe('?');
    expect(initials('')).toBe('?');
  });

  it('gives a name the same colour every time, and spreads names over the colours', () => {
    expect(avatarColour('alice')).toBe(avatarColour('alice'));
    const seen = new Set(Array.from({ length: 200 }, (_, i) => avatarColour(`member${i}`)));
    expect(seen.size).toBe(AVATAR_COLOURS);
    for (const c of seen) expect(c >= 0 && c < AVATAR_COLOURS).toBe(true);
  });

  it('draws every colour with its initials at AA contrast (4.5:1), light and dark', () => {
    const css = readFileSync(new URL('./static/cards.css', import.meta.url), 'utf8');
    const dark = css.indexOf('@media (prefers-color-scheme: dark) {\n  .avatar {');
    const colours = (from: number, to: number) =>
      [...css.slice(from, to).matchAll(/\.avatar\.c(\d) \{\s*--avatar: (#[0-9a-f]{6});/g)].map((m) => m[2]!);
    const light = colours(0, dark);
    const night = colours(dark, css.length);
    expect(light).toHaveLength(AVATAR_COLOURS);
    expect(night).toHaveLength(AVATAR_COLOURS);
    const text = (from: number) => /\.avatar \{[^}]*?\bcolor: (#[0-9a-f]{6})/.exec(css.slice(from))![1]!;
    for (const c of light) expect(contrast(text(0), c), c).toBeGreaterThanOrEqual(4.5);
    for (const c of night) expect(contrast(text(dark), c), c).toBeGreaterThanOrEqual(4.5);
  });
});
