import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * A graphql-ws client of the app at `appUrl`, authenticated with `token` in `connection_init`,
 * that never retries (a test asserts what one connection does). `connectNow` opens the socket at
 * once instead of on the first subscription; `onClose` hears the close code.
 */
export function graphqlSocket(
  appUrl: string,
  token: string,
  options: { connectNow?: boolean; onClose?: (code: number) => void } = {},
): Client {
  return createClient({
    url: `${appUrl.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: !options.connectNow,
    // A refused connection (4403) is asserted through the close code, not thrown here.
    onNonLazyError: () => undefined,
    on: { closed: (event) => options.onClose?.((event as { code: number }).code) },
  });
}
