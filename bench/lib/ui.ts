import { setTimeout as sleep } from 'node:timers/promises';
import { availableParallelism } from 'node:os';
import { alternateLoads, LoadRequest, LoadResult, runLoad, sendOnce } from './load';
import type { Fixture } from './seed';
import { stockOrderRequest } from './seed';
import type { ServerProcess } from '../../harness/server-process';
import {
  Column,
  describeLoad,
  formatMs,
  formatNumber,
  ratioSpread,
  renderTable,
  verdict,
} from './table';

export interface UiSettings {
  /** Closed-loop connections of the throughput rows (default 50). */
  readonly connections: number;
  /** Measured seconds per page and target (default 10), in `rounds` slices. */
  readonly seconds: number;
  readonly rounds: number;
  /** The steady rate of the latency rows (default 100 requests per second). */
  readonly rate: number;
  /** Orders placed before measuring, so the orders page shows a full page (default 50). */
  readonly orders: number;
}

export interface UiBenchContext {
  readonly fixture: Fixture;
  readonly adminToken: string;
  /** The seeded store's handle: its pages answer on `<handle>.localhost`. */
  readonly handle: string;
  startApp(label: string): Promise<ServerProcess>;
  /**
   * The bench-only variant of the admin orders page that builds it by calling this project's REST
   * API over HTTP (bench/ui-rest-server.ts), against the app at `apiUrl`.
   */
  startRestVariant(apiUrl: string, ordersKey: string): Promise<ServerProcess>;
  progress(message: string): void;
}

/** The design's targets for pages (ARCHITECTURE.md): p99 under 500 ms loaded, 50 ms at 100/s. */
export const UI_TARGETS = { loadedP99Ms: 500, steadyP99Ms: 50 } as const;

interface PageRow {
  readonly name: string;
  readonly closed: LoadResult;
  readonly steady: LoadResult;
}

export interface UiFigures {
  readonly settings: UiSettings;
  readonly pages: readonly PageRow[];
  /** The admin orders page in-process against the same page built over REST, same run. */
  readonly thesis: { readonly inProcess: LoadResult; readonly overRest: LoadResult };
}

/**
 * The hosted pages under load on a full app of their own: the storefront home, a product page and
 * the admin orders page (signed in) at `connections` closed-loop connections and at a steady
 * `rate`; then the design's thesis: the admin orders page rendered from in-process service calls
 * against the same page built by calling the REST API over HTTP, alternating in one run.
 */
