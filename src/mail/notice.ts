import { escapeHtml } from '../model/html.js';

/** A short mail of a few paragraphs and one button (confirmations, sign-in links), light and dark. */
export function noticeHtml(paragraphs: string[], link: { href: string; label: string }): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"></head>
<body style="font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;">
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<p><a href="${escapeHtml(link.href)}" style="display:inline-block;padding:10px 18px;background:#0b57d0;color:#ffffff;text-decoration:none;border-radius:6px;">${escapeHtml(link.label)}</a></p>
<p style="color:#59636e;font-size:13px;">Or open this link: ${escapeHtml(link.href)}</p>
</body></html>`;
}

/** A Message-ID on this site's host name. */
export function messageId(id: string, baseUrl: string): string {
  return `<${id}@${new URL(baseUrl).hostname || 'paperboy.local'}>`;
}
