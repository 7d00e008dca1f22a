import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { SCOPES } from '../src/common/scopes';
import { storeSchemaName } from '../src/database/store-schema';
import {
  REPLICATION_BINARIES,
  ReplicatedCluster,
  replicatedClusterAvailable,
} from './support/replicated-cluster';
import { startTestApp, TestApp } from './support/test-app';

const available = replicatedClusterAvailable();
if (!available)
  console.warn(
    `SKIPPED: no PostgreSQL binaries with pg_basebackup at ${REPLICATION_BINARIES} (CI installs Debian's); read replicas were not tried`,
  );

interface Product {
  id: string;
  title: string;
}

(available ? describe : describe.skip)(
  'read replicas (a primary and a streaming replica of its own)',
  () => {
    let cluster: ReplicatedCluster;
    let app: TestApp;
    let primary: Client;
    let replicaName: string;

    beforeAll(async () => {
      cluster = await ReplicatedCluster.start();
      const { primaryUrl, replicaUrl } = await cluster.createDatabase('dukkadee');
      primary = new Client({ connectionString: primaryUrl });
      await primary.connect();
      // The response cache off: every read below reaches a database.
      app = await startTestApp({
        env: { DATABASE_URL: primaryUrl, DATABASE_REPLICA_URLS: replicaUrl, CACHE_MEMORY_MB: '0' },
      });
      replicaName = `127.0.0.1:${cluster.replicaPort}/dukkadee`;
      await replicaIs('up');
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await primary?.end();
      await cluster?.stop();
    });

    async function replicaState(): Promise<{ state: string; lagSeconds: number | null }> {
      const ready = await app.request('GET', '/health/ready');
      expect(ready.status).toBe(200);
      return ready.body.replicas.find(
        (replica: { replica: string }) => replica.replica === replicaName,
      );
    }

    async function replicaIs(state: 'up' | 'behind' | 'down', withinMs = 10_000): Promise<void> {
      const until = Date.now() + withinMs;
      while ((await replicaState()).state !== state) {
        if (Date.now() > until) throw new Error(`the replica is not ${state} after ${withinMs} ms`);
        await sleep(50);
      }
    }

    async function replicaReads(): Promise<number> {
      const metrics = await app.request('GET', '/metrics');
      const line = metrics.text
        .split('\n')
        .find((candidate) =>
          candidate.startsWith(`db_replica_reads_total{replica="${replicaName}"}`),
        );
      return Number(line?.split(' ').at(-1) ?? 0);
    }

    /** Until the replica has replayed everything the primary has written. */
    async function caughtUp(): Promise<void> {
      await cluster.onReplica('SELECT pg_wal_replay_resume()');
      const [{ lsn }] = (await primary.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows;
      const replica = new Client({
        connectionString: `postgres://postgres@127.0.0.1:${cluster.replicaPort}/dukkadee`,
      });
      await replica.connect();
      try {
        for (;;) {
          const { rows } = await replica.query(
            'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done',
            [lsn],
          );
          if (rows[0].done) break;
          await sleep(20);
        }
      } finally {
        await replica.end();
      }
      await replicaIs('up');
      await sleep(250); // two polls: the instance knows the replica's position
    }

    async function createProduct(key: string, title: string): Promise<Product> {
      const created = await app.request<Product>('POST', '/v1/products', {
        token: key,
        body: { title, status: 'active', variants: [{ sku: title.toUpperCase(), price: 500 }] },
      });
      expect(created.status).toBe(201);
      return created.body;
    }

    const titleOf = async (key: string, id: string) =>
      (await app.request<Product>('GET', `/v1/products/${id}`, { token: key })).body.title;

    it('reads from the replica, a store this instance wrote to from the primary until the replica replayed the write, and leaves out a replica over 1 s behind', async () => {
      const written = await app.createStore([...SCOPES]);
      const other = await app.createStore([...SCOPES]);
      const mine = await createProduct(written.key, 'Mine');
      const theirs = await createProduct(other.key, 'Theirs');
      await caughtUp();

      const before = await replicaReads();
      expect(await titleOf(other.key, theirs.id)).toBe('Theirs');
      expect(await replicaReads()).toBeGreaterThan(before);

      await cluster.onReplica('SELECT pg_wal_replay_pause()');
      // A write answered here is read back at once, though the replica has not replayed it.
      const renamed = await app.request('PATCH', `/v1/products/${mine.id}`, {
        token: written.key,
        body: { title: 'Mine, renamed' },
      });
      expect(renamed.status).toBe(200);
      expect(await titleOf(written.key, mine.id)).toBe('Mine, renamed');
      const page = await app.request<{ data: Product[] }>('GET', '/v1/products', {
        token: written.key,
      });
      expect(page.body.data.map((product) => product.title)).toEqual(['Mine, renamed']);

      // A change this instance did not make: the other store's reads still come from the replica,
      // which has not replayed it, while it is less than 1 s behind...
      await primary.query(
        `UPDATE ${primary.escapeIdentifier(storeSchemaName(other.storeId))}.products SET title = $2 WHERE id = $1`,
        [theirs.id, 'Theirs, changed elsewhere'],
      );
      expect(await titleOf(other.key, theirs.id)).toBe('Theirs');
      // ...and from the primary once it is further behind.
      await replicaIs('behind', 3_000);
      expect(await titleOf(other.key, theirs.id)).toBe('Theirs, changed elsewhere');
      const metrics = await app.request('GET', '/metrics');
      expect(metrics.text).toContain(`db_replica_up{replica="${replicaName}"} 0`);

      await caughtUp();
      const resumed = await replicaReads();
      expect(await titleOf(other.key, theirs.id)).toBe('Theirs, changed elsewhere');
      expect(await replicaReads()).toBeGreaterThan(resumed);
    });

    it('fails no request when the replica stops, and reads from it again once it is back', async () => {
      const store = await app.createStore([...SCOPES]);
      const product = await createProduct(store.key, 'Steady');
      await caughtUp();
      const reads = () =>
        Promise.all(
          Array.from({ length: 20 }, () =>
            app.request('GET', `/v1/products/${product.id}`, { token: store.key }),
          ),
        );
      const during = reads();
      await cluster.stopReplica();
      const after = await reads();
      for (const answer of [...(await during), ...after]) {
        expect(answer.status).toBe(200);
        expect(answer.body.title).toBe('Steady');
      }
      await replicaIs('down', 3_000);
      expect((await app.request('GET', '/health/ready')).status).toBe(200);
      expect((await reads()).every((answer) => answer.status === 200)).toBe(true);

      await cluster.startReplica();
      await caughtUp();
      const back = await replicaReads();
      expect(await titleOf(store.key, product.id)).toBe('Steady');
      expect(await replicaReads()).toBeGreaterThan(back);
    });
  },
);
