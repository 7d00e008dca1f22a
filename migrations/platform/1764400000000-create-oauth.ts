import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OAuth 2.0: apps (clients), their installations on stores, authorization codes, tokens, and the
 * staff sessions of the sign-in page. Every secret (client secret, code, token, session) is kept
 * only as its SHA-256 hash: they are 256-bit random strings, so a fast hash is enough.
 */
export class CreateOauth1764400000000 implements MigrationInterface {
  name = 'CreateOauth1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE platform.apps (
        id text PRIMARY KEY,
        client_id text NOT NULL UNIQUE,
        name text NOT NULL,
        redirect_uris text[] NOT NULL,
        scopes text[] NOT NULL,
        confidential boolean NOT NULL,
        client_secret_hash bytea UNIQUE,
        store_id text REFERENCES platform.stores (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CHECK (confidential = (client_secret_hash IS NOT NULL)),
        CHECK (store_id IS NULL OR confidential)
      )`);
    await runner.query(`
      CREATE TABLE platform.installations (
        id text PRIMARY KEY,
        app_id text NOT NULL REFERENCES platform.apps (id) ON DELETE CASCADE,
        store_id text NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
        scopes text[] NOT NULL,
        installed_by text REFERENCES platform.staff (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        uninstalled_at timestamptz
      )`);
    await runner.query(`
      CREATE UNIQUE INDEX installations_active ON platform.installations (app_id, store_id)
       WHERE uninstalled_at IS NULL`);
    await runner.query(
      'CREATE INDEX installations_store_id ON platform.installations (store_id, id)',
    );
    await runner.query(`
      CREATE TABLE platform.oauth_codes (
        code_hash bytea PRIMARY KEY,
        app_id text NOT NULL REFERENCES platform.apps (id) ON DELETE CASCADE,
        installation_id text NOT NULL REFERENCES platform.installations (id) ON DELETE CASCADE,
        store_id text NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
        staff_id text NOT NULL,
        scopes text[] NOT NULL,
        redirect_uri text NOT NULL,
        code_challenge text,
        code_challenge_method text CHECK (code_challenge_method = 'S256'),
        grant_id text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await runner.query(`
      CREATE TABLE platform.oauth_tokens (
        id text PRIMARY KEY,
        token_hash bytea NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('access', 'refresh')),
        grant_id text NOT NULL,
        app_id text NOT NULL REFERENCES platform.apps (id) ON DELETE CASCADE,
        store_id text NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
        installation_id text REFERENCES platform.installations (id) ON DELETE CASCADE,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        rotated_at timestamptz,
        revoked_at timestamptz
      )`);
    await runner.query('CREATE INDEX oauth_tokens_grant_id ON platform.oauth_tokens (grant_id)');
    await runner.query(
      'CREATE INDEX oauth_tokens_installation_id ON platform.oauth_tokens (installation_id)',
    );
    await runner.query(
      'CREATE INDEX oauth_tokens_expires_at ON platform.oauth_tokens (expires_at)',
    );
    await runner.query(`
      CREATE TABLE platform.staff_sessions (
        session_hash bytea PRIMARY KEY,
        email text NOT NULL,
        staff_ids text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    // An access token is valid while it is neither revoked nor expired, and its app, its
    // installation (none for client_credentials) and its store are all still in place. Every
    // request runs it, so it is PL/pgSQL: its plan is kept per connection, where a SQL function
    // doing EXISTS over four tables would be planned again on each call (0.12 ms of planning).
    await runner.query(`
      CREATE FUNCTION platform.oauth_token_active(token_id text) RETURNS boolean
      LANGUAGE plpgsql STABLE AS $$
      BEGIN
        RETURN EXISTS (
          SELECT 1
            FROM platform.oauth_tokens t
            JOIN platform.apps a ON a.id = t.app_id
            JOIN platform.stores s ON s.id = t.store_id
            LEFT JOIN platform.installations i ON i.id = t.installation_id
           WHERE t.id = token_id AND t.kind = 'access' AND t.revoked_at IS NULL
             AND t.expires_at > now() AND a.deleted_at IS NULL AND s.status = 'active'
             AND (t.installation_id IS NULL OR i.uninstalled_at IS NULL));
      END
      $$`);
    // One check for any credential id, so a request and a subscription re-check alike.
    await runner.query(`
      CREATE FUNCTION platform.credential_active(credential_id text) RETURNS boolean
      LANGUAGE sql STABLE AS $$
        SELECT CASE
          WHEN credential_id LIKE 'key\\_%' THEN platform.api_key_active(credential_id)
          WHEN credential_id LIKE 'tok\\_%' THEN platform.oauth_token_active(credential_id)
          ELSE false
        END
      $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP FUNCTION platform.credential_active(text)');
    await runner.query('DROP FUNCTION platform.oauth_token_active(text)');
    await runner.query(
      'DROP TABLE platform.staff_sessions, platform.oauth_tokens, platform.oauth_codes, platform.installations, platform.apps',
    );
  }
}
