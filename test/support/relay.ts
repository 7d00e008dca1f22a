import { createServer, Server, Socket } from 'node:net';

/**
 * A TCP relay to a real service (PostgreSQL, Redis) that a test can cut and restore on the same
 * port, to make the service vanish and come back without touching it.
 */
export class Relay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  /** `target`'s port, or `defaultPort` when the URL names none. */
  constructor(
    private readonly target: URL,
    private readonly defaultPort: number,
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(Number(this.target.port || this.defaultPort), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The target's URL, pointed at the relay instead. */
  url(original: string): string {
    const via = new URL(original);
    via.hostname = '127.0.0.1';
    via.port = String(this.port);
    return via.toString();
  }
}
