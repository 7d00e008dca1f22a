import passport from 'passport';

/**
 * @nestjs/passport's `PassportStrategy` mixin registers each strategy with a Passport instance as
 * it is constructed, passport's global one unless `getPassportInstance()` says otherwise. Our
 * strategies answer this one, which is never asked to authenticate, and register with their
 * application's Authenticator, which is.
 */
export const CONSTRUCTION_ONLY_PASSPORT = new passport.Passport();
