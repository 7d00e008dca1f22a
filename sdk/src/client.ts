import createClient, {
  mergeHeaders,
  type Client,
  type ClientPathsWithMethod,
  type FetchResponse,
  type HeadersOptions,
  type MaybeOptionalInit,
} from 'openapi-fetch';
import { DukkadeeError } from './errors.js';
import { idempotentPostPaths, type paths } from './generated/api.js';
import { mayRepeat, retryDelay, sleep, type RetryOptions } from './retry.js';

export interface DukkadeeClientOptions {
  /** The platform's address, such as `https://api.dukkadee.com` or `http://localhost:3000`. */
  readonly baseUrl: string;
  /**
   * An API key (`dk_live_…`, `dk_test_…`) or an OAuth access token; a function is called before
   * every request, so an OAuth app can hand over its latest token after a refresh.
   */
  readonly token: string | (() => string | Promise<string>);
  readonly retry?: RetryOptions;
  /** Sends an `Idempotency-Key` on every POST that honours one, unless given. Default true. */
  readonly idempotencyKeys?: boolean;
  /** Headers sent with every request (a `User-Agent` naming your app, say). */
  readonly headers?: HeadersOptions;
  /** Defaults to the global fetch (Node 20 has one). */
  readonly fetch?: (request: Request) => Promise<Response>;
}

type Method = 'get' | 'post' | 'patch' | 'delete';
type PathOf<M extends Method> = ClientPathsWithMethod<Client<paths>, M>;

/** The request options of an operation: `params` (path, query, header) and `body`, typed by it. */
export type RequestInitOf<P extends keyof paths, M extends Method> = MaybeOptionalInit<paths[P], M>;

/** The init argument, required exactly when the operation has a required parameter or body. */
type InitArgs<I> = undefined extends I ? [init?: I] : [init: I];

/** What a 2xx answer carries: its parsed body, and the response for headers such as ETag. */
export interface Answer<T> {
  readonly data: T;
  readonly response: Response;
}

type DataOf<P extends keyof paths, M extends Method> = Extract<
  FetchResponse<paths[P][M] & Record<string | number, unknown>, object, `${string}/${string}`>,
  { data: unknown }
>['data'];

type Call<M extends Method> = <P extends PathOf<M>>(
  path: P,
  ...init: InitArgs<RequestInitOf<P, M>>
) => Promise<Answer<DataOf<P, M>>>;

/** The GET routes that answer a keyset page `{ data: [...], nextCursor }`. */
export type ListPath = {
  [P in PathOf<'get'>]: DataOf<P, 'get'> extends { data: unknown[]; nextCursor: string | null }
    ? P
    : never;
}[PathOf<'get'>];

export type ItemOf<P extends ListPath> = DataOf<P, 'get'> extends { data: (infer T)[] } ? T : never;

interface LooseInit {
  headers?: HeadersOptions;
  params?: { query?: Record<string, unknown>; header?: HeadersOptions };
  signal?: AbortSignal | null;
}

/**
 * The Dukkadee API v1, typed from the OpenAPI document. Every call is the generated one
 * (openapi-fetch over openapi/openapi.json); this class adds only what a generator cannot: the
 * bearer token, an Idempotency-Key per POST that honours one, retries of 429 and 503, paging and
 * one error type.
 *
 * A 2xx resolves to `{ data, response }`; anything else rejects with a `DukkadeeError`.
 */
export class DukkadeeClient {
  readonly GET: Call<'get'>;
  readonly POST: Call<'post'>;
  readonly PATCH: Call<'patch'>;
  readonly DELETE: Call<'delete'>;
  private readonly api: Client<paths>;

  constructor(private readonly options: DukkadeeClientOptions) {
    this.api = createClient<paths>({
      baseUrl: options.baseUrl,
      headers: options.headers,
      fetch: options.fetch,
      // The API never redirects; a redirect would carry the bearer token somewhere else.
      redirect: 'error',
    });
    this.GET = (path, ...init) => this.call('GET', path, init[0]);
    this.POST = (path, ...init) => this.call('POST', path, init[0]);
    this.PATCH = (path, ...init) => this.call('PATCH', path, init[0]);
    this.DELETE = (path, ...init) => this.call('DELETE', path, init[0]);
  }

  /**
   * Every item of a list, page after page: follows `nextCursor` until the last page, fetching
   * each page when the previous one is consumed. `params.query` (filters, `limit`) applies to
   * every page; a `cursor` given there is where the walk starts.
   */
  async *paginate<P extends ListPath>(
    path: P,
    ...init: InitArgs<RequestInitOf<P, 'get'>>
  ): AsyncGenerator<ItemOf<P>, void, undefined> {
    const first = (init[0] ?? {}) as LooseInit;
    let cursor = first.params?.query?.cursor as string | undefined;
    do {
      const query = { ...first.params?.query, ...(cursor === undefined ? {} : { cursor }) };
      const { data } = await this.call<{ data: ItemOf<P>[]; nextCursor: string | null }>(
        'GET',
        path,
        { ...first, params: { ...first.params, query } },
      );
      yield* data.data;
      cursor = data.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  private async call<T>(method: string, path: string, init: unknown): Promise<Answer<T>> {
    const loose = (init ?? {}) as LooseInit;
    const headers = mergeHeaders(loose.headers, loose.params?.header);
    const keyHonoured = method === 'POST' && idempotentPostPaths.has(path);
    // One key for the call, so that every retry is recognised as the same request.
    if (keyHonoured && this.options.idempotencyKeys !== false && !headers.has('idempotency-key'))
      headers.set('Idempotency-Key', crypto.randomUUID());
    const repeatable = mayRepeat(method, headers, { keyHonoured });
    let waitedMs = 0;
    for (let attempt = 1; ; attempt += 1) {
      headers.set('Authorization', `Bearer ${await this.token()}`);
      // The public methods checked path and init against the operation; here they are plain values.
      const { data, error, response } = await this.api.request(
        method.toLowerCase() as Method,
        path as never,
        { ...loose, headers } as never,
      );
      if (response.ok) return { data: data as T, response };
      const failure = new DukkadeeError(response, error);
      const delay = repeatable
        ? retryDelay(attempt + 1, failure, waitedMs, this.options.retry)
        : undefined;
      if (delay === undefined) throw failure;
      await sleep(delay, loose.signal);
      waitedMs += delay;
    }
  }

  private async token(): Promise<string> {
    const { token } = this.options;
    return typeof token === 'function' ? token() : token;
  }
}
