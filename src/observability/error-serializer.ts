/**
 * The one shape an error takes in a log line (pino's `serializers.err`). pino's standard
 * serializer copies every enumerable property, and libraries hang live objects on their errors:
 * pg-pool puts the idle `client` (with the backend's `processID` and `secretKey`, its cancel key,
 * and the connection parameters) on the errors it emits, ioredis puts the `command` with its
 * arguments (an `AUTH` password), HTTP clients put their `config` (headers with a bearer token),
 * `request` and `response` (sockets). So this keeps an allow-list of plain fields instead, and
 * scrubs the texts, which can quote a URL or a header.
 */
export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  code?: string | number;
  [field: string]: unknown;
}

/** Plain fields worth keeping, by the libraries that set them. Everything else is dropped. */
const KEPT_FIELDS = [
  // Node system errors
  'errno',
  'syscall',
  'address',
  'port',
  // PostgreSQL (pg's DatabaseError): what failed and where, never the data (`detail`, `where`)
  'severity',
  'schema',
  'table',
  'column',
  'constraint',
  'routine',
  // HTTP clients and the platform's DomainError
  'status',
  'statusCode',
] as const;

const MAX_DEPTH = 3;
const MAX_ERRORS = 5;
const MAX_TEXT = 8_192;

const SCRUBBERS: readonly [RegExp, string][] = [
  // userinfo in any URL: postgres://user:password@host, redis://:password@host
  [/([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, '$1[redacted]@'],
  // a credential after an auth scheme, as a header or a message may quote it
  [/\b(bearer|basic|token)(\s+)[^\s,;"']+/gi, '$1$2[redacted]'],
  // the platform's own secrets by their prefixes: API keys, OAuth tokens, webhook secrets
  [/\b(dk_(?:live|test)_|whsec_|dka_|dkr_)[A-Za-z0-9+/=_-]+/g, '$1[redacted]'],
  // key=value pairs of a connection string or query: password=…, secretKey=…
  [
    /\b(password|passwd|pwd|secret\w*|token|api[_-]?key)(\s*[=:]\s*)[^\s&,;"']+/gi,
    '$1$2[redacted]',
  ],
];

/** Removes credentials a text may carry; also used for free-form fields such as URLs. */
export function scrubSecrets(text: string): string {
  let scrubbed = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
  for (const [pattern, replacement] of SCRUBBERS) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

export function serializeError(value: unknown): unknown {
  return serialize(value, 0);
}

function serialize(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (typeof value !== 'object' || value === null) return value;
  const error = value as Record<string, unknown>;
  const serialized: SerializedError = {
    type: typeOf(error),
    message: scrubSecrets(typeof error.message === 'string' ? error.message : String(error)),
  };
  if (typeof error.stack === 'string') serialized.stack = scrubSecrets(error.stack);
  if (typeof error.code === 'string' || typeof error.code === 'number')
    serialized.code = error.code;
  for (const field of KEPT_FIELDS) {
    const kept = error[field];
    if (typeof kept === 'number' || typeof kept === 'boolean') serialized[field] = kept;
    else if (typeof kept === 'string') serialized[field] = scrubSecrets(kept);
  }
  Object.assign(serialized, httpFields(error), redisFields(error));
  if (depth < MAX_DEPTH) {
    if (error.cause !== undefined) serialized.cause = serialize(error.cause, depth + 1);
    if (Array.isArray(error.errors))
      serialized.errors = error.errors
        .slice(0, MAX_ERRORS)
        .map((inner: unknown) => serialize(inner, depth + 1));
  }
  return serialized;
}

function typeOf(error: Record<string, unknown>): string {
  const name = error.constructor?.name;
  if (name && name !== 'Object') return name;
  return typeof error.name === 'string' ? error.name : 'Error';
}

/** An HTTP client's error (Axios shape): method, URL without credentials, and the status. */
function httpFields(error: Record<string, unknown>): Record<string, unknown> {
  const config = error.config as { method?: unknown; url?: unknown; baseURL?: unknown } | undefined;
  const response = error.response as { status?: unknown } | undefined;
  const fields: Record<string, unknown> = {};
  if (config && typeof config === 'object') {
    if (typeof config.method === 'string') fields.method = config.method.toUpperCase();
    const url = safeUrl(config.url, config.baseURL);
    if (url) fields.url = url;
  }
  if (response && typeof response === 'object' && typeof response.status === 'number')
    fields.status = response.status;
  return fields;
}

/** The origin and path only: userinfo, query strings and fragments can all carry secrets. */
function safeUrl(url: unknown, base: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const parsed = new URL(url, typeof base === 'string' ? base : undefined);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return undefined;
  }
}

/** An ioredis reply error names its command; the arguments may be a password or a payload. */
function redisFields(error: Record<string, unknown>): Record<string, unknown> {
  const command = error.command as { name?: unknown } | undefined;
  if (command && typeof command === 'object' && typeof command.name === 'string')
    return { command: command.name };
  return {};
}
