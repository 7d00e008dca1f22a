import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { Logger } from 'pino';
import { SCOPES } from '../common/scopes';
import { openPlatformContext, PlatformContext } from '../app/application';
import type { StoreMigrationOptions } from '../database/migration-runner';
import { migrationProgress, type ProgressDisplay } from './migration-progress';
import { DomainError } from '../common/errors/domain-error';
import { RequestContext } from '../common/request-context';
import { StrictValidationPipe } from '../common/validation/validation.pipe';
import type { AppConfig } from '../config/config';
import { ApiKeysService } from '../platform/api-keys.service';
import { CreateApiKeyDto } from '../platform/dto/create-api-key.dto';
import { CreateStaffDto } from '../platform/dto/create-staff.dto';
import { CreateStoreDto } from '../platform/dto/create-store.dto';
import { UpdateStoreDto } from '../platform/dto/update-store.dto';
import {
  serializeApiKey,
  serializeCreatedApiKey,
  serializeStaff,
  serializeStore,
} from '../platform/platform.serializers';
import { StaffService } from '../platform/staff.service';
import { StoresService } from '../platform/stores.service';
import { PageQueryDto } from '../common/pagination';
import { serializeApps, serializeInstallation } from '../oauth/app.serializers';
import { AppsService } from '../oauth/apps.service';
import { CreateAppDto } from '../oauth/dto/create-app.dto';
import { InstallationsService } from '../oauth/installations.service';
import { RateLimitOverrides } from '../throttling/rate-limit-overrides.service';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Where `migrate` shows its progress: a bar on a terminal, plain lines otherwise. */
  readonly progress?: NodeJS.WriteStream;
}

type Action = (platform: PlatformContext, admin: RequestContext) => Promise<unknown>;

const pipe = new StrictValidationPipe();

/** Validates CLI input with the same DTO rules as the HTTP API. */
function validated<T>(type: new () => T, input: object): T {
  return pipe.transform(input, { type: 'body', metatype: type }) as T;
}

function pageQuery(options: { limit?: string; cursor?: string }): PageQueryDto {
  return pipe.transform(
    { limit: options.limit, cursor: options.cursor },
    { type: 'query', metatype: PageQueryDto },
  ) as PageQueryDto;
}

/**
 * The platform administration commands, over the same services as `/v1/platform/…` (no HTTP).
 * Every command prints JSON; errors print the problem and exit with status 1.
 */
