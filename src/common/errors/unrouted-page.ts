import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Answers a request that matched no route where the address is a page's, not the API's: the
 * hosted UI provides it, so a buyer who mistypes a storefront address sees the store's 404 page
 * instead of a problem JSON, while `/v1/…` and the other API paths keep their problem answers.
 * A token rather than an import keeps `common` below the feature that renders pages.
 */
export interface UnroutedPage {
  /** Whether this unmatched request is the page's to answer. */
  claims(request: FastifyRequest): boolean;
  send(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export const UNROUTED_PAGE = Symbol('UNROUTED_PAGE');
