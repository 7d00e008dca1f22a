import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly at: number;
}

type Responder = (request: ReceivedWebhook, response: ServerResponse) => void;

/**
 * A real HTTP server standing in for partners' endpoints: each path answers as its responder
 * says (200 by default) and every request is kept, to be awaited by tests.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly responders = new Map<string, Responder>();
  private readonly waiters = new Set<() => void>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}`);
    server.on('request', (request, response) => receiver.handle(request, response));
    return receiver;
  }

  /** How `path` answers from now on. */
  respond(path: string, responder: Responder): void {
    this.responders.set(path, responder);
  }

  status(path: string, status: number, headers: Record<string, string> = {}): void {
    this.respond(path, (_request, response) => response.writeHead(status, headers).end('{}'));
  }

  /** Never answers (until the receiver closes). */
  hang(path: string): void {
    this.respond(path, (_request, response) => void this.hanging.add(response));
  }

  on(path: string): ReceivedWebhook[] {
    return this.received.filter((request) => request.path === path);
  }

  /** Resolves once `predicate` holds over what was received, or fails after `timeoutMs`. */
  async waitFor(
    predicate: (received: ReceivedWebhook[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out; received ${this.received.length} webhooks`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedWebhook = {
        path: request.url ?? '/',
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
        ),
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      this.received.push(received);
      const responder = this.responders.get(received.path);
      if (responder) responder(received, response);
      else response.writeHead(200).end('ok');
      for (const wake of this.waiters) wake();
      this.waiters.clear();
    });
  }
}
