import { resolve } from 'node:path';
import { z } from 'zod';
import { Refusal } from '../model/refusal.js';

/**
 * Every setting Paperboy reads from the environment, parsed once at start-up.
 * Nothing else in the code reads `process.env`.
 */
const schema = z
  .object({
    PAPERBOY_DATA_DIR: z.string().default('./data'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// (leave it unset for the embedded store)')
      .optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('127.0.0.1'),
    PAPERBOY_BASE_URL: z.string().url().optional(),
    /** Comma-separated harvest sources run by `serve` on its schedule; "none" turns harvesting off. */
    PAPERBOY_SOURCES: z.string().default('hf-daily,arxiv-oai:cs.AI,arxiv-oai:cs.CL,arxiv-oai:cs.CV,arxiv-oai:cs.LG'),
    /** Cron expression (croner syntax) for the harvest schedule inside `serve`. */
    PAPERBOY_HARVEST_CRON: z.string().default('17 */3 * * *'),
    /** When `serve` refits the semantic search model on all papers (croner syntax); "off" never. */
    PAPERBOY_REFIT_CRON: z.string().default('40 4 * * *'),
    /** When `serve` stores every paper's trending score again (votes and comments update it as they come); "off" never. */
    PAPERBOY_TRENDING_CRON: z.string().default('7 * * * *'),
    /** When `serve` makes the thumbnails of the last week's papers from their PDFs (croner syntax); "off" never. */
    PAPERBOY_THUMBNAILS_CRON: z.string().default('*/20 * * * *'),
    /** Where arXiv's PDFs are: a paper's is <this>/<id>. */
    PAPERBOY_ARXIV_PDF_URL: z.string().url().default('https://arxiv.org/pdf'),
    /** Requests per client per 5 minutes on the JSON API; 0 turns the limit off (benchmarks, private deployments). */
    PAPERBOY_API_RATE_LIMIT: z.coerce.number().int().min(0).default(300),
    /** Web processes `serve` runs on its port (node:cluster); unset: 1 on SQLite, one per core on PostgreSQL. */
    PAPERBOY_PROCESSES: z.coerce.number().int().min(1).max(256).optional(),
    /** Seconds a scheduled run's claim holds without a heartbeat; after that another process takes the run over. */
    PAPERBOY_JOB_LEASE_SECONDS: z.coerce.number().min(0.1).default(120),
    PAPERBOY_ARXIV_API_URL: z.string().url().default('https://export.arxiv.org/api/query'),
    PAPERBOY_ARXIV_OAI_URL: z.string().url().default('https://oaipmh.arxiv.org/oai'),
    PAPERBOY_HF_API_URL: z.string().url().default('https://huggingface.co/api'),
    /** Minimum milliseconds between two requests to one arXiv host (arXiv asks for 3 s). */
    PAPERBOY_ARXIV_DELAY_MS: z.coerce.number().int().min(0).default(3000),
    /** How many times a failed request (network error, 429, 5xx) is retried, with exponential backoff, before giving up. */
    PAPERBOY_HTTP_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
    PAPERBOY_USER_AGENT: z.string().default('Paperboy/0.1 (self-hosted Daily Papers)'),
    /** Set when Paperboy runs behind a reverse proxy: rate limits then key on X-Forwarded-For. */
    PAPERBOY_TRUST_PROXY: z.enum(['true', 'false', '1', '0']).default('false'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** `pretty`: one readable line per entry; `json`: pino's JSON lines; `auto`: pretty on a terminal, JSON otherwise. */
    LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
    NODE_ENV: z.string().default('development'),
    /** Outgoing mail server, e.g. smtp://user:pass@mail.example.org:587 or smtps://...:465. Unset: no mail is sent. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'SMTP_URL must start with smtp:// or smtps://')
      .optional(),
    PAPERBOY_MAIL_FROM: z.string().default('Paperboy <paperboy@localhost>'),
    /** Signs preference, unsubscribe and form tokens (secret). Unset: generated once and kept in the store; refused when NODE_ENV=production. */
    PAPERBOY_SECRET: z
      .string()
      .min(32, 'PAPERBOY_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)')
      .optional(),
    /** When the due digests are composed and sent (croner syntax), inside `serve` and `worker`; "off" turns it off. */
    PAPERBOY_DIGEST_CRON: z.string().default('*/5 * * * *'),
    /** Most messages sent per second (0: no limit). */
    PAPERBOY_MAIL_RATE: z.coerce.number().min(0).default(20),
    /** SMTP connections used at once; also the most messages that can be on the wire when the process dies. */
    PAPERBOY_MAIL_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(3),
    /** Subscribers composed per transaction. */
    PAPERBOY_DIGEST_BATCH: z.coerce.number().int().min(1).max(5000).default(200),
    /** Attempts at a message that fails temporarily (4xx, connection refused) before it is given up. */
    PAPERBOY_MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    /** Seconds before the first retry; doubled at each further attempt (capped at 6 h). */
    PAPERBOY_MAIL_RETRY_SECONDS: z.coerce.number().min(0).default(60),
    /** Permanent failures (5xx) in a row after which an address gets no more mail until it subscribes again. */
    PAPERBOY_MAIL_BOUNCE_LIMIT: z.coerce.number().int().min(1).default(3),
    /** Seconds a claimed message stays reserved for its sender; after that another process may send it again. */
    PAPERBOY_MAIL_LEASE_SECONDS: z.coerce.number().min(0.1).default(120),
    /**
     * The semantic search model: `lsa` (fitted on the store's own papers), `use-lite` (the Universal Sentence Encoder
     * lite shipped in npm), `openai:<base URL>` (an OpenAI-compatible `/embeddings` endpoint: OpenAI, Ollama, TEI,
     * vLLM) or `onnx:<folder>` (a local ONNX model folder).
     */
    PAPERBOY_EMBEDDER: z
      .string()
      .trim()
      .regex(/^(lsa|use-lite|openai:https?:\/\/\S+|onnx:.+)$/, {
        error: (issue) =>
          `PAPERBOY_EMBEDDER is ${JSON.stringify(issue.input)}: use lsa, use-lite, openai:<base URL> (e.g. openai:http://127.0.0.1:11434/v1) or onnx:<model folder>`,
      })
      .default('lsa'),
    /** The model an `openai:` endpoint is asked for, e.g. nomic-embed-text or text-embedding-3-small. */
    PAPERBOY_EMBEDDER_MODEL: z.string().trim().min(1).optional(),
    /** Sent as a bearer token to an `openai:` endpoint (secret); unset for endpoints that need none (Ollama). */
    PAPERBOY_EMBEDDER_API_KEY: z.string().optional(),
  })
  .superRefine((e, ctx) => {
    if (!e.PAPERBOY_BASE_URL && (e.NODE_ENV === 'production' || !isLoopback(e.HOST))) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAPERBOY_BASE_URL'],
        message: `PAPERBOY_BASE_URL is required ${e.NODE_ENV === 'production' ? 'when NODE_ENV=production' : `when the server listens beyond loopback (HOST=${e.HOST})`}: set it to the address readers use, e.g. https://papers.example.org (every link in mails and feeds is made from it)`,
      });
    }
    if (e.PAPERBOY_EMBEDDER.startsWith('openai:') && !e.PAPERBOY_EMBEDDER_MODEL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAPERBOY_EMBEDDER_MODEL'],
        message: 'PAPERBOY_EMBEDDER_MODEL must name the model to ask the openai: endpoint for, e.g. nomic-embed-text',
      });
    }
  });

