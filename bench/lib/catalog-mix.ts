import { encodeCursor } from '../../src/common/pagination';
import type { Conversation, ConversationRequest } from './load';
import type { Fixture } from './seed';

/** The hot set the issue names: the first 10 pages of 50, and their products. */
export const HOT_PAGES = 10;
export const PAGE_SIZE = 50;

/** The path of list page `index` (0-based), with the cursor a client following `Link` would hold. */
export function pagePath(fixture: Fixture, index: number): string {
  if (index === 0) return `/v1/products?limit=${PAGE_SIZE}`;
  const lastShown = fixture.productIds[index * PAGE_SIZE - 1];
  return `/v1/products?limit=${PAGE_SIZE}&cursor=${encodeCursor([lastShown])}`;
}

export function hotProductIds(fixture: Fixture): readonly string[] {
  const ids = fixture.productIds.slice(0, HOT_PAGES * PAGE_SIZE);
  if (ids.length < HOT_PAGES * PAGE_SIZE)
    throw new Error(`the hot set needs ${HOT_PAGES * PAGE_SIZE} seeded products`);
  return ids;
}

/** Each connection walks the first 10 pages in turn, starting where the previous one did not. */
export function pageRotation(fixture: Fixture): () => Conversation {
  hotProductIds(fixture);
  let connections = 0;
  return () => {
    let index = connections++ % HOT_PAGES;
    return {
      next: () => ({ method: 'GET', path: pagePath(fixture, index++ % HOT_PAGES) }),
      answered: () => undefined,
    };
  };
}

/** Each connection reads the products of those pages by id in turn. */
export function productRotation(fixture: Fixture): () => Conversation {
  const ids = hotProductIds(fixture);
  let connections = 0;
  return () => {
    let index = (connections++ * 37) % ids.length;
    return {
      next: () => ({ method: 'GET', path: `/v1/products/${ids[index++ % ids.length]}` }),
      answered: () => undefined,
    };
  };
}

/** What the read/write mix saw: its writes, the reads that followed one, and the stale ones. */
export interface MixTally {
  writes: number;
  readsAfterWrite: number;
  stale: number;
  firstStale?: string;
}

/**
 * 95% reads over the hot set (half list pages, half products by id), 5% PATCHes of a product of
 * those pages. After a PATCH answers version v, the same connection reads that product by id and
 * then the page that lists it: each must show version v or later (read-your-writes), else it is
 * counted stale. One request at a time per connection, so "after" is the connection's own order.
 */
export function readWriteMix(fixture: Fixture, tally: MixTally): () => Conversation {
  const ids = hotProductIds(fixture);
  let connections = 0;
  return () => {
    let state = (connections++ * 7919) % 1_000_003;
    const random = (below: number) => {
      state = (state * 48271) % 2_147_483_647;
      return state % below;
    };
    let sent = 0;
    /** The reads owed after this connection's last write, and what they must show. */
    let owed: { request: ConversationRequest; productId: string }[] = [];
    let checking: { productId: string; version: number } | undefined;
    let written: { productId: string; version: number } | undefined;
    let pending: ConversationRequest | undefined;
    return {
      next() {
        sent += 1;
        const follow = owed.shift();
        if (follow) {
          checking = written;
          return (pending = follow.request);
        }
        checking = undefined;
        const position = random(ids.length);
        const productId = ids[position];
        if (sent % 20 === 0) {
          written = { productId, version: 0 };
          return (pending = {
            method: 'PATCH',
            path: `/v1/products/${productId}`,
            body: JSON.stringify({ title: `Mixed ${sent}` }),
          });
        }
        return (pending =
          random(2) === 0
            ? { method: 'GET', path: `/v1/products/${productId}` }
            : { method: 'GET', path: pagePath(fixture, Math.floor(position / PAGE_SIZE)) });
      },
      answered(status, body) {
        if (status < 200 || status >= 300) return;
        if (pending?.method === 'PATCH' && written) {
          tally.writes += 1;
          written.version = (JSON.parse(body) as { version: number }).version;
          const position = ids.indexOf(written.productId);
          owed = [
            {
              request: { method: 'GET', path: `/v1/products/${written.productId}` },
              productId: written.productId,
            },
            {
              request: { method: 'GET', path: pagePath(fixture, Math.floor(position / PAGE_SIZE)) },
              productId: written.productId,
            },
          ];
          return;
        }
        if (!checking) return;
        tally.readsAfterWrite += 1;
        const answer = JSON.parse(body) as {
          id?: string;
          version?: number;
          data?: { id: string; version: number }[];
        };
        const read = answer.data
          ? answer.data.find((item) => item.id === checking!.productId)
          : answer;
        if (!read || (read.version ?? 0) < checking.version) {
          tally.stale += 1;
          tally.firstStale ??= `${pending?.path}: version ${read?.version} after writing ${checking.version}`;
        }
      },
    };
  };
}
