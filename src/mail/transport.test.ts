import { describe, expect, it } from 'vitest';
import { sendable } from './transport.js';

describe('sendable', () => {
  it('keeps control characters out of headers and bodies, and line breaks out of headers', () => {
    const mail = sendable({
      from: 'Paperboy <p@example.org>',
      to: 'a@example.org\u0000',
      subject: 'New: \u202Eevil\u202C title\r\nBcc: x@example.org\u0001',
      text: 'a\u0000b\nc\td\u000B',
      html: '<p>a\u0001b</p>\n',
      messageId: '<1@example.org>',
      date: new Date(0),
      headers: { 'List-Unsubscribe': '<https://example.org/u>\r\nX-Evil: 1' },
    });
    expect(mail).toMatchObject({
      to: 'a@example.org',
      subject: 'New: evil title  Bcc: x@example.org',
      text: 'ab\nc\td',
      html: '<p>ab</p>\n',
      headers: { 'List-Unsubscribe': '<https://example.org/u>  X-Evil: 1' },
    });
  });
});
