/** What a hosted page answers instead of its content; HostedPageFilter renders them. */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

export class PageNotFound extends PageError {
  constructor(message = 'The page you asked for is not here.') {
    super(404, 'Page not found', message);
  }
}

export class PageForbidden extends PageError {
  constructor(message = 'Your account may not open this page.') {
    super(403, 'Not allowed', message);
  }
}

/** A form posted without this browser's CSRF token: nothing is changed. */
export class FormExpired extends PageError {
  constructor() {
    super(
      403,
      'This form has expired',
      'Nothing was changed. Reload the page and try again. (The form’s security token did not match.)',
    );
  }
}

/** No staff session on this host: the sign-in page, then back to `returnTo`. */
export class SignInRequired extends Error {
  constructor(readonly returnTo: string) {
    super('Sign in first.');
  }
}
