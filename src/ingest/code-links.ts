/** Code and model links named in an abstract or comment: GitHub and GitLab repositories, Hugging Face repos. */
const LINK = /\b(?:https?:\/\/)?(?:www\.)?(github\.com|gitlab\.com|huggingface\.co)\/[A-Za-z0-9_.~%/-]+/gi;
const TRAILING = /[.,;:)\]}'"]+$/;

export function findCodeLinks(...texts: (string | undefined | null)[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const match of text.matchAll(LINK)) {
      const url = normalize(match[0]);
      if (url) found.add(url);
    }
  }
  return [...found];
}

function normalize(raw: string): string | undefined {
  let url = raw.replace(TRAILING, '').replace(/\.git$/i, '');
  if (!/^https?:\/\//i.test(url)) url = `https://${url}`;
  url = url.replace(/^http:\/\//i, 'https://').replace(/^https:\/\/www\./i, 'https://');
  const parsed = new URL(url);
  const parts = parsed.pathname.split('/').filter(Boolean);
  const host = parsed.hostname.toLowerCase();
  // A link to a user or org page alone is not a code link.
  if (parts.length < 2) return undefined;
  if (host === 'huggingface.co' && ['papers', 'blog', 'docs', 'join', 'login'].includes(parts[0]!)) return undefined;
  const keep = host === 'huggingface.co' && ['datasets', 'spaces'].includes(parts[0]!) ? 3 : 2;
  if (parts.length < keep) return undefined;
  return `https://${host}/${parts.slice(0, keep).join('/')}`;
}
