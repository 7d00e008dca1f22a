import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';

/** What a signature is for: a cart cookie never passes for an order's receipt, nor back. */
export type SignedPurpose = 'cart' | 'order-receipt';

/**
 * Signs what the storefront hands a buyer to bring back (the cart cookie, the receipt link of an
 * order), with a key derived from the app's encryption key: it survives restarts, is the same on
 * every instance, and is never the encryption key itself. Each signature names its purpose and
 * store, so nothing signed for one store or one use is accepted by another.
 */
@Injectable()
export class StorefrontSigner {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = Buffer.from(
      hkdfSync('sha256', config.encryptionKey, Buffer.alloc(0), 'dukkadee storefront v1', 32),
    );
  }

  sign(purpose: SignedPurpose, storeId: string, text: string): string {
    return createHmac('sha256', this.key)
      .update(`${purpose}\n${storeId}\n${text}`)
      .digest('base64url');
  }

  verify(purpose: SignedPurpose, storeId: string, text: string, signature: unknown): boolean {
    if (typeof signature !== 'string') return false;
    const expected = Buffer.from(this.sign(purpose, storeId, text));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
