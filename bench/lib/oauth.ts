import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { approve, authorizePath, Browser, pkcePair } from '../../harness/oauth-browser';
import {
  alternateLoads,
  AlternatingRun,
  Conversation,
  LoadRequest,
  LoadResult,
  sendOnce,
} from './load';
import { Fixture } from './seed';
import { ServerProcess } from '../../harness/server-process';
import {
  describeLoad,
  formatMs,
  formatNumber,
  latencyRows,
  RatioColumn,
  renderTable,
  throughputTable,
  ThroughputRow,
  verdict,
  MEASURE_COLUMNS,
} from './table';
import { monotonicMs } from './webhook-receiver';

/** The fixed-rate scenario of the HTTP section, whose p99 goal applies here too. */
export interface SteadyRate {
  /** Requests per second, evenly spaced (an open loop, paced-load.ts). */
  readonly rate: number;
  readonly connections: number;
  /** Its goal: p99 below this, at no less than `minShare` of the rate. */
  readonly p99Ms: number;
  readonly minShare: number;
}

export interface OAuthSettings {
  /** Connection counts of the token endpoint rows, one row each (both grants side by side). */
  readonly tokenConnections: readonly number[];
  /** Measured seconds per grant and row, in 1 s slices run by request count (see below). */
  readonly tokenSeconds: number;
  /** Warm-up per grant and row, in requests per connection: its rate sizes the slices. */
  readonly tokenWarmupRequests: number;
  /** The API key against the OAuth token on the product routes: closed loop at this count... */
  readonly apiConnections: number;
  /** ...measured this long per credential and route, in 1 s slices, after this warm-up. */
  readonly apiSeconds: number;
  readonly apiWarmupSeconds: number;
  /** ...and at the HTTP section's steady rate, this long per credential and route. */
  readonly steady: SteadyRate;
  readonly steadySeconds: number;
  /** Pause after each warm-up and slice. */
  readonly pauseMs: number;
}

/** A product route of the HTTP section, with its check of an answer. */
export interface ApiRoute {
  readonly name: string;
  request(fixture: Fixture): LoadRequest;
  check?(body: unknown, fixture: Fixture): string | undefined;
}

export interface OAuthBenchContext {
  readonly fixture: Fixture;
  readonly adminToken: string;
  readonly databaseUrl: string;
  /** The routes to compare the two credentials on (the HTTP section's product and list). */
  readonly routes: readonly ApiRoute[];
  /** Spawns the full app with `env` over its usual environment (it does not wait for it). */
  startApp(label: string, env: Record<string, string>): Promise<ServerProcess>;
  progress(message: string): void;
}

export const OAUTH_TARGETS = { clientCredentialsRps: 200, p99DifferenceMs: 5 } as const;

/** The row of the token endpoint that the issue's target is for. */
const TARGET_CONNECTIONS = 20;
const TOKEN_ROUTE = 'POST /oauth/token';
const GRANTS = ['client_credentials', 'refresh_token'] as const;
const CREDENTIALS = ['key', 'token'] as const;
const REDIRECT_URI = 'https://bench.example/oauth/callback';
const SCOPE = 'read_products';
const FORM = 'application/x-www-form-urlencoded';

export interface SetupFigures {
  readonly clientId: string;
  /** The client_credentials answer before the load: what is wrong with it, if anything. */
  readonly clientCredentialsProblem: string | undefined;
  readonly accessTokenLifetime: number;
  /** Refresh chains minted with the authorization code flow, and how long that took. */
  readonly chains: number;
  readonly mintSeconds: number;
  /** Per route: whether the key and the token answered the same bytes, and their size. */
  readonly sameAnswers: readonly { route: string; same: boolean; bytes: number }[];
}

