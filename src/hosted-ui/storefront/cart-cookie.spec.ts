import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/config';
import { PageCookies } from '../../web/page-cookies';
import { addToCart, CartCookie, type CartLine, setQuantity } from './cart-cookie';
import { StorefrontSigner } from './storefront-signer';

const STORE = 'store_01jw3e5m8c4t9h2k7q6r0v1x2y';
const LINE: CartLine = {
  productId: 'prod_01jw3e5m8c4t9h2k7q6r0v1x2y',
  variantId: 'var_01jw3e5m8c4t9h2k7q6r0v1x2y',
  quantity: 2,
};

/** A cart cookie service as one process builds it from its configuration. */
function startProcess(encryptionKey: Buffer): CartCookie {
  const config = { encryptionKey, publicUrl: 'http://localhost:3000' } as AppConfig;
  return new CartCookie(new StorefrontSigner(config), new PageCookies(config));
}

/** The cookie value a reply would set. */
function written(cart: CartCookie, lines: CartLine[], storeId = STORE): string {
  let value = '';
  const reply = {
    setCookie: (_name: string, set: string) => {
      value = set;
      return reply;
    },
  };
  cart.write(reply as unknown as FastifyReply, storeId, lines);
  return value;
}

function carrying(cookie: string): FastifyRequest {
  return { cookies: { dk_cart: cookie } } as unknown as FastifyRequest;
}

describe('CartCookie', () => {
  const key = randomBytes(32);

  it('reads back the cart in the next process with the same encryption key (a restart)', () => {
    const cookie = written(startProcess(key), [LINE]);
    expect(startProcess(key).read(carrying(cookie), STORE)).toEqual([LINE]);
  });

  it('refuses a cart that was altered, signed for another store or with another key', () => {
    const cart = startProcess(key);
    const cookie = written(cart, [LINE]);
    const [, signature] = cookie.split('.');
    const forged = Buffer.from(JSON.stringify([[LINE.productId, LINE.variantId, 99]])).toString(
      'base64url',
    );
    expect(cart.read(carrying(`${forged}.${signature}`), STORE)).toEqual([]);
    expect(cart.read(carrying(cookie), 'store_01jw3e5m8c4t9h2k7q6r0v1x2z')).toEqual([]);
    expect(startProcess(randomBytes(32)).read(carrying(cookie), STORE)).toEqual([]);
    expect(cart.read(carrying('garbage'), STORE)).toEqual([]);
  });

  it('adds to a line, sets its quantity, and removes it at 0', () => {
    const twice = addToCart([LINE], { ...LINE, quantity: 3 });
    expect(twice).toEqual([{ ...LINE, quantity: 5 }]);
    expect(addToCart([LINE], { ...LINE, quantity: 1000 })[0].quantity).toBe(100);
    expect(setQuantity(twice, LINE.variantId, 1)).toEqual([{ ...LINE, quantity: 1 }]);
    expect(setQuantity(twice, LINE.variantId, 0)).toEqual([]);
  });
});
