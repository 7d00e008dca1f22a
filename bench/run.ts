/**
 * `npm run bench`: throughput and latency of the products routes on the full app (hot, and cold with
 * the response cache off), on a "bare" app without authentication, tenancy and logging, on a "raw"
 * server (plain Fastify and pg, no Nest, no TypeORM), on the one-statement json-agg peer and on
 * its memoising ceiling, with their ratios; a 95/5 read/PATCH mix with read-your-writes checked;
 * the response cache's memory while 10,000 products are read; the full app's p99 at a steady
 * request rate; order
 * creation throughput on the full app (with a check of the orders it left); the full app's time
 * to ready and its idle memory; GraphQL on a full app of its own (cost bucket out of the way): the
 * product page over GraphQL beside REST and raw, the latency of a subscription event at a steady
 * low rate of PATCHes, the fan-out of events to 1,000 subscribed WebSockets and the RSS per idle
 * socket; webhook delivery on the full app: deliveries per second from a
 * queued backlog to a local receiver (in a process of its own) and the latency from an order's
 * 201 to its `order.created` webhook at a steady low rate (receiver in this process); OAuth on a
 * full app of its own: the token endpoint's rate for client_credentials and for refresh_token
 * (refresh chains, one per connection, from authorization codes), and an OAuth access token
 * against an API key on the product routes (closed loop and the steady rate above). Servers run
 * as child processes; autocannon and the WebSocket clients run here.
 *
 * This file runs the sections in order; what they measure lives beside it: settings.ts (the
 * environment below), processes.ts (the servers and their clean-up), http-section.ts (targets,
 * scenarios, ratios), report.ts (the tables), and lib/ (the other sections, load, seeding).
 *
 * Uses the PostgreSQL server of DATABASE_URL when set (creating and dropping `dk_bench_*`
 * databases on it), an embedded one in a temporary directory otherwise.
 *
 * Tunables: BENCH_SECONDS (measured per target and cell, default 10), BENCH_ROUNDS (alternating
 * slices those seconds are split into, default 5), BENCH_WARMUP_SECONDS (default 2),
 * BENCH_CONNECTIONS (default "1,50", for the scenarios that do not fix theirs), BENCH_RESTARTS
 * (time-to-ready samples, default 3), BENCH_TARGETS (default "full,cold,bare,raw,json-agg,memo"; "all" adds the
 * attribution targets bare-tx and full-nolog), BENCH_BEFORE (a git ref, e.g. HEAD~1: adds the
 * target "before", the full app built from that commit, and the ratio full/before, so that a
 * change is measured against the commit before it in the same run), BENCH_APP_ENV
 * ("NAME=value,…": environment every server under test gets on top of the bench's), BENCH_SECTIONS (default
 * "http,cache,graphql,webhooks,oauth,ui,stores": the autocannon tables, the response cache's memory
 * while a large store is paged through, the GraphQL section, the webhook section, the OAuth section,
 * the hosted pages, and one store's reads with 10 and with BENCH_STORES store schemas; startup and
 * memory are always measured).
 * Stores ("stores", last, since it leaves its stores in the database): BENCH_STORES (default 10000,
 * created through the platform API 8 at a time), BENCH_STORES_SECONDS (per route and run, default 6).
 * Cache memory ("cache"): BENCH_CACHE_PRODUCTS (default 10000), BENCH_CACHE_MEMORY_MB (the app's
 * CACHE_MEMORY_MB there, default 8, less than what is read; a second run has the cache off).
 * GraphQL: BENCH_GRAPHQL_CONNECTIONS (product page rows, default "1,50"), BENCH_GRAPHQL_SECONDS
 * (measured per target and row, in BENCH_ROUNDS slices after 1 s of warm-up, default 5),
 * BENCH_GRAPHQL_LATENCY_RATE (PATCHes per second, one at a time, default 20),
 * BENCH_GRAPHQL_LATENCY_SECONDS (default 10), BENCH_GRAPHQL_SUBSCRIBERS (WebSockets of the
 * fan-out, default 1000), BENCH_GRAPHQL_FANOUT_EVENTS (one every 500 ms, default 10).
 * Webhooks: BENCH_WEBHOOK_DELIVERIES (queued for the throughput run, default 10000),
 * BENCH_WEBHOOK_SUBSCRIPTIONS (to order.created, default 10), BENCH_WEBHOOK_LATENCY_RATE (orders
 * per second, one at a time, default 20), BENCH_WEBHOOK_LATENCY_SECONDS (default 10),
 * BENCH_CPU_PROF_DIR (when set, every full app the bench starts, the webhook section's
 * dispatching app and the GraphQL section's included, runs with `node --cpu-prof` and writes its
 * profile there, one file per process).
 * OAuth: BENCH_OAUTH_TOKEN_CONNECTIONS (token endpoint rows, default "20,50"), BENCH_OAUTH_SECONDS
 * (token endpoint, measured per grant and row in 1 s slices, default 3), BENCH_OAUTH_API_SECONDS
 * (key against token at 50 connections, per credential and route, default 2),
 * BENCH_OAUTH_LATENCY_SECONDS (key against token at the steady rate, default 4).
 * Hosted pages ("ui"): BENCH_UI_SECONDS (per page and load, default 10), BENCH_UI_RATE (the steady
 * rate, default 100 requests per second).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchDatabaseServer } from './lib/database';
import { alternateLoads, LoadResult } from './lib/load';
import { seed } from './lib/seed';
import { runUiBench, uiReport } from './lib/ui';
import { ServerProcess } from '../harness/server-process';
import { describeLoad } from './lib/table';
import { cacheMemoryReport, measureCacheMemory } from './lib/cache-memory';
import { measureStores, storesReport } from './lib/stores';
import { graphqlReport, runGraphqlBench } from './lib/graphql';
import { runWebhookBench, webhookReport } from './lib/webhooks';
import { oauthReport, runOAuthBench } from './lib/oauth';
import { SECTIONS, SETTINGS } from './settings';
import { Bench, cleanUp, onCleanup, progress, startBenchServer, startFullApp } from './processes';
import {
  Cell,
  PRODUCT,
  PRODUCT_LIST,
  SCENARIOS,
  SELECTED_TARGETS,
  Scenario,
  TARGETS,
  Verification,
  checkScenario,
  sliceShape,
  targetsOf,
  warmupShape,
  withHeaders,
} from './http-section';
import { StartupFigures, report } from './report';

async function main(): Promise<void> {
  const started = performance.now();
  const root = resolve(__dirname, '..', '..');
  const workDir = mkdtempSync(join(tmpdir(), 'dk-bench-'));
  onCleanup(async () => rmSync(workDir, { recursive: true, force: true }));
  const secrets = {
    adminToken: `dk_admin_${randomBytes(24).toString('base64url')}`,
    encryptionKey: randomBytes(32).toString('base64'),
  };

  progress(
    process.env.DATABASE_URL ? 'using the DATABASE_URL server' : 'starting embedded PostgreSQL',
  );
  const database = await BenchDatabaseServer.open(process.env.DATABASE_URL);
  onCleanup(() => database.close());
  const postgresVersion = await database.version();
  const databaseUrl = await database.createDatabase();

  // 1. First start on an empty database (platform migrations included), then seed through it.
  const partial = { root, workDir, databaseUrl, secrets };
  let full = await startFullApp(partial, 'first');
  const firstStartMs = await full.waitUntilReady('/health/ready');
  progress(`first start on an empty database: ready in ${firstStartMs.toFixed(0)} ms`);
  const fixture = await seed(full.url, secrets.adminToken, databaseUrl, SETTINGS.seed);
  progress(
    `seeded store ${fixture.storeId}: ${SETTINGS.seed.products} products × ${SETTINGS.seed.variantsPerProduct} variants`,
  );
  await full.stop();

  // 2. Restarts on the migrated database: time to ready; the last one stays up for the load.
  const readyMs: number[] = [];
  for (let run = 1; run <= SETTINGS.restarts; run++) {
    full = await startFullApp(partial, `restart-${run}`);
    readyMs.push(await full.waitUntilReady('/health/ready'));
    progress(`restart ${run}: ready in ${readyMs[readyMs.length - 1].toFixed(0)} ms`);
    if (run < SETTINGS.restarts) await full.stop();
  }
  const readyAt = performance.now();
  const bench: Bench = { ...partial, fixture, fullApp: full };

  // 3. The other targets start while the full app settles; idle RSS once it has sat for 2 s.
  const servers = new Map<string, ServerProcess>();
  for (const target of SECTIONS.has('http') ? SELECTED_TARGETS : []) {
    servers.set(target.name, await target.start(bench));
  }
  await sleep(Math.max(0, readyAt + SETTINGS.settleMs - performance.now()));
  const idleRssMiB = full.rssMiB();
  const referenceRss = [...servers]
    .filter(([, server]) => server !== full)
    .map(([name, server]) => ({ name, rss: server.rssMiB() }));
  progress(`full app idle RSS ${idleRssMiB.toFixed(1)} MiB`);

  // 4. Every scenario answers the same, valid body on every target before anything is timed.
  const scenarios = SECTIONS.has('http') ? SCENARIOS : [];
  const counted = new Map<Scenario, number>();
  for (const scenario of scenarios)
    counted.set(scenario, await checkScenario(scenario, servers, fixture));

  // 5. Load: per scenario and connection count, every target warmed up, then measured in short
  //    slices that alternate between the targets (alternateLoads). A scenario that checks what it
  //    wrote does so after its last cell.
  const cells: Cell[] = [];
  const verifications: { scenario: Scenario; verification: Verification }[] = [];
  for (const scenario of scenarios) {
    const count = (result: LoadResult) =>
      counted.set(scenario, (counted.get(scenario) ?? 0) + result.ok);
    for (const connections of scenario.connections ?? SETTINGS.connections) {
      const label = `${scenario.section ? `[${scenario.section}] ` : ''}${scenario.name} c=${connections}`;
      const runs = targetsOf(scenario).map((target) => ({
        name: target.name,
        url: servers.get(target.name)!.url,
        request: withHeaders(scenario.request(fixture), target.headers(fixture)),
      }));
      const results = await alternateLoads(runs, {
        seconds: SETTINGS.seconds,
        rounds: SETTINGS.rounds,
        pauseMs: SETTINGS.pauseMs,
        warmup: warmupShape(scenario, connections),
        slice: (seconds, warmup) => sliceShape(scenario, connections, seconds, warmup),
        onLoad: count,
      });
      for (const [name, result] of results) progress(`${label} ${name}: ${describeLoad(result)}`);
      cells.push({ scenario, connections, results });
    }
    if (scenario.verify) {
      const verification = await scenario.verify(bench, counted.get(scenario) ?? 0);
      verifications.push({ scenario, verification });
      for (const line of verification.lines) progress(`${scenario.name}: ${line}`);
    }
  }
  const loadedRssMiB = full.rssMiB();

  // 6. GraphQL, webhooks and OAuth, each on a quiet machine with servers of its own: the servers
  //    above stop (the full app would dispatch too). A failure there still leaves the tables
  //    above to print.
  if (
    ['graphql', 'webhooks', 'oauth', 'ui', 'cache', 'stores'].some((section) =>
      SECTIONS.has(section as 'ui'),
    )
  )
    for (const server of new Set([full, ...servers.values()])) await server.stop();
  let graphqlSection: { lines: readonly string[]; ok: boolean } | undefined;
  if (SECTIONS.has('graphql')) {
    try {
      const figures = await runGraphqlBench(
        {
          fixture,
          startApp: (label, env, nodeArgs) => startFullApp(partial, label, 'info', env, nodeArgs),
          startPeer: () => TARGETS.find((target) => target.name === 'json-agg')!.start(bench),
          progress,
        },
        SETTINGS.graphql,
      );
      graphqlSection = graphqlReport(figures);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`graphql failed: ${text}`);
      graphqlSection = { ok: false, lines: ['FAILED:', '', '```', text, '```'] };
    }
  }
  let cacheMemoryLines: string[] | undefined;
  if (SECTIONS.has('cache')) {
    const figures = await measureCacheMemory(
      {
        seedStore: (appUrl, products) =>
          seed(appUrl, secrets.adminToken, databaseUrl, {
            ...SETTINGS.seed,
            products,
            handle: 'bench-memory',
          }),
        startApp: async (env) => {
          const server = await startFullApp(partial, 'cache-memory', 'info', env);
          await server.waitUntilReady('/health/ready');
          return server;
        },
        progress,
      },
      SETTINGS.cacheMemory,
    );
    cacheMemoryLines = cacheMemoryReport(figures);
    if (!figures.withinTarget) progress('cache memory: growth beyond the budget + 50 MiB');
  }
  let webhookSection: { lines: readonly string[]; ok: boolean } | undefined;
  if (SECTIONS.has('webhooks')) {
    try {
      const figures = await runWebhookBench(
        {
          root,
          workDir,
          databaseUrl,
          fixture,
          startApp: (label, env, nodeArgs) => startFullApp(partial, label, 'info', env, nodeArgs),
          onCleanup,
          progress,
        },
        SETTINGS.webhooks,
      );
      webhookSection = webhookReport(figures);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`webhooks failed: ${text}`);
      webhookSection = { ok: false, lines: ['FAILED:', '', '```', text, '```'] };
    }
  }
  let oauthSection: { lines: readonly string[]; ok: boolean } | undefined;
  if (SECTIONS.has('oauth')) {
    try {
      const figures = await runOAuthBench(
        {
          fixture,
          adminToken: secrets.adminToken,
          databaseUrl,
          routes: [PRODUCT, PRODUCT_LIST],
          startApp: (label, env) => startFullApp(partial, label, 'info', env),
          progress,
        },
        SETTINGS.oauth,
      );
      oauthSection = oauthReport(figures);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`oauth failed: ${text}`);
      oauthSection = { ok: false, lines: ['FAILED:', '', '```', text, '```'] };
    }
  }

  let uiSection: { lines: readonly string[]; ok: boolean } | undefined;
  if (SECTIONS.has('ui')) {
    try {
      const figures = await runUiBench(
        {
          fixture,
          adminToken: secrets.adminToken,
          handle: 'bench',
          startApp: (label) => startFullApp(partial, label, 'info'),
          startRestVariant: (apiUrl, ordersKey) =>
            startBenchServer(
              bench,
              'ui-rest',
              'dist/bench/ui-rest-server.js',
              {
                BENCH_API_URL: apiUrl,
                BENCH_ORDERS_KEY: ordersKey,
              },
              '/health',
            ),
          progress,
        },
        SETTINGS.ui,
      );
      uiSection = uiReport(figures);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`ui failed: ${text}`);
      uiSection = { ok: false, lines: ['FAILED:', '', '```', text, '```'] };
    }
  }

  // Last: it leaves thousands of stores in the database.
  let storesSection: { lines: readonly string[]; ok: boolean } | undefined;
  if (SECTIONS.has('stores')) {
    try {
      const figures = await measureStores(
        {
          fixture,
          adminToken: secrets.adminToken,
          databaseUrl,
          startApp: async (env) => {
            const server = await startFullApp(partial, 'stores', 'info', env);
            await server.waitUntilReady('/health/ready');
            return server;
          },
          progress,
        },
        SETTINGS.stores,
      );
      storesSection = { ok: true, lines: storesReport(figures) };
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`stores failed: ${text}`);
      storesSection = { ok: false, lines: ['FAILED:', '', '```', text, '```'] };
    }
  }

  await cleanUp();
  const startup: StartupFigures = { firstStartMs, readyMs, idleRssMiB };
  console.log(
    report({
      postgresVersion,
      databaseKind: database.kind,
      cells,
      startup,
      loadedRssMiB,
      referenceRss,
      verifications,
      graphqlLines: graphqlSection?.lines,
      webhookLines: webhookSection?.lines,
      oauthLines: oauthSection?.lines,
      uiLines: uiSection?.lines,
      cacheMemoryLines,
      storesLines: storesSection?.lines,
      elapsedSeconds: (performance.now() - started) / 1000,
    }),
  );
  // The tables are printed either way; a failed verification makes the figures next to it void.
  if (
    verifications.some(({ verification }) => !verification.ok) ||
    (graphqlSection && !graphqlSection.ok) ||
    (webhookSection && !webhookSection.ok) ||
    (oauthSection && !oauthSection.ok) ||
    (uiSection && !uiSection.ok) ||
    (storesSection && !storesSection.ok)
  )
    process.exitCode = 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    void cleanUp().finally(() => process.exit(1));
  },
);