export type Config = Readonly<{
  dataDir: string;
  databaseUrl: string | undefined;
  port: number;
  host: string;
  baseUrl: string;
  sources: readonly string[];
  harvestCron: string;
  refitCron: string | undefined;
  trendingCron: string | undefined;
  thumbnailsCron: string | undefined;
  arxivPdfUrl: string;
  apiRateLimit: number;
  processes: number | undefined;
  jobLeaseSeconds: number;
  arxivApiUrl: string;
  arxivOaiUrl: string;
  hfApiUrl: string;
  arxivDelayMs: number;
  httpRetries: number;
  userAgent: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  logFormat: z.infer<typeof schema>['LOG_FORMAT'];
  trustProxy: boolean;
  production: boolean;
  mail: MailConfig;
  embedder: EmbedderConfig;
}>;

/** Where search's vectors come from (src/search/embedders.ts makes the embedder). */
export type EmbedderConfig = Readonly<
  | { kind: 'lsa' }
  | { kind: 'use-lite' }
  | { kind: 'openai'; url: string; model: string; apiKey: string | undefined }
  | { kind: 'onnx'; folder: string }
>;

export type MailConfig = Readonly<{
  smtpUrl: string | undefined;
  from: string;
  secret: string | undefined;
  digestCron: string | undefined;
  ratePerSecond: number;
  concurrency: number;
  batchSize: number;
  maxAttempts: number;
  retrySeconds: number;
  bounceLimit: number;
  leaseSeconds: number;
}>;