export interface TokenFigures {
  readonly rows: readonly ThroughputRow[];
  /** 200 answers of the loads (warm-ups included) and every other answer or error. */
  readonly clientCredentialsOk: number;
  readonly refreshOk: number;
  readonly failures: number;
  /** The first few non-200 answers of the refresh chains. */
  readonly refreshErrors: readonly string[];
  /** Chains that sent a request whose answer never came (their token is then unknown). */
  readonly lostAnswers: number;
}

export interface DatabaseCheck {
  readonly access: number;
  readonly refresh: number;
  readonly rotated: number;
  readonly revoked: number;
  readonly expectedAccess: number;
  readonly expectedRefresh: number;
  readonly expectedRotated: number;
}

export interface OAuthFigures {
  readonly settings: OAuthSettings;
  readonly setup: SetupFigures;
  /** Per route: the closed-loop row and the steady-rate row, key and token side by side. */
  readonly api: readonly { route: string; closed: ThroughputRow; steady: ThroughputRow }[];
  readonly token: TokenFigures;
  readonly database: DatabaseCheck;
  /** From the app's spawn to the end of the checks. */
  readonly seconds: number;
}

/**
 * The OAuth section, on a full app of its own:
 *
 * 1. a confidential single-store app (client_secret_basic) and a staff owner of the store; one
 *    client_credentials token, the credential compared with the API key;
 * 2. the key against that token on the product routes, side by side in alternating slices: closed
 *    loop at `apiConnections`, then at the HTTP section's steady rate;
 * 3. refresh chains, one per connection of the widest token row, each from its own authorization
 *    code (sign-in once, then consent and PKCE exchange per chain), all over HTTP;
 * 4. the token endpoint: client_credentials and refresh_token side by side per connection count,
 *    by request count so that every request is answered; each connection of the refresh run
 *    refreshes with the token the previous answer gave it;
 * 5. the tokens in the database: one per 200, each refresh token rotated once, none revoked.
 */
