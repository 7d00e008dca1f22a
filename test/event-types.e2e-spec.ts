import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCOPES } from '../src/common/scopes';
import { EVENT_TYPES } from '../src/events/event-catalog';
import { generateEventTypes, serializeJsonContract } from '../src/app/contracts';
import { EventSchemaValidator, eventSchemaValidator } from './support/event-schemas';
import { startTestApp, TestApp } from './support/test-app';

const CHECKED_IN = join(__dirname, '..', 'openapi', 'event-types.json');

describe('event types (GET /v1/event-types)', () => {
  let app: TestApp;
  let store: { storeId: string; key: string };
  let validator: EventSchemaValidator;

  beforeAll(async () => {
    app = await startTestApp();
    store = await app.createStore([...SCOPES]);
    validator = await eventSchemaValidator(app);
  });
  afterAll(() => app?.close());

  it('is checked in exactly as the code generates it (run `npm run contracts` after changing a resource)', async () => {
    expect(serializeJsonContract(await generateEventTypes())).toBe(
      readFileSync(CHECKED_IN, 'utf8'),
    );
  });

  it('is served without a credential, the same document as the file', async () => {
    const served = await app.request('GET', '/v1/event-types', { token: null });
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(readFileSync(CHECKED_IN, 'utf8')));
  });

  it('publishes one schema per event type and API version, webhook.test included', () => {
    expect(validator.published).toEqual([
      ...EVENT_TYPES.map((type) => `${type}@v1`),
      'webhook.test@v1',
    ]);
  });

  it('gives each topic the REST resource of its payload, as the OpenAPI document has it', async () => {
    const [served, openapi] = await Promise.all([
      app.request('GET', '/v1/event-types', { token: null }),
      app.request('GET', '/v1/openapi.json', { token: null }),
    ]);
    const schemaOf = (type: string) =>
      served.body.data.find((entry: { type: string }) => entry.type === type).schema;
    for (const [type, resource] of [
      ['product.updated', 'ProductResource'],
      ['order.cancelled', 'OrderResource'],
      ['inventory.updated', 'InventoryLevelResource'],
      ['webhook.test', 'WebhookSubscriptionResource'],
    ]) {
      const schema = schemaOf(type);
      expect(schema.properties.data.properties.object).toEqual({ $ref: `#/$defs/${resource}` });
      expect(schema.$defs[resource].required).toEqual(
        openapi.body.components.schemas[resource].required,
      );
    }
    const operation = openapi.body.paths['/v1/event-types'].get;
    expect(operation.security).toBeUndefined();
    expect(operation.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/EventTypeListResource',
    });
  });

  it('validates every event the API records, and refuses an envelope that breaks its schema', async () => {
    const product = await app.request('POST', '/v1/products', {
      token: store.key,
      body: { title: 'Lamp', variants: [{ sku: 'LAMP', price: 4500, inventoryQuantity: 3 }] },
    });
    const variantId = product.body.variants[0].id;
    await app.request('PATCH', `/v1/products/${product.body.id}`, {
      token: store.key,
      body: { description: 'Warm light' },
    });
    const customer = await app.request('POST', '/v1/customers', {
      token: store.key,
      body: { email: 'lea@example.com', firstName: 'Léa' },
    });
    const order = await app.request('POST', '/v1/orders', {
      token: store.key,
      body: {
        email: 'lea@example.com',
        customerId: customer.body.id,
        lineItems: [{ variantId, quantity: 1 }],
      },
    });
    for (const action of ['pay', 'fulfill'])
      await app.request('POST', `/v1/orders/${order.body.id}/${action}`, { token: store.key });
    await app.request('POST', '/v1/inventory/adjustments', {
      token: store.key,
      body: { variantId, delta: 4, reason: 'restock' },
    });
    await app.request('DELETE', `/v1/customers/${customer.body.id}`, { token: store.key });

    const events = await app.request('GET', '/v1/events?limit=250', { token: store.key });
    const types = new Set(events.body.data.map((event: { type: string }) => event.type));
    expect([...types].sort()).toEqual(
      [
        'customer.created',
        'customer.deleted',
        'inventory.updated',
        'order.created',
        'order.fulfilled',
        'order.paid',
        'order.updated',
        'product.created',
        'product.updated',
      ].sort(),
    );
    for (const event of events.body.data) expect(validator.problems(event)).toEqual([]);

    const orderEvent = events.body.data.find(
      (event: { type: string }) => event.type === 'order.paid',
    );
    const broken = structuredClone(orderEvent);
    broken.data.object.total = '45.00';
    delete broken.data.object.lineItems;
    expect(validator.problems(broken)).toEqual([
      "order.paid: /data/object must have required property 'lineItems'",
      'order.paid: /data/object/total must be integer',
    ]);
    // The object of one type does not pass for another.
    expect(validator.problems({ ...orderEvent, type: 'product.updated' })).not.toEqual([]);
  });
});
