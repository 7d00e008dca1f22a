import { newId } from '../src/common/ids';
import { RequestContext } from '../src/common/request-context';
import { SCOPES } from '../src/common/scopes';
import { Transactional, TransactionalConnection } from '../src/database/transactional-connection';
import { startTestApp, TestApp } from './support/test-app';

/** A service with the real connection and decorator, whose method can be held open at will. */
class TransactionProbe {
  constructor(readonly connection: TransactionalConnection) {}

  /** The id of the transaction the call ran in, read after `hold` settles. */
  @Transactional()
  async transactionId(ctx: RequestContext, hold: () => Promise<unknown>): Promise<string> {
    await hold();
    const [{ id }] = await this.connection.manager(ctx).query('SELECT txid_current()::text AS id');
    return id;
  }

  /** Its own transaction's id, and those of two nested calls, which must join it. */
  @Transactional()
  async nested(ctx: RequestContext): Promise<string[]> {
    const own = await this.transactionId(ctx, async () => undefined);
    const [first, second] = await Promise.all([
      this.transactionId(ctx, async () => undefined),
      this.transactionId(ctx, async () => undefined),
    ]);
    return [own, first, second];
  }
}

describe('a transaction joins only its own call tree', () => {
  let app: TestApp;
  let probe: TransactionProbe;
  let storeId: string;
  beforeAll(async () => {
    app = await startTestApp();
    ({ storeId } = await app.createStore([...SCOPES]));
    probe = new TransactionProbe(app.running.app.get(TransactionalConnection));
  });
  afterAll(() => app.close());

  const context = () => RequestContext.system(storeId, newId('req'), SCOPES);

  it('two concurrent calls sharing one context run in two transactions, not the first one’s after it committed', async () => {
    const ctx = context(); // one context for both, as parallel GraphQL root fields have
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (release = resolve));

    const first = probe.transactionId(ctx, async () => {
      started();
      await firstMayCommit;
    });
    await firstStarted; // the first call's transaction is open now
    // The second starts while the first is open, and reads only after the first has committed.
    const second = probe.transactionId(ctx, () => first);
    release();

    const [firstId, secondId] = await Promise.all([first, second]);
    expect(secondId).not.toBe(firstId);
  });

  it('calls made inside a transaction join it, concurrent ones included', async () => {
    const [own, first, second] = await probe.nested(context());
    expect(first).toBe(own);
    expect(second).toBe(own);
  });

  it('the context a transaction is bound to is a copy with the same request', async () => {
    const ctx = context();
    const connection = app.running.app.get(TransactionalConnection);
    const bound = await connection.run(ctx, async (_manager, bound) => bound);
    expect(bound).not.toBe(ctx);
    expect(bound).toBeInstanceOf(RequestContext);
    expect(bound.toJSON()).toEqual(ctx.toJSON());
    expect(Object.isFrozen(bound)).toBe(true);
  });
});
