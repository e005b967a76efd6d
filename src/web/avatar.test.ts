import { describe, expect, it } from 'vitest';
import { AVATAR_COLOURS, avatarColour, initials } from './avatar.js';

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
});
