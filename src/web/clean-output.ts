import type { MiddlewareHandler } from 'hono';
import { cleanText } from '../model/text.js';

const MARKUP = /^(text\/html|application\/[a-z+]*xml|text\/xml)/;

/**
 * HTML and XML responses without the characters those formats forbid (NUL, other controls, lone surrogates), should a
 * page be built from a stored or requested text that holds one: the last line of defence, behind cleaning at input.
 */
export function cleanOutput(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!c.res.body || !MARKUP.test(c.res.headers.get('Content-Type') ?? '')) return;
    const body = await c.res.text();
    const res = new Response(cleanText(body), c.res);
    res.headers.delete('Content-Length');
    c.res = undefined;
    c.res = res;
  };
}
