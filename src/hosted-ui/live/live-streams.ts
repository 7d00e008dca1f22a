import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventEnvelope } from '../../events/event-envelope';
import { LiveEvents } from '../../events/live-events';

/** An element of the open page to put in place (by its id) or first in a list (`target`). */
export interface LiveUpdate {
  readonly swap: 'replace' | 'prepend';
  /** For `prepend`: the id of the list. */
  readonly target?: string;
  readonly html: string;
}

/**
 * What one committed event changes on a page: none, one or several elements. It reads what it
 * needs from the event itself (its data is the resource as REST shows it), so a live page costs
 * no query per event, and it leaves out what the viewer may not see.
 */
export type LiveView = (event: EventEnvelope<object>) => readonly LiveUpdate[];

/** How often an idle stream says it is alive, so proxies and browsers keep it open. */
const KEEP_ALIVE_MS = 15_000;

/** A position in a store's log, as the page or EventSource's Last-Event-ID sends it back. */
function positionOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Server-sent events for live pages (live.js): the store's committed events from the position
 * the page was rendered at (or its last event after a reconnection), through the one live-events
 * service that GraphQL subscriptions read, each turned into HTML by the page's view. Each
 * message's id is the event's position, so a page that reconnects catches up from there.
 */
@Injectable()
export class LiveStreams {
  constructor(private readonly live: LiveEvents) {}

  /** The store's position now: rendered into a live page before its data is read. */
  position(storeId: string): Promise<number> {
    return this.live.position(storeId);
  }

  async open(
    request: FastifyRequest,
    reply: FastifyReply,
    storeId: string,
    view: LiveView,
  ): Promise<void> {
    const query = request.query as Record<string, unknown>;
    const after = positionOf(query.after) ?? positionOf(request.headers['last-event-id']);
    const closing = new AbortController();
    request.raw.once('close', () => closing.abort());
    const events = await this.live.subscribe(storeId, {
      afterSequence: after,
      signal: closing.signal,
    });
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    stream.write('retry: 1000\n\n');
    const keepAlive = setInterval(() => stream.write(': alive\n\n'), KEEP_ALIVE_MS).unref();
    try {
      for await (const item of events) {
        const updates = view(item.event);
        // An event the page does not show still moves its position, so a reconnection skips it.
        stream.write(
          updates.length === 0
            ? `id: ${item.sequence}\n\n`
            : `id: ${item.sequence}\nevent: swap\ndata: ${JSON.stringify(updates)}\n\n`,
        );
      }
    } finally {
      clearInterval(keepAlive);
      stream.end();
    }
  }
}
