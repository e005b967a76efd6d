import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** An unguessable single-use token (32 random bytes) and the hash the store keeps instead of it. */
export function randomToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * HMAC-SHA256 signatures under the server secret. `purpose` keeps a token made for one use (a preferences link)
 * from being accepted for another (a form).
 */
export class Signer {
  constructor(private readonly secret: string) {}

  sign(purpose: string, value: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}\u0000${value}`).digest('base64url');
  }

  verify(purpose: string, value: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(purpose, value));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** `value.signature`, for links that carry who they are about (a subscriber id). */
  token(purpose: string, value: string): string {
    return `${value}.${this.sign(purpose, value)}`;
  }

  /** The value a token from `token()` carries, or undefined when it was not signed by us for this purpose. */
  open(purpose: string, token: string): string | undefined {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const value = token.slice(0, dot);
    return this.verify(purpose, value, token.slice(dot + 1)) ? value : undefined;
  }
}
