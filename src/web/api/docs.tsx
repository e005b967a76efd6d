import type { FC } from 'hono/jsx';
import { Layout } from '../layout.js';

/** The parts of an OpenAPI 3.1 document the docs page reads. */
interface Schema {
  $ref?: string;
  type?: string | string[];
  items?: Schema;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  allOf?: Schema[];
  anyOf?: Schema[];
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  /** Present on operations that need a personal API token. */
  security?: Record<string, string[]>[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
}
export interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const refName = (ref: string) => ref.split('/').at(-1) ?? ref;

function typeLabel(s: Schema | undefined): string {
  if (!s) return 'any';
  if (s.$ref) return refName(s.$ref);
  if (s.allOf) return s.allOf.map(typeLabel).join(' & ');
  if (s.anyOf) return s.anyOf.map(typeLabel).join(' | ');
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const types = Array.isArray(s.type) ? s.type : [s.type ?? 'any'];
  return types.map((t) => (t === 'array' ? `${typeLabel(s.items)}[]` : t)).join(' | ');
}

function constraints(s: Schema | undefined): string {
  if (!s) return '';
  const parts: string[] = [];
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? '…'}..${s.maximum ?? '…'}`);
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  return parts.join(', ');
}

/** A request a reader can paste: the required parameters and the first optional one that has an example. */
export function exampleUrl(base: string, path: string, params: Parameter[]): string {
  let url = path;
  const query = new URLSearchParams();
  let optional = false;
  for (const p of params) {
    const example = p.schema?.example;
    if (p.in === 'path') url = url.replace(`{${p.name}}`, String(example ?? p.name));
    else if (p.in === 'query' && example !== undefined && (p.required || !optional)) {
      query.set(p.name, String(example));
      if (!p.required) optional = true;
    }
  }
  const qs = query.toString();
  return `${base}${url}${qs ? `?${qs}` : ''}`;
}

/** Text with `code` spans, as the descriptions in the document are written. */
const Prose: FC<{ text: string }> = ({ text }) => (
  <>{text.split('`').map((part, i) => (i % 2 === 1 ? <code>{part}</code> : part))}</>
);

const OperationView: FC<{ method: string; path: string; op: Operation; base: string }> = ({
  method,
  path,
  op,
  base,
}) => {
  const params = op.parameters ?? [];
  return (
    <section id={op.operationId}>
      <h2>
        <code>
          {method.toUpperCase()} {path}
        </code>
      </h2>
      {op.summary ? (
        <p>
          <strong>{op.summary}</strong>
        </p>
      ) : null}
      {op.description ? (
        <p>
          <Prose text={op.description} />
        </p>
      ) : null}
      {params.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>parameter</th>
              <th>in</th>
              <th>type</th>
              <th>description</th>
            </tr>
          </thead>
          <tbody>
            {params.map((p) => (
              <tr>
                <td>
                  <code>{p.name}</code>
                  {p.required ? ' (required)' : ''}
                </td>
                <td>{p.in}</td>
                <td>
                  <code>{typeLabel(p.schema)}</code> {constraints(p.schema)}
                </td>
                <td>
                  <Prose text={p.description ?? p.schema?.description ?? ''} />
                  {p.schema?.example !== undefined ? (
                    <>
                      {' '}
                      e.g. <code>{String(p.schema.example)}</code>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p>Example:</p>
      <pre>
        curl {method === 'get' ? '' : `-X ${method.toUpperCase()} `}
        {op.security?.length ? "-H 'Authorization: Bearer pb_...' " : ''}'{exampleUrl(base, path, params)}'
      </pre>
      <ul>
        {Object.entries(op.responses ?? {}).map(([status, r]) => (
          <li>
            <code>{status}</code> <Prose text={r.description ?? ''} />
            {r.content?.['application/json'] ? (
              <>
                {' '}
                — <code>{typeLabel(r.content['application/json'].schema)}</code>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
};

const SchemaView: FC<{ name: string; schema: Schema }> = ({ name, schema }) => {
  const parts = [schema, ...(schema.allOf ?? [])];
  const props = parts.flatMap((s) => Object.entries(s.properties ?? {}));
  const inherited = parts.filter((s) => s.$ref).map((s) => refName(s.$ref!));
  return (
    <section id={`schema-${name}`}>
      <h3>{name}</h3>
      {inherited.length ? <p>All the fields of {inherited.join(', ')}, and:</p> : null}
      <table>
        <tbody>
          {props.map(([field, s]) => (
            <tr>
              <td>
                <code>{field}</code>
              </td>
              <td>
                <code>{typeLabel(s)}</code>
              </td>
              <td>
                <Prose text={s.description ?? ''} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
};

/** The API reference, rendered on the server from the same OpenAPI document served at /openapi.json. */
export const DocsPage: FC<{ doc: OpenApiDoc; baseUrl: string }> = ({ doc, baseUrl }) => {
  const ops = Object.entries(doc.paths ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
  return (
    <Layout title={`${doc.info.title} reference | Paperboy`} path="/docs" baseUrl={baseUrl}>
      <article class="api-docs">
        <h1>
          {doc.info.title} <small>{doc.info.version}</small>
        </h1>
        {doc.info.description?.split('\n\n').map((para) => (
          <p>
            <Prose text={para} />
          </p>
        ))}
        <p>
          The machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
        </p>
        <nav>
          <ul>
            {ops.map(({ path, method, op }) => (
              <li>
                <a href={`#${op.operationId ?? ''}`}>
                  <code>
                    {method.toUpperCase()} {path}
                  </code>
                </a>{' '}
                — {op.summary}
              </li>
            ))}
          </ul>
        </nav>
        {ops.map(({ path, method, op }) => (
          <OperationView method={method} path={path} op={op} base={baseUrl} />
        ))}
        <h2>Schemas</h2>
        {Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => (
          <SchemaView name={name} schema={schema} />
        ))}
      </article>
    </Layout>
  );
};

export function renderDocs(doc: OpenApiDoc, baseUrl: string): string {
  return (<DocsPage doc={doc} baseUrl={baseUrl} />).toString();
}
