import { DynamicModule, Module } from '@nestjs/common';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM takes entity classes as `Function`
type EntityClass = Function;

const registered = new Set<EntityClass>();

/**
 * Each module declares the tables it owns, as `TypeOrmModule.forFeature` does with
 * `autoLoadEntities`: `imports: [DatabaseModule.forFeature([ProductEntity, …])]`. The entities are
 * registered when the module's file is loaded, which is before the data source is created (the
 * application, the CLI and `npm run migrate` load every module first), so the database layer
 * names no feature's entity.
 */
@Module({})
export class DatabaseModule {
  static forFeature(entities: readonly EntityClass[]): DynamicModule {
    for (const entity of entities) registered.add(entity);
    return { module: DatabaseModule };
  }
}

/** Every entity a loaded module declared, for the data source. */
export function registeredEntities(): EntityClass[] {
  return [...registered];
}