export async function runUiBench(
  context: UiBenchContext,
  settings: UiSettings,
): Promise<UiFigures> {
  const { fixture, progress } = context;
  const app = await context.startApp('ui');
  await app.waitUntilReady('/health/ready');
  const host = `${context.handle}.localhost`;
  const cookie = await signInOwner(app.url, context.adminToken, fixture.storeId, host);
  for (let index = 0; index < settings.orders; index++) {
    const order = await sendOnce(
      app.url,
      withAuthorization(stockOrderRequest(fixture), fixture.ordersApiKey),
    );
    if (order.status !== 201) throw new Error(`order answered ${order.status}: ${order.text}`);
  }
  const pages: { name: string; request: LoadRequest; expect: string }[] = [
    { name: 'GET / (storefront home)', request: page('/', host), expect: 'Bench product 0001' },
    {
      name: 'GET /products/{handle}',
      request: page('/products/bench-product-0001', host),
      expect: 'Add to cart',
    },
    {
      name: 'GET /admin/orders (signed in)',
      request: page('/admin/orders', host, cookie),
      expect: 'id="order-ord_',
    },
  ];
  for (const candidate of pages) await expectPage(app.url, candidate.request, candidate.expect);

  const rows: PageRow[] = [];
  for (const candidate of pages) {
    const closed = await runLoad(app.url, candidate.request, {
      connections: settings.connections,
      seconds: settings.seconds,
    });
    progress(`[ui] ${candidate.name} c=${settings.connections}: ${describeLoad(closed)}`);
    // The closed loop leaves up to `connections` requests queued in the app when it stops: let
    // them drain, or the steady row's first requests wait behind them.
    await sleep(1000);
    const steady = await runLoad(app.url, candidate.request, {
      connections: 10,
      seconds: Math.max(5, settings.seconds / 2),
      rate: settings.rate,
    });
    progress(`[ui] ${candidate.name} at ${settings.rate}/s: ${describeLoad(steady)}`);
    rows.push({ name: candidate.name, closed, steady });
  }

  const variant = await context.startRestVariant(app.url, fixture.ordersApiKey);
  const ordersPage = pages[2].request;
  await expectPage(variant.url, ordersPage, 'id="order-ord_');
  const results = await alternateLoads(
    [
      { name: 'in-process', url: app.url, request: ordersPage, serverCpuMs: () => app.cpuMs() },
      {
        name: 'over-rest',
        url: variant.url,
        request: ordersPage,
        // The page costs the API's work and the UI server's: both processes are charged.
        serverCpuMs: () => app.cpuMs() + variant.cpuMs(),
      },
    ],
    {
      seconds: settings.seconds,
      rounds: settings.rounds,
      pauseMs: 300,
      warmup: { connections: settings.connections, seconds: 2 },
      slice: (seconds) => ({ connections: settings.connections, seconds }),
    },
  );
  for (const [name, result] of results)
    progress(`[ui] admin orders ${name}: ${describeLoad(result)}`);
  await variant.stop();
  await app.stop();
  return {
    settings,
    pages: rows,
    thesis: { inProcess: results.get('in-process')!, overRest: results.get('over-rest')! },
  };
}

const PAGE_COLUMNS: readonly Column[] = [
  { header: 'page' },
  { header: 'load' },
  { header: 'req/s', align: 'right' },
  { header: 'p50 ms', align: 'right' },
  { header: 'p99 ms', align: 'right' },
  { header: 'target' },
  { header: '' },
];

export function uiReport(figures: UiFigures): { lines: string[]; ok: boolean } {
  const { settings, thesis } = figures;
  const rows: string[][] = [];
  for (const row of figures.pages) {
    rows.push([
      row.name,
      `closed loop, ${settings.connections} connections`,
      formatNumber(row.closed.rps),
      formatMs(row.closed.p50),
      formatMs(row.closed.p99),
      `p99 < ${UI_TARGETS.loadedP99Ms} ms`,
      verdict(failed(row.closed) ?? slower(row.closed.p99, UI_TARGETS.loadedP99Ms)),
    ]);
    rows.push([
      '',
      `steady ${settings.rate}/s`,
      formatNumber(row.steady.rps),
      formatMs(row.steady.p50),
      formatMs(row.steady.p99),
      `p99 < ${UI_TARGETS.steadyP99Ms} ms`,
      verdict(failed(row.steady) ?? slower(row.steady.p99, UI_TARGETS.steadyP99Ms)),
    ]);
  }
  const ratio = thesis.inProcess.rps / thesis.overRest.rps;
  const cpuRatio = cpuPerPage(thesis.overRest) / cpuPerPage(thesis.inProcess);
  const thesisRows = [
    ['in-process (the hosted UI), 1 process', thesis.inProcess],
    ['over REST (bench/ui-rest-server.tsx), 2 processes', thesis.overRest],
  ].map(([name, result]) => {
    const load = result as LoadResult;
    return [
      name as string,
      formatNumber(load.rps),
      formatMs(load.p50),
      formatMs(load.p99),
      formatNumber(cpuPerPage(load), 2),
    ];
  });
  const failures = [
    ...figures.pages.flatMap((row) => [row.closed, row.steady]),
    thesis.inProcess,
    thesis.overRest,
  ]
    .map(failed)
    .filter(Boolean);
  return {
    ok: failures.length === 0,
    lines: [
      renderTable(PAGE_COLUMNS, rows),
      '',
      `The design's thesis: the admin orders page (${settings.connections} connections, ${settings.rounds} alternating slices of ${formatNumber(settings.seconds / settings.rounds, 1)} s each) rendered from in-process service calls against the same template fed by \`GET /v1/orders\` over HTTP from a separate process. The pages cost **${cpuRatio.toFixed(2)}×** less server CPU in-process (the CPU time of every serving process, per page); the requests per second are ${ratio.toFixed(2)}× (slices ${ratioSpread(thesis.inProcess, thesis.overRest)}), but the over-REST variant spreads each page over two processes, so on this machine's ${availableParallelism()} cores it also takes a second core the in-process page leaves to the load generator: CPU per page is the like-for-like figure.`,
      '',
      renderTable(
        [
          { header: 'admin orders page' },
          { header: 'req/s', align: 'right' },
          { header: 'p50 ms', align: 'right' },
          { header: 'p99 ms', align: 'right' },
          { header: 'server CPU ms per page', align: 'right' },
        ],
        thesisRows,
      ),
    ],
  };
}

