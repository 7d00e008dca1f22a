import { Type } from '@nestjs/common';
import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { encodeCursor, Page } from '../../common/pagination';
import { DateTime } from '../scalars';

/** The fields every versioned resource has, as REST writes them. */
@ObjectType({ isAbstract: true })
export abstract class VersionedNode {
  @Field(() => ID)
  id: string;

  @Field(() => Int, { description: 'Pass as expectedVersion to change only this version' })
  version: number;

  @Field(() => DateTime)
  createdAt: string;

  @Field(() => DateTime)
  updatedAt: string;
}

/** An expected failure of a mutation: the same path and code as REST's `errors[]`. */
@ObjectType()
export class UserError {
  @Field(() => String, {
    nullable: true,
    description: 'Dotted path of the input field (`variants.0.price`); null for the whole input',
  })
  field: string | null;

  @Field({ description: 'Stable snake_case code, as in REST problems' })
  code: string;

  @Field()
  message: string;
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
}

/** A Relay connection type (`edges { cursor node }`, `nodes`, `pageInfo`) for a node type. */
export function ConnectionType<T>(node: Type<T>): Type<Connection<T>> {
  @ObjectType(`${node.name}Edge`)
  class Edge {
    @Field({ description: 'Pass as `after` to continue after this node' })
    cursor: string;

    @Field(() => node)
    node: T;
  }

  @ObjectType(`${node.name}Connection`, { isAbstract: false })
  class ConnectionClass {
    @Field(() => [Edge])
    edges: Edge[];

    @Field(() => [node], { description: 'The nodes of `edges`, for clients that need no cursors' })
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;
  }
  return ConnectionClass;
}

/**
 * A service page as a connection. Lists are keyset-paginated by id, so a node's cursor is the
 * same opaque cursor REST's `nextCursor` would be after it.
 */
export function toConnection<T extends { id: string }>(page: Page<T>): Connection<T> {
  const edges = page.data.map((node) => ({ cursor: encodeCursor([node.id]), node }));
  return {
    edges,
    nodes: page.data,
    pageInfo: {
      hasNextPage: page.nextCursor !== null,
      endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null,
    },
  };
}
