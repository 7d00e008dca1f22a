import type { components } from './generated/api.js';

/** The RFC 9457 problem document every API error answers with. */
export type Problem = components['schemas']['Problem'];
export type ProblemCode = Problem['code'];
export type FieldError = NonNullable<Problem['errors']>[number];

/**
 * Every answer outside 2xx, thrown. `code` is the problem's stable code; an answer that is not a
 * problem document (a proxy's 502 page, say) has `code: 'unexpected_response'` and its body in
 * `body`. Connection failures are not answers: they reject with fetch's own error.
 */
export class DukkadeeError extends Error {
  override readonly name = 'DukkadeeError';
  readonly status: number;
  /** A code of the API (`ProblemCode`), or one a newer server added. */
  readonly code: ProblemCode | 'unexpected_response' | (string & {});
  readonly title: string;
  readonly detail: string | undefined;
  /** Every invalid field, for `validation_failed`; empty otherwise. */
  readonly errors: readonly FieldError[];
  /** Quote it to support: the server logged the request under it. */
  readonly requestId: string | undefined;
  /** The problem document as sent, when the answer was one. */
  readonly problem: Problem | undefined;
  readonly body: unknown;
  /** Seconds the server asked to wait (`Retry-After`), on 429 and 503. */
  readonly retryAfter: number | undefined;
  readonly response: Response;

  constructor(response: Response, body: unknown) {
    const problem = isProblem(body) ? body : undefined;
    const code = problem?.code ?? 'unexpected_response';
    super(`${response.status} ${code}: ${problem?.detail ?? response.statusText}`);
    this.status = response.status;
    this.code = code;
    this.title = problem?.title ?? response.statusText;
    this.detail = problem?.detail;
    this.errors = problem?.errors ?? [];
    this.requestId = problem?.requestId ?? response.headers.get('x-request-id') ?? undefined;
    this.problem = problem;
    this.body = body;
    this.retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    this.response = response;
  }
}

function isProblem(body: unknown): body is Problem {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Problem).code === 'string' &&
    typeof (body as Problem).status === 'number'
  );
}

/** `Retry-After` is delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
