import type { Type } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';

/**
 * @nestjs/passport's `PassportStrategy` mixin registers each strategy with a Passport instance as
 * it is constructed, passport's global one unless `getPassportInstance()` says otherwise. Our
 * strategies answer this one, which is never asked to authenticate, and register with their
 * application's Authenticator, which is.
 */
export const CONSTRUCTION_ONLY_PASSPORT = new passport.Passport();

/**
 * `PassportStrategy(Strategy, name)` for a credential of the platform: it registers with
 * CONSTRUCTION_ONLY_PASSPORT as Nest constructs it, and then, in the strategy's constructor
 * (`authenticator.use(name, this)`), with its own application's Authenticator. Each call makes a
 * new mixin class, so replacing its `getPassportInstance` touches no other strategy.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mixin's own constraint
export function CredentialStrategy<T extends Type<any>>(Strategy: T, name: string) {
  const Mixin = PassportStrategy(Strategy, name);
  Object.defineProperty(Mixin.prototype, 'getPassportInstance', {
    value: () => CONSTRUCTION_ONLY_PASSPORT,
  });
  return Mixin;
}
