import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PageCookies } from '../../web/page-cookies';
import { StorefrontSigner } from './storefront-signer';

/** One line of a cart: what the buyer picked; prices and stock are read when it is shown. */
export interface CartLine {
  readonly productId: string;
  readonly variantId: string;
  readonly quantity: number;
}

const CART_COOKIE = 'dk_cart';
/** A cart is kept for a month of inactivity. */
const CART_SECONDS = 30 * 24 * 60 * 60;
export const MAX_CART_LINES = 20;
export const MAX_LINE_QUANTITY = 100;

const PRODUCT_ID = /^prod_[0-9a-z]{26}$/;
const VARIANT_ID = /^var_[0-9a-z]{26}$/;

function isLine(value: unknown): value is [string, string, number] {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    PRODUCT_ID.test(value[0]) &&
    typeof value[1] === 'string' &&
    VARIANT_ID.test(value[1]) &&
    Number.isInteger(value[2]) &&
    value[2] >= 1 &&
    value[2] <= MAX_LINE_QUANTITY
  );
}

/**
 * The cart lives in a signed cookie (HMAC, StorefrontSigner): no table to write on every click
 * and nothing to clean up, it survives restarts and works on every instance, and a buyer cannot
 * forge one for another store. It holds ids and quantities only, a few hundred bytes.
 */
@Injectable()
export class CartCookie {
  constructor(
    private readonly signer: StorefrontSigner,
    private readonly cookies: PageCookies,
  ) {}

  /** The cart the request carries; an unsigned, foreign or malformed cookie is an empty cart. */
  read(request: FastifyRequest, storeId: string): CartLine[] {
    const cookie = request.cookies[CART_COOKIE];
    if (!cookie) return [];
    const [payload, signature] = cookie.split('.');
    if (!payload || !this.signer.verify('cart', storeId, payload, signature)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return [];
    }
    if (!Array.isArray(parsed) || !parsed.every(isLine)) return [];
    return parsed
      .slice(0, MAX_CART_LINES)
      .map(([productId, variantId, quantity]) => ({ productId, variantId, quantity }));
  }

  write(reply: FastifyReply, storeId: string, lines: readonly CartLine[]): void {
    if (lines.length === 0) {
      void reply.clearCookie(CART_COOKIE, this.cookies.options('/'));
      return;
    }
    const payload = Buffer.from(
      JSON.stringify(lines.map((line) => [line.productId, line.variantId, line.quantity])),
    ).toString('base64url');
    void reply.setCookie(
      CART_COOKIE,
      `${payload}.${this.signer.sign('cart', storeId, payload)}`,
      this.cookies.options('/', CART_SECONDS),
    );
  }
}

/** The cart with `quantity` more of a variant (capped), as a new line if it is not there yet. */
export function addToCart(lines: readonly CartLine[], added: CartLine): CartLine[] {
  const existing = lines.find((line) => line.variantId === added.variantId);
  if (!existing) return [...lines, added].slice(-MAX_CART_LINES);
  return lines.map((line) =>
    line === existing
      ? { ...line, quantity: Math.min(MAX_LINE_QUANTITY, line.quantity + added.quantity) }
      : line,
  );
}

/** The cart with a variant's quantity set; 0 removes the line. */
export function setQuantity(
  lines: readonly CartLine[],
  variantId: string,
  quantity: number,
): CartLine[] {
  return lines.flatMap((line) =>
    line.variantId !== variantId ? [line] : quantity === 0 ? [] : [{ ...line, quantity }],
  );
}

export function itemCount(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.quantity, 0);
}