export async function runOAuthBench(
  ctx: OAuthBenchContext,
  settings: OAuthSettings,
): Promise<OAuthFigures> {
  const started = monotonicMs();
  const app = await ctx.startApp('oauth', {});
  try {
    await app.waitUntilReady('/health/ready');
    const client = await registerApp(ctx, app);
    const basic = basicHeader(client.clientId, client.clientSecret);

    // 1. One client_credentials token: the credential the key is compared with.
    const first = await tokenRequest(app, basic, { grant_type: 'client_credentials' });
    const clientCredentialsProblem = tokenProblem(first, false);
    if (clientCredentialsProblem)
      throw new Error(`client_credentials: ${clientCredentialsProblem} (${first.text})`);
    const accessToken = String(first.body.access_token);

    // 2. The key and the token on the product routes.
    const headersOf = {
      key: { authorization: `Bearer ${ctx.fixture.apiKey}` },
      token: { authorization: `Bearer ${accessToken}` },
    };
    const sameAnswers = [];
    for (const route of ctx.routes) sameAnswers.push(await checkRoute(ctx, app, route, headersOf));
    const api: OAuthFigures['api'][number][] = [];
    for (const route of ctx.routes) {
      const runs = CREDENTIALS.map((name): AlternatingRun => ({
        name,
        url: app.url,
        request: { ...route.request(ctx.fixture), headers: headersOf[name] },
      }));
      const connections = settings.apiConnections;
      const slices = wholeSeconds(settings.apiSeconds);
      const closed = await alternateLoads(runs, {
        seconds: slices,
        rounds: slices,
        pauseMs: settings.pauseMs,
        warmup: { connections, seconds: settings.apiWarmupSeconds },
        slice: (seconds) => ({ connections, seconds }),
      });
      report(ctx, `${route.name} c=${connections}`, closed);
      // Just served at full speed: no warm-up, as in the HTTP section's steady-rate rows.
      const { rate, connections: paced } = settings.steady;
      const steadySlices = wholeSeconds(settings.steadySeconds);
      const steady = await alternateLoads(runs, {
        seconds: steadySlices,
        rounds: steadySlices,
        pauseMs: settings.pauseMs,
        warmup: undefined,
        slice: (seconds) => ({ connections: paced, seconds, rate }),
      });
      report(ctx, `${route.name} at ${rate}/s c=${paced}`, steady);
      api.push({
        route: route.name,
        closed: { route: route.name, connections, results: closed },
        steady: { route: `${route.name} at ${rate}/s`, connections: paced, results: steady },
      });
    }

    // 3. The refresh chains.
    const widest = Math.max(...settings.tokenConnections);
    const mintStart = monotonicMs();
    const chains = await mintChains(ctx, app, client, basic, widest);
    const mintSeconds = (monotonicMs() - mintStart) / 1000;
    ctx.progress(
      `[oauth] ${widest} refresh chains minted with the authorization code flow in ${mintSeconds.toFixed(2)} s`,
    );
    const checked = await tokenRequest(app, basic, {
      grant_type: 'refresh_token',
      refresh_token: chains.tokens[0],
    });
    const refreshProblem = tokenProblem(checked, true);
    if (refreshProblem) throw new Error(`refresh_token: ${refreshProblem} (${checked.text})`);
    chains.tokens[0] = String(checked.body.refresh_token);

    // 4. The token endpoint.
    const token = await measureTokenEndpoint(ctx, app, settings, basic, chains);

    // 5. What the load left.
    const database = await countTokens(ctx.databaseUrl, client.appId, {
      // The first client_credentials token, one per chain's code and the checked refresh.
      expectedAccess: 1 + widest + 1 + token.clientCredentialsOk + token.refreshOk,
      expectedRefresh: widest + 1 + token.refreshOk,
      expectedRotated: 1 + token.refreshOk,
    });
    ctx.progress(`[oauth] tokens of the app in the database: ${JSON.stringify(database)}`);
    return {
      settings,
      setup: {
        clientId: client.clientId,
        clientCredentialsProblem,
        accessTokenLifetime: Number(first.body.expires_in),
        chains: widest,
        mintSeconds,
        sameAnswers,
      },
      api,
      token,
      database,
      seconds: (monotonicMs() - started) / 1000,
    };
  } finally {
    await app.stop();
  }
}

function wholeSeconds(seconds: number): number {
  return Math.max(1, Math.round(seconds));
}

function report(ctx: OAuthBenchContext, label: string, results: Map<string, LoadResult>): void {
  for (const [name, result] of results)
    ctx.progress(`[oauth] ${label} ${name}: ${describeLoad(result)}`);
}

interface RegisteredApp {
  readonly appId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly staff: { readonly email: string; readonly password: string };
}

/** The single-store confidential app, and a staff owner of the store to authorize it. */
async function registerApp(ctx: OAuthBenchContext, app: ServerProcess): Promise<RegisteredApp> {
  const created = await adminPost<{ id: string; clientId: string; clientSecret?: string }>(
    ctx,
    app,
    '/v1/platform/apps',
    {
      name: 'Bench single-store app',
      redirectUris: [REDIRECT_URI],
      scopes: [SCOPE],
      confidential: true,
      storeId: ctx.fixture.storeId,
    },
  );
  if (!created.clientSecret) throw new Error('the confidential app was given no client secret');
  const staff = {
    email: 'bench-owner@example.com',
    password: `bench-${randomBytes(16).toString('base64url')}`,
  };
  await adminPost(
    ctx,
    app,
    `/v1/platform/stores/${encodeURIComponent(ctx.fixture.storeId)}/staff`,
    {
      ...staff,
      role: 'owner',
    },
  );
  return {
    appId: created.id,
    clientId: created.clientId,
    clientSecret: created.clientSecret,
    staff,
  };
}

