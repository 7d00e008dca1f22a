import { createHash } from 'node:crypto';
import {
  CallHandler,
  ExecutionContext,
  HttpStatus,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { TransactionalConnection } from '../database/transactional-connection';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { RequestContext } from '../common/request-context';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const KEPT_FOR = "interval '24 hours'";

interface StoredResponse {
  request_hash: Buffer;
  response_status: number;
  response_body: unknown;
}

/**
 * `Idempotency-Key` on store POSTs (CONTRACT.md). The key, scoped to the credential, is claimed
 * with a transaction-level advisory lock, so a concurrent retry answers 409 at once instead of
 * waiting; the handler then runs in that same transaction and the response is stored by it, so
 * the created resource and its record commit together or not at all. Final answers are replayed
 * for 24 hours: 2xx, and 4xx other than 409 and 429 (stored apart, as their transaction rolls back).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly connection: TransactionalConnection) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'http') return next.handle();
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['idempotency-key'];
    const ctx = request.dukkadeeContext;
    if (request.method !== 'POST' || header === undefined || !ctx?.storeId) return next.handle();
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw DomainError.validation([
        {
          path: 'Idempotency-Key',
          code: 'invalid_header',
          message: 'Idempotency-Key must be 1–255 visible ASCII characters.',
        },
      ]);
    }
    const reply = execution.switchToHttp().getResponse<FastifyReply>();
    const status: number =
      Reflect.getMetadata(HTTP_CODE_METADATA, execution.getHandler()) ?? HttpStatus.CREATED;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url}\n${canonicalJson(request.body)}`)
      .digest();
    return from(
      this.run(ctx, header, fingerprint, status, reply, (bound) => {
        // The handler reads its context from the request: it gets the one bound to this
        // transaction, so the service it calls joins it.
        request.dukkadeeContext = bound;
        return lastValueFrom(next.handle());
      }),
    );
  }

  private async run(
    ctx: RequestContext,
    key: string,
    fingerprint: Buffer,
    status: number,
    reply: FastifyReply,
    handle: (bound: RequestContext) => Promise<unknown>,
  ): Promise<unknown> {
    const credentialId = ctx.actor.id;
    let handled = false;
    try {
      return await this.connection.run(ctx, async (manager, bound) => {
        const [{ claimed }] = await manager.query(
          'SELECT pg_try_advisory_xact_lock(hashtext($1), hashtext($2)) AS claimed',
          [`${ctx.storeId}:${credentialId}`, key],
        );
        if (!claimed)
          throw new DomainError(
            'idempotency_key_in_use',
            'A request with this Idempotency-Key is still in progress; retry later.',
          );
        const [stored]: StoredResponse[] = await manager.query(
          `SELECT request_hash, response_status, response_body FROM idempotency_keys
            WHERE credential_id = $1 AND key = $2 AND created_at > now() - ${KEPT_FOR}`,
          [credentialId, key],
        );
        if (stored) return replay(stored, fingerprint, reply);
        handled = true;
        const body = await handle(bound);
        await this.store(manager, credentialId, key, fingerprint, status, body ?? null);
        return body;
      });
    } catch (error) {
      if (handled && error instanceof DomainError && isFinal(error)) {
        await this.connection.run(ctx, (manager) =>
          this.store(manager, credentialId, key, fingerprint, error.status, {
            code: error.code,
            message: error.message,
            details: error.details,
          }),
        );
      }
      throw error;
    }
  }

  private async store(
    manager: { query(sql: string, parameters: unknown[]): Promise<unknown> },
    credentialId: string,
    key: string,
    fingerprint: Buffer,
    status: number,
    body: unknown,
  ): Promise<void> {
    // An expired record of the same key is replaced: keys are kept for 24 hours only.
    await manager.query(
      `INSERT INTO idempotency_keys (credential_id, key, request_hash, response_status, response_body)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (credential_id, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, response_status = EXCLUDED.response_status,
             response_body = EXCLUDED.response_body, created_at = now()
         WHERE idempotency_keys.created_at <= now() - ${KEPT_FOR}`,
      [credentialId, key, fingerprint, status, JSON.stringify(body)],
    );
  }
}

function replay(stored: StoredResponse, fingerprint: Buffer, reply: FastifyReply): unknown {
  if (!stored.request_hash.equals(fingerprint)) {
    throw new DomainError(
      'idempotency_key_reused',
      'This Idempotency-Key was used with a different request; use a new key.',
    );
  }
  void reply.header('Idempotent-Replayed', 'true');
  if (stored.response_status >= 400) {
    const error = stored.response_body as {
      code: ErrorCode;
      message: string;
      details: DomainError['details'];
    };
    throw new DomainError(error.code, error.message, error.details);
  }
  return stored.response_body;
}

/** 409 and 429 say "not now", so a retry must run again; every other 4xx is the final answer. */
function isFinal(error: DomainError): boolean {
  return error.status >= 400 && error.status < 500 && error.status !== 409 && error.status !== 429;
}

/** The same JSON whatever the order of object keys, so a re-serialised retry still matches. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
