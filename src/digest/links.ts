import { isLoopback } from '../config/config.js';
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

/**
 * The headers of every digest. RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the URL,
 * without the reader leaving; RFC 8058 allows that one click only over https, so a plain-http address (beyond this
 * machine) keeps the link but not the one-click promise. List-Id lets a reader filter the digests (RFC 2919);
 * Auto-Submitted keeps auto-responders from answering them (RFC 3834).
 */
export function digestHeaders(baseUrl: string, unsubscribeUrl: string): Record<string, string> {
  const url = new URL(baseUrl);
  const oneClick = url.protocol === 'https:' || isLoopback(url.hostname);
  return {
    'List-Id': `Paperboy digest <digest.${url.hostname.replace(/^\[|\]$/g, '').replace(/[^A-Za-z0-9.-]/g, '-')}>`,
    'List-Unsubscribe': `<${unsubscribeUrl}>`,
    ...(oneClick ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
    'Auto-Submitted': 'auto-generated',
  };
}