export async function runCli(
  argv: readonly string[],
  config: AppConfig,
  logger: Logger,
  io: CliIo,
): Promise<number> {
  let action: Action | undefined;
  let exitCode = 0;
  const program = new Command('dukkadee')
    .description('Dukkadee platform administration')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  const stores = program.command('stores').description('stores and their schemas');
  stores
    .command('create')
    .requiredOption('--name <name>')
    .requiredOption('--handle <handle>')
    .requiredOption('--currency <code>', 'ISO 4217 code, e.g. EUR')
    .option('--hosting <hosting>', 'hosted | self_hosted', 'hosted')
    .option('--domain <domain...>', 'custom domains')
    .action((options) => {
      action = async ({ context }, admin) => {
        const input = validated(CreateStoreDto, {
          name: options.name,
          handle: options.handle,
          currency: options.currency,
          hosting: options.hosting,
          ...(options.domain ? { domains: options.domain } : {}),
        });
        return serializeStore(await context.get(StoresService).create(admin, input));
      };
    });
  stores
    .command('list')
    .option('--limit <n>', 'page size (1-250)', '50')
    .option('--cursor <cursor>')
    .action((options) => {
      action = async ({ context }, admin) => {
        return (await context.get(StoresService).list(admin, pageQuery(options))).map(
          serializeStore,
        );
      };
    });
  stores.command('get <storeId>').action((storeId: string) => {
    action = async ({ context }, admin) =>
      serializeStore(await context.get(StoresService).get(admin, storeId));
  });

  stores
    .command('set-domains <storeId> [domains...]')
    .description("replaces the store's custom domains (none given: removes them all)")
    .action((storeId: string, domains: string[]) => {
      action = async ({ context }, admin) => {
        const input = validated(UpdateStoreDto, { domains });
        return serializeStore(await context.get(StoresService).update(admin, storeId, input));
      };
    });

  const keys = program.command('api-keys').description("a store's API keys");
  keys
    .command('create <storeId>')
    .requiredOption('--name <name>')
    .requiredOption('--scopes <scopes>', `comma-separated: ${SCOPES.join(',')}`)
    .option('--mode <mode>', 'live | test', 'live')
    .action((storeId: string, options) => {
      action = async ({ context }, admin) => {
        const input = validated(CreateApiKeyDto, {
          name: options.name,
          scopes: String(options.scopes).split(',').filter(Boolean),
          mode: options.mode,
        });
        const { apiKey, key } = await context.get(ApiKeysService).create(admin, storeId, input);
        return serializeCreatedApiKey(apiKey, key);
      };
    });
  keys
    .command('list <storeId>')
    .option('--limit <n>', 'page size (1-250)', '50')
    .option('--cursor <cursor>')
    .action((storeId: string, options) => {
      action = async ({ context }, admin) =>
        (await context.get(ApiKeysService).list(admin, storeId, pageQuery(options))).map(
          serializeApiKey,
        );
    });
  keys.command('revoke <storeId> <keyId>').action((storeId: string, keyId: string) => {
    action = async ({ context }, admin) => {
      await context.get(ApiKeysService).revoke(admin, storeId, keyId);
      return { revoked: keyId };
    };
  });

  const apps = program.command('apps').description('OAuth apps');
  apps
    .command('create')
    .requiredOption('--name <name>')
    .requiredOption('--redirect-uris <uris>', 'comma-separated, matched exactly')
    .requiredOption('--scopes <scopes>', `comma-separated: ${SCOPES.join(',')}`)
    .option('--public', 'a public app (mobile, single-page) that uses PKCE and holds no secret')
    .option('--store <storeId>', 'a single-store app, which may use client_credentials')
    .action((options) => {
      action = async ({ context }, admin) => {
        const input = validated(CreateAppDto, {
          name: options.name,
          redirectUris: String(options.redirectUris).split(',').filter(Boolean),
          scopes: String(options.scopes).split(',').filter(Boolean),
          confidential: !options.public,
          storeId: options.store,
        });
        const { app, clientSecret } = await context.get(AppsService).create(admin, input);
        const [resource] = await serializeApps(admin, context.get(RateLimitOverrides), [app]);
        return { ...resource, ...(clientSecret ? { clientSecret } : {}) };
      };
    });
  apps
    .command('list')
    .option('--limit <n>', 'page size (1-250)', '50')
    .option('--cursor <cursor>')
    .action((options) => {
      action = async ({ context }, admin) => {
        const page = await context.get(AppsService).list(admin, pageQuery(options));
        const data = await serializeApps(admin, context.get(RateLimitOverrides), page.data);
        return { data, nextCursor: page.nextCursor };
      };
    });
  apps.command('delete <appId>').action((appId: string) => {
    action = async ({ context }, admin) => {
      await context.get(AppsService).delete(admin, appId);
      return { deleted: appId };
    };
  });

  const installations = program
    .command('installations')
    .description('the apps installed on a store');
  installations
    .command('list <storeId>')
    .option('--limit <n>', 'page size (1-250)', '50')
    .option('--cursor <cursor>')
    .action((storeId: string, options) => {
      action = async ({ context }, admin) =>
        (await context.get(InstallationsService).list(admin, storeId, pageQuery(options))).map(
          serializeInstallation,
        );
    });
  installations
    .command('uninstall <storeId> <installationId>')
    .action((storeId: string, installationId: string) => {
      action = async ({ context }, admin) => {
        await context.get(InstallationsService).uninstall(admin, storeId, installationId);
        return { uninstalled: installationId };
      };
    });

  program
    .command('staff')
    .description("a store's staff accounts")
    .command('create <storeId>')
    .requiredOption('--email <email>')
    .option(
      '--password <password>',
      'or set DUKKADEE_STAFF_PASSWORD to keep it out of shell history',
    )
    .option('--role <role>', 'owner | staff', 'staff')
    .action((storeId: string, options) => {
      action = async ({ context }, admin) => {
        const password = options.password ?? process.env.DUKKADEE_STAFF_PASSWORD;
        const input = validated(CreateStaffDto, {
          email: options.email,
          password,
          role: options.role,
        });
        return serializeStaff(await context.get(StaffService).create(admin, storeId, input));
      };
    });

  let storeMigrations: StoreMigrationOptions | undefined;
  let progress: ProgressDisplay | undefined;
  program
    .command('migrate')
    .description(
      'apply platform migrations and migrate every store schema (resumable: run it again after an interruption)',
    )
    .option(
      '--concurrency <n>',
      'store schemas migrated at once, one connection each',
      positiveCount,
      4,
    )
    .option('--attempts <n>', 'tries per store before it is reported as failed', positiveCount, 3)
    .action(({ concurrency, attempts }: { concurrency: number; attempts: number }) => {
      progress = io.progress ? migrationProgress(io.progress) : undefined;
      storeMigrations = {
        concurrency,
        attempts,
        onProgress: (step) => progress?.update(step),
      };
      action = async ({ migrated }) => {
        // A store left behind makes the command fail, so a deploy script stops there.
        if (migrated.failed.length > 0) exitCode = 1;
        return { migrated: true, stores: migrated };
      };
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  if (!action) return 0;
  let platform: PlatformContext | undefined;
  try {
    platform = await openPlatformContext(config, logger, { storeMigrations });
    progress?.stop();
    const result = await action(
      platform,
      new RequestContext('cli', null, { type: 'platform_admin', id: 'cli' }, [
        'platform_admin' as never,
      ]),
    );
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return exitCode;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    io.err(`${error.code}: ${error.message}\n`);
    for (const field of error.details.errors ?? [])
      io.err(`  ${field.path || '(body)'}: ${field.message}\n`);
    return 1;
  } finally {
    await platform?.close();
  }
}

/** A whole number of at least 1, for an option (commander reports the refusal and exits). */
function positiveCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1)
    throw new InvalidArgumentError('Not a whole number of at least 1.');
  return count;
}