/** Server CPU time per answered page, in ms (NaN when the run did not measure it). */
function cpuPerPage(result: LoadResult): number {
  return result.serverCpuMs === undefined || result.ok === 0
    ? Number.NaN
    : result.serverCpuMs / result.ok;
}

function failed(result: LoadResult): string | undefined {
  return result.failures > 0
    ? `${result.failures} failed answers ${JSON.stringify(result.statusCodes)}`
    : undefined;
}

function slower(p99: number, targetMs: number): string | undefined {
  return p99 < targetMs ? undefined : `${formatMs(p99)} ms`;
}

function page(path: string, host: string, cookie?: string): LoadRequest {
  return {
    method: 'GET',
    path,
    headers: { host, accept: 'text/html', ...(cookie ? { cookie } : {}) },
  };
}

function withAuthorization(request: LoadRequest, key: string): LoadRequest {
  return { ...request, headers: { ...request.headers, authorization: `Bearer ${key}` } };
}

async function expectPage(url: string, request: LoadRequest, text: string): Promise<void> {
  const answer = await requestWithHost(url, request.path, request.headers ?? {});
  if (answer.status !== 200 || !answer.text.includes(text))
    throw new Error(
      `${request.path} on ${url} answered ${answer.status} without "${text}": ${answer.text.slice(0, 300)}`,
    );
}

/** fetch cannot send a Host header of its own choosing; node:http can. */
async function requestWithHost(
  url: string,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<{ status: number; text: string; cookies: string[] }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const outgoing = request(new URL(path, url), { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          cookies: response.headers['set-cookie'] ?? [],
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** An owner account for the store, signed in through the admin's form: its cookie header. */
async function signInOwner(
  url: string,
  adminToken: string,
  storeId: string,
  host: string,
): Promise<string> {
  const account = { email: 'bench-owner@example.com', password: 'bench owner password' };
  const created = await fetch(`${url}/v1/platform/stores/${storeId}/staff`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...account, role: 'owner' }),
  });
  if (created.status !== 201) throw new Error(`staff creation answered ${created.status}`);
  const form = await requestWithHost(url, '/admin/sign-in', { host });
  const csrfCookie = form.cookies.map((cookie) => cookie.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
  if (!token) throw new Error('no CSRF token on the sign-in page');
  const signedIn = await requestWithHost(
    url,
    '/admin/sign-in',
    { host, cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
    'POST',
    new URLSearchParams({ _csrf: token, ...account }).toString(),
  );
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  const session = signedIn.cookies
    .map((cookie) => cookie.split(';')[0])
    .find((cookie) => cookie.startsWith('dk_staff_session='));
  if (!session) throw new Error('sign-in set no session cookie');
  return session;
}
