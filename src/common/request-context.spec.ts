import { RequestContext } from './request-context';

describe('RequestContext', () => {
  it('survives a JSON round trip, as a job rebuilding it would', () => {
    const context = new RequestContext('req_1', 'store_01', { type: 'api_key', id: 'key_1' }, [
      'read_products',
      'write_orders',
    ]);
    const rebuilt = RequestContext.fromJSON(JSON.parse(JSON.stringify(context)));
    expect(rebuilt.toJSON()).toEqual(context.toJSON());
    expect(rebuilt.hasScope('write_orders')).toBe(true);
    expect(rebuilt.hasScope('read_orders')).toBe(false);
  });

  it('is immutable', () => {
    const context = RequestContext.system('store_01', 'req_2');
    expect(() => {
      (context as { storeId: string | null }).storeId = 'store_02';
    }).toThrow(TypeError);
  });

  it('refuses store work without a store', () => {
    expect(() => RequestContext.system(null, 'req_3').requireStore()).toThrow(
      /does not act for a store/,
    );
  });
});
