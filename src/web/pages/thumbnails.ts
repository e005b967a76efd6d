import { Hono } from 'hono';
import { thumbnailImage } from '../../store/thumbnails.js';
import type { WebDeps } from '../deps.js';

/** GET /thumbnails/:hash/:id: a paper's first page as an image. The hash names the bytes, so it is kept for a year. */
export function thumbnailRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  app.get('/thumbnails/:hash{[A-Za-z0-9_-]{16}}/:id{.+}', async (c) => {
    const image = await thumbnailImage(deps.db, c.req.param('id'), c.req.param('hash'));
    if (!image) return c.notFound();
    return c.body(Buffer.from(image.bytes), 200, {
      'Content-Type': image.type,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });
  return app;
}
