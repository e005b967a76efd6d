import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { Refusal } from '../../model/refusal.js';
import { statusOf } from '../refusal.js';
import type { ErrorCode } from './error-codes.js';

export { ERROR_CODES, type ErrorCode } from './error-codes.js';

/** The API's code for each HTTP status a feature's refusal is answered with (src/web/refusal.tsx). */
const REFUSAL_CODES: Record<number, ErrorCode> = {
  400: 'invalid_request',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limited',
  502: 'unavailable',
  503: 'unavailable',
};

export interface FieldError {
  /** Where the bad value was: `query.limit`, `path.id`. */
  field: string;
  message: string;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldError[] };
}

/** The one error type of the JSON API: thrown anywhere in a handler, answered as `{ error: { code, message } }`. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldError[],
    /** Sent with the answer: `WWW-Authenticate` on a 401. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function errorJson(
  c: Context,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  fields?: FieldError[],
): Response {
  const body: ErrorBody = { error: fields ? { code, message, fields } : { code, message } };
  return c.json(body, status);
}

const TARGET_NAMES: Record<string, string> = { query: 'query', param: 'path', json: 'body', header: 'header' };

export function fieldErrors(error: ZodError, target: string): FieldError[] {
  const where = TARGET_NAMES[target] ?? target;
  return error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** The validation hook of every API route: a 400 naming each bad parameter and what is wrong with it. */
export function validationHook(
  result: { success: boolean; error?: ZodError; target: string },
  c: Context,
): Response | undefined {
  if (result.success || !result.error) return undefined;
  const fields = fieldErrors(result.error, result.target);
  const list = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return errorJson(
    c,
    400,
    'invalid_request',
    `Invalid request (${list}). See /docs for the parameters of each operation.`,
    fields,
  );
}

export function handleApiError(err: Error, c: Context, report: (err: Error) => void): Response {
  if (err instanceof ApiError) {
    for (const [name, value] of Object.entries(err.headers ?? {})) c.header(name, value);
    return errorJson(c, err.status, err.code, err.message, err.fields);
  }
  if (err instanceof Refusal) {
    const status = statusOf(err);
    return errorJson(c, status, REFUSAL_CODES[status] ?? 'invalid_request', err.message);
  }
  if (err instanceof HTTPException && err.status < 500) {
    return errorJson(c, err.status, err.status === 404 ? 'not_found' : 'invalid_request', err.message || 'Bad request');
  }
  report(err);
  return errorJson(
    c,
    500,
    'internal',
    'Internal server error: the request could not be answered. It has been logged; try again later.',
  );
}