/** Settings that are missing or wrong: the message names the setting and what to set it to. */
export class ConfigError extends Refusal {
  override name = 'ConfigError';
  constructor(message: string) {
    super('misconfigured', message);
  }
}

/** Whether a host name or address is this machine only (nobody else can follow a link to it). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h.endsWith('.localhost');
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const sources =
    e.PAPERBOY_SOURCES.trim() === 'none'
      ? []
      : e.PAPERBOY_SOURCES.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  return Object.freeze({
    dataDir: resolve(e.PAPERBOY_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    baseUrl: (e.PAPERBOY_BASE_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(
      /\/+$/,
      '',
    ),
    sources: Object.freeze(sources),
    harvestCron: e.PAPERBOY_HARVEST_CRON,
    refitCron: e.PAPERBOY_REFIT_CRON.trim() === 'off' ? undefined : e.PAPERBOY_REFIT_CRON,
    trendingCron: e.PAPERBOY_TRENDING_CRON.trim() === 'off' ? undefined : e.PAPERBOY_TRENDING_CRON,
    thumbnailsCron: e.PAPERBOY_THUMBNAILS_CRON.trim() === 'off' ? undefined : e.PAPERBOY_THUMBNAILS_CRON,
    arxivPdfUrl: e.PAPERBOY_ARXIV_PDF_URL.replace(/\/+$/, ''),
    apiRateLimit: e.PAPERBOY_API_RATE_LIMIT,
    processes: e.PAPERBOY_PROCESSES,
    jobLeaseSeconds: e.PAPERBOY_JOB_LEASE_SECONDS,
    arxivApiUrl: e.PAPERBOY_ARXIV_API_URL,
    arxivOaiUrl: e.PAPERBOY_ARXIV_OAI_URL,
    hfApiUrl: e.PAPERBOY_HF_API_URL,
    arxivDelayMs: e.PAPERBOY_ARXIV_DELAY_MS,
    httpRetries: e.PAPERBOY_HTTP_RETRIES,
    userAgent: e.PAPERBOY_USER_AGENT,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    trustProxy: e.PAPERBOY_TRUST_PROXY === 'true' || e.PAPERBOY_TRUST_PROXY === '1',
    production: e.NODE_ENV === 'production',
    mail: Object.freeze({
      smtpUrl: e.SMTP_URL,
      from: e.PAPERBOY_MAIL_FROM,
      secret: e.PAPERBOY_SECRET,
      digestCron: e.PAPERBOY_DIGEST_CRON.trim() === 'off' ? undefined : e.PAPERBOY_DIGEST_CRON,
      ratePerSecond: e.PAPERBOY_MAIL_RATE,
      concurrency: e.PAPERBOY_MAIL_CONCURRENCY,
      batchSize: e.PAPERBOY_DIGEST_BATCH,
      maxAttempts: e.PAPERBOY_MAIL_MAX_ATTEMPTS,
      retrySeconds: e.PAPERBOY_MAIL_RETRY_SECONDS,
      bounceLimit: e.PAPERBOY_MAIL_BOUNCE_LIMIT,
      leaseSeconds: e.PAPERBOY_MAIL_LEASE_SECONDS,
    }),
    embedder: Object.freeze(embedderConfig(e)),
  });
}

function embedderConfig(e: z.infer<typeof schema>): EmbedderConfig {
  const value = e.PAPERBOY_EMBEDDER;
  if (value.startsWith('openai:')) {
    return {
      kind: 'openai',
      url: value.slice('openai:'.length),
      model: e.PAPERBOY_EMBEDDER_MODEL!,
      apiKey: e.PAPERBOY_EMBEDDER_API_KEY,
    };
  }
  if (value.startsWith('onnx:')) return { kind: 'onnx', folder: resolve(value.slice('onnx:'.length)) };
  if (value === 'use-lite') return { kind: 'use-lite' };
  return { kind: 'lsa' };
}