async function adminPost<T>(
  ctx: OAuthBenchContext,
  app: ServerProcess,
  path: string,
  body: unknown,
): Promise<T> {
  const response = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** client_secret_basic: RFC 6749 §2.3.1 form-encodes both parts before joining them. */
function basicHeader(clientId: string, clientSecret: string): string {
  const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

interface TokenAnswer {
  readonly status: number;
  readonly text: string;
  readonly body: Record<string, unknown>;
}

async function tokenRequest(
  app: ServerProcess,
  basic: string,
  form: Record<string, string>,
): Promise<TokenAnswer> {
  const response = await fetch(`${app.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': FORM },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  return { status: response.status, text, body: parseObject(text) };
}

/** A JSON object's members; none when the text is not one (the status tells what went wrong). */
function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What is wrong with a token answer (RFC 6749 §5.1), if anything. */
function tokenProblem(answer: TokenAnswer, refreshToken: boolean): string | undefined {
  const { body } = answer;
  if (answer.status !== 200) return `answered ${answer.status}`;
  if (typeof body.access_token !== 'string' || !body.access_token.startsWith('dk_oat_'))
    return 'no dk_oat_ access_token';
  if (body.token_type !== 'Bearer') return `token_type ${String(body.token_type)}`;
  if (typeof body.expires_in !== 'number' || body.expires_in <= 0) return 'no expires_in';
  if (body.scope !== SCOPE) return `scope ${String(body.scope)}`;
  const refresh =
    typeof body.refresh_token === 'string' && body.refresh_token.startsWith('dk_ort_');
  if (refresh !== refreshToken)
    return refreshToken ? 'no dk_ort_ refresh_token' : 'a refresh_token it should not have';
  return undefined;
}

/** Both credentials answer the route with a 200 that passes its check, byte for byte alike. */
async function checkRoute(
  ctx: OAuthBenchContext,
  app: ServerProcess,
  route: ApiRoute,
  headersOf: Record<(typeof CREDENTIALS)[number], Record<string, string>>,
): Promise<SetupFigures['sameAnswers'][number]> {
  const texts: string[] = [];
  for (const name of CREDENTIALS) {
    const answer = await sendOnce(app.url, {
      ...route.request(ctx.fixture),
      headers: headersOf[name],
    });
    const problem =
      answer.status !== 200
        ? `answered ${answer.status}`
        : route.check?.(JSON.parse(answer.text), ctx.fixture);
    if (problem)
      throw new Error(`${route.name} with the ${name}: ${problem} (${answer.text.slice(0, 300)})`);
    texts.push(answer.text);
  }
  const same = texts.every((text) => text === texts[0]);
  const bytes = Buffer.byteLength(texts[0]);
  ctx.progress(
    `[oauth] ${route.name}: key and token answer ${same ? `the same ${bytes} bytes` : 'DIFFERENT bytes'}`,
  );
  return { route: route.name, same, bytes };
}

/** The refresh token each chain holds now: each load connection carries one chain forward. */
interface Chains {
  readonly tokens: string[];
}

/**
 * One authorization per chain, as a merchant gives it: the authorization request with PKCE
 * (S256), sign-in on the first, consent (approve), then the code exchanged for tokens. Each
 * authorization is a grant of its own, so rotating one chain never touches another.
 */
async function mintChains(
  ctx: OAuthBenchContext,
  app: ServerProcess,
  client: RegisteredApp,
  basic: string,
  count: number,
): Promise<Chains> {
  const browser = new Browser(app.url);
  const tokens: string[] = [];
  for (let index = 0; index < count; index++) {
    const { verifier, challenge } = pkcePair();
    const state = randomBytes(12).toString('base64url');
    const redirect = await approve(
      browser,
      authorizePath({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT_URI,
        scope: SCOPE,
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      client.staff,
    );
    const code = redirect.searchParams.get('code');
    if (!code || redirect.searchParams.get('state') !== state)
      throw new Error(`consent redirected to ${redirect.toString()}`);
    const answer = await tokenRequest(app, basic, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    const problem = tokenProblem(answer, true);
    if (problem) throw new Error(`authorization_code: ${problem} (${answer.text})`);
    tokens.push(String(answer.body.refresh_token));
  }
  ctx.progress(`[oauth] signed in once as ${client.staff.email}, approved ${count} authorizations`);
  return { tokens };
}

/**
 * client_credentials and refresh_token side by side at each connection count, warm-up and slices
 * by request count (autocannon `amount`): every request is answered, so each refresh chain knows
 * its current token between runs and every 200 is counted against the database afterwards.
 */
async function measureTokenEndpoint(
  ctx: OAuthBenchContext,
  app: ServerProcess,
  settings: OAuthSettings,
  basic: string,
  chains: Chains,
): Promise<TokenFigures> {
  const headers = { authorization: basic, 'content-type': FORM };
  const refreshErrors: string[] = [];
  let refreshOk = 0;
  let lostAnswers = 0;
  let answered = 0;
  let failures = 0;
  const rows: ThroughputRow[] = [];
  for (const connections of settings.tokenConnections) {
    // autocannon builds its connections one after the other: the i-th carries chain i.
    let lent = 0;
    const inFlight = new Set<number>();
    const conversation = (): Conversation => {
      const chain = lent++ % connections;
      if (inFlight.delete(chain)) lostAnswers++;
      return {
        body: () => {
          inFlight.add(chain);
          return new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: chains.tokens[chain],
          }).toString();
        },
        answered: (status, text) => {
          inFlight.delete(chain);
          const body = status === 200 ? parseObject(text) : {};
          if (typeof body.refresh_token === 'string') {
            chains.tokens[chain] = body.refresh_token;
            refreshOk++;
          } else if (refreshErrors.length < 5) {
            refreshErrors.push(`chain ${chain}: ${status} ${text.slice(0, 200)}`);
          }
        },
      };
    };
    const runs: AlternatingRun[] = [
      {
        name: 'client_credentials',
        url: app.url,
        request: {
          method: 'POST',
          path: '/oauth/token',
          headers,
          body: 'grant_type=client_credentials',
        },
      },
      {
        name: 'refresh_token',
        url: app.url,
        request: { method: 'POST', path: '/oauth/token', headers, conversation },
      },
    ];
    const slices = wholeSeconds(settings.tokenSeconds);
    const results = await alternateLoads(runs, {
      seconds: slices,
      rounds: slices,
      pauseMs: settings.pauseMs,
      warmup: {
        connections,
        requests: connections * settings.tokenWarmupRequests,
        status: 200,
      },
      slice: (seconds, warmup) => ({
        connections,
        status: 200,
        requests: Math.max(connections, Math.round((warmup?.rps || 100) * seconds)),
      }),
      onLoad: (result) => {
        answered += result.ok;
        failures += result.failures;
      },
    });
    report(ctx, `${TOKEN_ROUTE} c=${connections}`, results);
    rows.push({ route: TOKEN_ROUTE, connections, results });
    lostAnswers += inFlight.size;
  }
  return {
    rows,
    clientCredentialsOk: answered - refreshOk,
    refreshOk,
    failures,
    refreshErrors,
    lostAnswers,
  };
}

async function countTokens(
  databaseUrl: string,
  appId: string,
  expected: Pick<DatabaseCheck, 'expectedAccess' | 'expectedRefresh' | 'expectedRotated'>,
): Promise<DatabaseCheck> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'dk-bench-verify' });
  await client.connect();
  try {
    const {
      rows: [counts],
    } = await client.query<Omit<DatabaseCheck, keyof typeof expected>>(
      `SELECT count(*) FILTER (WHERE kind = 'access')::int AS access,
              count(*) FILTER (WHERE kind = 'refresh')::int AS refresh,
              count(rotated_at)::int AS rotated,
              count(revoked_at)::int AS revoked
         FROM platform.oauth_tokens WHERE app_id = $1`,
      [appId],
    );
    return { ...counts, ...expected };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The report.
// ---------------------------------------------------------------------------------------------

const CREDENTIAL_RATIOS: readonly RatioColumn[] = [
  { label: 'token/key', numerator: 'token', denominator: 'key' },
];

/** The section's tables, its checks, and whether every check held (the figures are void if not). */
export function oauthReport(figures: OAuthFigures): { lines: string[]; ok: boolean } {
  const { settings, setup, token, database: db } = figures;
  const { steady } = settings;
  const rows: string[][] = [];
  const targeted = token.rows
    .find((row) => row.connections === TARGET_CONNECTIONS)
    ?.results.get('client_credentials');
  rows.push([
    `${TOKEN_ROUTE} client_credentials, ${TARGET_CONNECTIONS} connections` +
      (targeted
        ? ` (${formatNumber(targeted.ok)} answered 200 in ${formatNumber(targeted.seconds, 1)} s, ` +
          `${targeted.failures} other answers; p50 ${formatMs(targeted.p50)} ms, p99 ${formatMs(targeted.p99)} ms)`
        : ' (not measured: BENCH_OAUTH_TOKEN_CONNECTIONS)'),
    targeted ? `${formatNumber(targeted.rps)}/s` : '-',
    `≥ ${OAUTH_TARGETS.clientCredentialsRps}/s`,
    verdict(
      !targeted
        ? 'not measured'
        : targeted.failures > 0
          ? `${targeted.failures} requests not 200`
          : targeted.rps < OAUTH_TARGETS.clientCredentialsRps
            ? `${formatNumber(targeted.rps)}/s`
            : undefined,
    ),
  ]);
  for (const { route, steady: row } of figures.api) {
    const key = row.results.get('key')!;
    const tok = row.results.get('token')!;
    for (const [name, result] of [
      ['API key', key],
      ['OAuth token', tok],
    ] as const) {
      rows.push(
        ...latencyRows(
          {
            name: `${route} with the ${name}`,
            method:
              `${formatNumber(result.ok)} requests at ${steady.rate}/s on ${row.connections} ` +
              `connections, ${formatNumber(result.rps, 1)}/s achieved`,
          },
          result.latencies,
          steady.p99Ms,
          result.failures,
        ),
      );
    }
    const difference = tok.p99 - key.p99;
    const slow = [key, tok].find((result) => result.rps < steady.minShare * steady.rate);
    rows.push([
      `${route}: p99 token − key at ${steady.rate}/s (p50 token − key ${signedMs(tok.p50 - key.p50)} ms)`,
      `${signedMs(difference)} ms`,
      `< ${OAUTH_TARGETS.p99DifferenceMs} ms`,
      verdict(
        key.failures + tok.failures > 0
          ? `${key.failures + tok.failures} requests not 2xx`
          : slow
            ? `rate reached ${formatNumber(slow.rps)}/s`
            : difference >= OAUTH_TARGETS.p99DifferenceMs
              ? `${signedMs(difference)} ms`
              : undefined,
      ),
    ]);
  }
  const checks: [string, boolean][] = [
    [
      `client_credentials with client_secret_basic: 200, a Bearer dk_oat_ token for ${SCOPE}, ` +
        `expires_in ${setup.accessTokenLifetime}, no refresh token`,
      setup.clientCredentialsProblem === undefined,
    ],
    ...setup.sameAnswers.map(({ route, same, bytes }): [string, boolean] => [
      `${route}: the key and the token answer the same ${formatNumber(bytes)} bytes`,
      same,
    ]),
    [
      `${setup.chains} refresh chains from ${setup.chains} authorizations (sign-in once, consent, ` +
        `S256 PKCE, code exchange) in ${setup.mintSeconds.toFixed(2)} s; one refresh checked before the load`,
      true,
    ],
    [
      `token endpoint loads: ${formatNumber(token.clientCredentialsOk)} client_credentials and ` +
        `${formatNumber(token.refreshOk)} refresh_token answers 200 (warm-ups included), ` +
        `${token.failures} other answers or errors, ${token.lostAnswers} requests never answered` +
        (token.refreshErrors.length > 0 ? ` (${token.refreshErrors.join('; ')})` : ''),
      token.failures === 0 && token.lostAnswers === 0 && token.refreshErrors.length === 0,
    ],
    [
      `platform.oauth_tokens of the app: ${formatNumber(db.access)} access tokens = ` +
        `${formatNumber(db.expectedAccess)} issued with a 200`,
      db.access === db.expectedAccess,
    ],
    [
      `refresh tokens: ${formatNumber(db.refresh)} = ${formatNumber(db.expectedRefresh)} issued, ` +
        `${formatNumber(db.rotated)} rotated = ${formatNumber(db.expectedRotated)} refreshes, ` +
        `${db.revoked} revoked (reuse detection never fired)`,
      db.refresh === db.expectedRefresh && db.rotated === db.expectedRotated && db.revoked === 0,
    ],
  ];
  const columns = MEASURE_COLUMNS;
  const ok = checks.every(([, passed]) => passed);
  const tokenSlices = wholeSeconds(settings.tokenSeconds);
  return {
    ok,
    lines: [
      'A full app of its own (REST rate limits at 1,000,000,000 as in every app of the benchmark; ' +
        'the token endpoint limits only failures). A confidential single-store app ' +
        `(\`POST /v1/platform/apps\` with \`storeId\`, scopes \`${SCOPE}\`) authenticates with ` +
        `client_secret_basic. The section took ${figures.seconds.toFixed(0)} s from the app's spawn.`,
      '',
      `Token endpoint: \`${TOKEN_ROUTE}\`, client_credentials (a new access token per request) ` +
        'beside refresh_token, where each connection carries one refresh chain: it refreshes with ' +
        'the token the previous answer gave it (each refresh rotates the token), so every request ' +
        `is valid; the ${setup.chains} chains come from as many authorizations (authorization ` +
        'code with PKCE, through the sign-in and consent pages over HTTP). Per row and grant: ' +
        `a warm-up of ${settings.tokenWarmupRequests} requests per connection, then ` +
        `${tokenSlices} slices alternating between the grants, each as many requests as the ` +
        "grant's warm-up rate gets through in 1 s, every one answered (so no chain loses its " +
        'token and every 200 is counted in the database afterwards). Only 200 counts; anything ' +
        'else is a failure.',
      '',
      throughputTable([...GRANTS], [], token.rows),
      '',
      `API key against OAuth access token (client_credentials, same store, same scope): the ` +
        `product routes of the HTTP section with either credential, side by side in 1 s slices ` +
        `that alternate between them; closed loop at ${settings.apiConnections} connections ` +
        `(${settings.apiWarmupSeconds} s warm-up, ${wholeSeconds(settings.apiSeconds)} s measured), ` +
        `then the HTTP section's steady rate (${steady.rate}/s over ${steady.connections} ` +
        `connections, evenly spaced, ${wholeSeconds(settings.steadySeconds)} s measured ` +
        'per credential, no warm-up after the closed loop).',
      '',
      throughputTable(
        [...CREDENTIALS],
        CREDENTIAL_RATIOS,
        figures.api.flatMap(({ closed, steady: row }) => [closed, row]),
      ),
      '',
      renderTable(columns, rows),
      '',
      `Checks: ${ok ? 'verified' : 'VERIFICATION FAILED'}`,
      ...checks.map(([text, passed]) => `- ${passed ? 'ok' : 'FAILED'}: ${text}`),
    ],
  };
}

function signedMs(value: number): string {
  return `${value >= 0 ? '+' : '−'}${formatMs(Math.abs(value))}`;
}
