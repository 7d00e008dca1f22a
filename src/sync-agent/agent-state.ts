import type { EntityManager } from 'typeorm';
import type { PushableResource } from '../sync/sync-resources';

export interface Checkpoints {
  /** Where the local feed is pushed up to; null before the first push. */
  readonly push: string | null;
  /** The cursor of the last change of a batch sent but not yet checkpointed, if any. */
  readonly pushPendingUntil: string | null;
  /** Where the platform feed is applied up to; null before the first pull. */
  readonly pull: string | null;
}

export interface SeenVersion {
  readonly resource: PushableResource;
  readonly externalId: string;
  readonly platformId: string | null;
  readonly version: number | null;
}

export interface Failure {
  readonly direction: 'push' | 'pull';
  readonly resource: string;
  readonly externalId: string;
  readonly code: string;
  readonly detail: unknown;
}

/**
 * The agent's state for one pairing (a local store and a platform), in `platform.sync_agent_*`.
 * Every method takes the transaction it is part of: the checkpoint moves in the transaction
 * that applies what it moves past, so after a crash the two never disagree.
 */
export class AgentState {
  constructor(
    readonly storeId: string,
    readonly platformUrl: string,
  ) {}

  /** The checkpoints, creating the pairing's row on first use. */
  async checkpoints(manager: EntityManager): Promise<Checkpoints> {
    await manager.query(
      `INSERT INTO platform.sync_agent_state (store_id, platform_url) VALUES ($1, $2)
       ON CONFLICT DO NOTHING`,
      [this.storeId, this.platformUrl],
    );
    const [row]: {
      push_cursor: string | null;
      push_pending_until: string | null;
      pull_cursor: string | null;
    }[] = await manager.query(
      `SELECT push_cursor, push_pending_until, pull_cursor FROM platform.sync_agent_state
        WHERE store_id = $1 AND platform_url = $2`,
      [this.storeId, this.platformUrl],
    );
    return {
      push: row.push_cursor,
      pushPendingUntil: row.push_pending_until,
      pull: row.pull_cursor,
    };
  }

  /** Moves the push checkpoint; what was pending up to there is done. */
  async savePushCursor(manager: EntityManager, cursor: string | null): Promise<void> {
    await manager.query(
      `UPDATE platform.sync_agent_state
          SET push_cursor = $3, push_pending_until = NULL, updated_at = now()
        WHERE store_id = $1 AND platform_url = $2`,
      [this.storeId, this.platformUrl, cursor],
    );
  }

  async savePushPending(manager: EntityManager, until: string): Promise<void> {
    await manager.query(
      `UPDATE platform.sync_agent_state SET push_pending_until = $3, updated_at = now()
        WHERE store_id = $1 AND platform_url = $2`,
      [this.storeId, this.platformUrl, until],
    );
  }

  async savePullCursor(manager: EntityManager, cursor: string | null): Promise<void> {
    await manager.query(
      `UPDATE platform.sync_agent_state SET pull_cursor = $3, updated_at = now()
        WHERE store_id = $1 AND platform_url = $2`,
      [this.storeId, this.platformUrl, cursor],
    );
  }

  /** The platform versions last seen, keyed `resource:externalId`. */
  async versions(
    manager: EntityManager,
    keys: readonly { resource: PushableResource; externalId: string }[],
  ): Promise<Map<string, number | null>> {
    if (keys.length === 0) return new Map();
    const rows: { resource: string; external_id: string; version: number | null }[] =
      await manager.query(
        `SELECT v.resource, v.external_id, v.version
           FROM platform.sync_agent_versions v
           JOIN unnest($3::text[], $4::text[]) AS k (resource, external_id)
             ON k.resource = v.resource AND k.external_id = v.external_id
          WHERE v.store_id = $1 AND v.platform_url = $2`,
        [
          this.storeId,
          this.platformUrl,
          keys.map((key) => key.resource),
          keys.map((key) => key.externalId),
        ],
      );
    return new Map(rows.map((row) => [`${row.resource}:${row.external_id}`, row.version]));
  }

  /** Records what the platform answered; a resource it no longer has (deleted) is forgotten. */
  async recordVersions(manager: EntityManager, seen: readonly SeenVersion[]): Promise<void> {
    const kept = seen.filter((item) => item.platformId !== null);
    const gone = seen.filter((item) => item.platformId === null);
    if (kept.length > 0)
      await manager.query(
        `INSERT INTO platform.sync_agent_versions
           (store_id, platform_url, resource, external_id, platform_id, version)
         SELECT $1, $2, k.resource, k.external_id, k.platform_id, k.version
           FROM unnest($3::text[], $4::text[], $5::text[], $6::int[])
             AS k (resource, external_id, platform_id, version)
         ON CONFLICT (store_id, platform_url, resource, external_id)
           DO UPDATE SET platform_id = excluded.platform_id, version = excluded.version`,
        [
          this.storeId,
          this.platformUrl,
          kept.map((item) => item.resource),
          kept.map((item) => item.externalId),
          kept.map((item) => item.platformId),
          kept.map((item) => item.version),
        ],
      );
    if (gone.length > 0)
      await manager.query(
        `DELETE FROM platform.sync_agent_versions v
          USING unnest($3::text[], $4::text[]) AS k (resource, external_id)
          WHERE v.store_id = $1 AND v.platform_url = $2
            AND v.resource = k.resource AND v.external_id = k.external_id`,
        [
          this.storeId,
          this.platformUrl,
          gone.map((item) => item.resource),
          gone.map((item) => item.externalId),
        ],
      );
  }

  /** The local id of a resource the platform knows as `platformId`, if this agent pushed it. */
  async localIdOf(
    manager: EntityManager,
    resource: PushableResource,
    platformId: string,
  ): Promise<string | undefined> {
    const rows: { external_id: string }[] = await manager.query(
      `SELECT external_id FROM platform.sync_agent_versions
        WHERE store_id = $1 AND platform_url = $2 AND platform_id = $3 AND resource = $4`,
      [this.storeId, this.platformUrl, platformId, resource],
    );
    return rows[0]?.external_id;
  }

  /** Sets aside changes that cannot be applied, where a person can find them. */
  async recordFailures(manager: EntityManager, failures: readonly Failure[]): Promise<void> {
    if (failures.length === 0) return;
    await manager.query(
      `INSERT INTO platform.sync_agent_failures
         (store_id, platform_url, direction, resource, external_id, code, detail)
       SELECT $1, $2, f.direction, f.resource, f.external_id, f.code, f.detail
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
           AS f (direction, resource, external_id, code, detail)`,
      [
        this.storeId,
        this.platformUrl,
        failures.map((failure) => failure.direction),
        failures.map((failure) => failure.resource),
        failures.map((failure) => failure.externalId),
        failures.map((failure) => failure.code),
        failures.map((failure) => JSON.stringify(failure.detail ?? null)),
      ],
    );
  }
}
