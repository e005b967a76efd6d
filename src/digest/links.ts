import type { Signer } from '../crypto/tokens.js';

/** The purpose a subscriber's signed token is made for: it opens their preferences and unsubscribes them. */
export const SUBSCRIBER_TOKEN = 'subscriber';

export function subscriberLinks(
  baseUrl: string,
  signer: Signer,
  subscriberId: string,
): { preferencesUrl: string; unsubscribeUrl: string } {
  const token = encodeURIComponent(signer.token(SUBSCRIBER_TOKEN, subscriberId));
  return {
    preferencesUrl: `${baseUrl}/subscribe/preferences?token=${token}`,
    unsubscribeUrl: `${baseUrl}/subscribe/unsubscribe?token=${token}`,
  };
}

/** RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the URL, without the reader leaving. */
export function unsubscribeHeaders(unsubscribeUrl: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
