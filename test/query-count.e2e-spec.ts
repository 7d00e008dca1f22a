import { SCOPES } from '../src/common/scopes';
import { startTestApp, TestApp } from './support/test-app';

/** A page costs a fixed number of statements, whatever its size: no query per row (no N+1). */
describe('statements per list page', () => {
  let app: TestApp;
  let key: string;
  beforeAll(async () => {
    app = await startTestApp();
    ({ key } = await app.createStore([...SCOPES]));
    for (let i = 0; i < 50; i++) {
      const product = await app.request('POST', '/v1/products', {
        token: key,
        body: {
          title: `P${i}`,
          variants: [1, 2, 3].map((v) => ({
            sku: `P${i}-${v}`,
            price: 100 * v,
            inventoryQuantity: 10,
          })),
        },
      });
      const customer = await app.request('POST', '/v1/customers', {
        token: key,
        body: { email: `q${i}@example.com` },
      });
      await app.request('POST', '/v1/orders', {
        token: key,
        body: {
          customerId: customer.body.id,
          email: `q${i}@example.com`,
          lineItems: product.body.variants.map((v: { id: string }) => ({
            variantId: v.id,
            quantity: 1,
          })),
        },
      });
    }
    await app.request('GET', '/v1/products', { token: key }); // caches the key
  });
  afterAll(() => app.close());

  async function statementsFor(path: string): Promise<string[]> {
    app.sql.statements.length = 0;
    const response = await app.request('GET', path, { token: key });
    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(50);
    return app.sql.statements.filter((sql) => !sql.includes('last_used_at'));
  }

  it('lists 50 products with their 150 variants in four statements', async () => {
    const statements = await statementsFor('/v1/products?limit=50');
    // BEGIN + schema + key check, the products, their variants, COMMIT.
    expect(statements).toHaveLength(4);
  });

  it('lists 50 orders with their 150 line items in four statements', async () => {
    expect(await statementsFor('/v1/orders?limit=50')).toHaveLength(4);
  });

  it('lists 50 events in three statements', async () => {
    expect(await statementsFor('/v1/events?limit=50')).toHaveLength(3);
  });

  async function graphqlStatements(query: string): Promise<string[]> {
    app.sql.statements.length = 0;
    const response = await app.request('POST', '/graphql', { token: key, body: { query } });
    expect(response.body.errors).toBeUndefined();
    return app.sql.statements.filter((sql) => !sql.includes('last_used_at'));
  }

  it('answers GraphQL for 50 products with their variants in four statements', async () => {
    const statements = await graphqlStatements(
      '{ products(first: 50) { nodes { id variants { sku price } } pageInfo { hasNextPage } } }',
    );
    expect(statements).toHaveLength(4);
  });

  it("answers GraphQL for 50 orders with line items and each order's customer in seven", async () => {
    const statements = await graphqlStatements(
      '{ orders(first: 50) { nodes { number lineItems { sku } customer { email } } } }',
    );
    // The orders page (4), then one batch for the 50 customers (BEGIN, SELECT, COMMIT).
    expect(statements).toHaveLength(7);
    expect(statements.filter((sql) => /FROM "customers"/.test(sql))).toHaveLength(1);
  });
});
