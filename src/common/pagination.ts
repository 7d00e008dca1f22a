import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DomainError } from './errors/domain-error';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 250;

/** `?limit=&cursor=` of every list. */
export class PageQueryDto {
  // class-validator runs the decorator nearest the property first; with stopAtFirstError a
  // non-number then reads "must be an integer", not a range error.
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
  })
  @IsOptional()
  @Type(() => Number)
  @Max(MAX_PAGE_SIZE)
  @Min(1)
  @IsInt()
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** One page of a keyset-paginated list; REST adds the `Link` header for `nextCursor`. */
export class Page<T> {
  constructor(
    readonly data: T[],
    readonly nextCursor: string | null,
  ) {}

  map<U>(mapper: (item: T) => U): Page<U> {
    return new Page(this.data.map(mapper), this.nextCursor);
  }

  /**
   * Builds a page from `limit + 1` rows fetched in key order: the extra row only says whether a
   * next page exists, and the cursor is the key of the last row shown, never an offset.
   */
  static fromRows<T>(
    rows: T[],
    limit: number,
    keyOf: (row: T) => readonly (string | number)[],
  ): Page<T> {
    const hasMore = rows.length > limit;
    const data = hasMore ? rows.slice(0, limit) : rows;
    return new Page(data, hasMore ? encodeCursor(keyOf(data[data.length - 1])) : null);
  }
}

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` with the given key shape; anything else is a 400. */
export function decodeCursor<K extends readonly ('string' | 'number')[]>(
  cursor: string | undefined,
  shape: K,
): { [I in keyof K]: K[I] extends 'string' ? string : number } | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every(
      (part, index) =>
        typeof part === shape[index] && (typeof part !== 'string' || part.length <= 256),
    );
  if (!valid) {
    throw DomainError.validation([
      {
        path: 'cursor',
        code: 'invalid_cursor',
        message: 'The cursor is not one this list issued.',
      },
    ]);
  }
  return key as never;
}
