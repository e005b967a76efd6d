/**
 * A small checker for the tests: the OpenAPI 3.1 document is well-formed (every `$ref` resolves, every path
 * parameter is declared), and a response body matches the schema the document gives for it. It knows the JSON
 * Schema keywords zod-to-openapi writes; `strict` also rejects object properties the document does not declare.
 */
export type JsonSchema = Record<string, unknown>;
export interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
      }
    >
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

export function resolveRef(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const part of ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (typeof node !== 'object' || node === null || !(part in node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Problems with the document's structure; empty when it is sound. */
export function checkDocument(doc: Doc): string[] {
  const problems: string[] = [];
  if (!/^3\.1\.\d+$/.test(doc.openapi)) problems.push(`openapi is ${doc.openapi}, not 3.1.x`);
  if (!doc.info?.title || !doc.info?.version) problems.push('info.title and info.version are required');
  if (typeof doc.paths !== 'object') problems.push('paths is missing');
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) for (const [i, n] of node.entries()) walk(n, `${at}/${i}`);
    else if (typeof node === 'object' && node !== null) {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && (typeof v !== 'string' || resolveRef(doc, v) === undefined))
          problems.push(`${at}: $ref ${String(v)} does not resolve`);
        else walk(v, `${at}/${k}`);
      }
    }
  };
  walk(doc, '#');
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${method} ${path}: no responses`);
      const id = (op as { operationId?: string }).operationId;
      if (id && operationIds.has(id)) problems.push(`${method} ${path}: operationId ${id} is not unique`);
      if (id) operationIds.add(id);
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!op.parameters?.some((p) => p.in === 'path' && p.name === name))
          problems.push(`${method} ${path}: path parameter ${name} is not declared`);
      }
    }
  }
  return problems;
}

const typeOf = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;

/** Where `value` does not match `schema`; empty when it does. */
export function validate(
  doc: Doc,
  schema: JsonSchema,
  value: unknown,
  at = '$',
  strict = true,
  partOfAllOf = false,
): string[] {
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(doc, schema.$ref);
    return target
      ? validate(doc, target as JsonSchema, value, at, strict, partOfAllOf)
      : [`${at}: unresolved ${schema.$ref}`];
  }
  const errors: string[] = [];
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf as JsonSchema[];
    const known = new Set(parts.flatMap((p) => Object.keys(propertiesOf(doc, p))));
    for (const part of parts) errors.push(...validate(doc, part, value, at, strict, true));
    if (strict) errors.push(...unknownProperties(value, known, at));
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key] as JsonSchema[] | undefined;
    if (options && !options.some((o) => validate(doc, o, value, at, strict).length === 0))
      errors.push(`${at}: matches none of ${key}`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const actual = typeOf(value);
    if (!types.some((t) => t === actual || (t === 'number' && actual === 'integer')))
      return [`${at}: expected ${types.join(' | ')}, got ${actual}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && schema.const !== value) errors.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
    errors.push(`${at}: does not match ${schema.pattern}`);
  if (Array.isArray(value) && schema.items) {
    for (const [i, v] of value.entries())
      errors.push(...validate(doc, schema.items as JsonSchema, v, `${at}[${i}]`, strict));
  }
  if (typeOf(value) === 'object' && schema.properties) {
    const obj = value as Record<string, unknown>;
    const props = schema.properties as Record<string, JsonSchema>;
    for (const name of (schema.required as string[] | undefined) ?? [])
      if (!(name in obj)) errors.push(`${at}.${name}: required but missing`);
    for (const [name, v] of Object.entries(obj))
      if (props[name]) errors.push(...validate(doc, props[name], v, `${at}.${name}`, strict));
    if (strict && !partOfAllOf && schema.additionalProperties === undefined)
      errors.push(...unknownProperties(value, new Set(Object.keys(props)), at));
  }
  return errors;
}

function propertiesOf(doc: Doc, schema: JsonSchema): Record<string, unknown> {
  const s = typeof schema.$ref === 'string' ? (resolveRef(doc, schema.$ref) as JsonSchema) : schema;
  return (s?.properties as Record<string, unknown> | undefined) ?? {};
}

function unknownProperties(value: unknown, known: Set<string>, at: string): string[] {
  if (typeOf(value) !== 'object') return [];
  return Object.keys(value as object)
    .filter((k) => !known.has(k))
    .map((k) => `${at}.${k}: not in the document`);
}

/** The schema the document gives for one response. */
export function responseSchema(doc: Doc, path: string, method: string, status: number): JsonSchema {
  const schema = doc.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`the document has no JSON schema for ${method.toUpperCase()} ${path} → ${status}`);
  return schema;
}
