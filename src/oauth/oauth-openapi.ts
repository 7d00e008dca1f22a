import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { SCOPES } from '../common/scopes';
import { FORM_CONTENT_TYPE } from '../web/form-body';
import { OAUTH_LIFETIMES } from './oauth-grants';

/**
 * How the OAuth endpoints and pages appear in the OpenAPI document. They speak OAuth's formats
 * (RFC 6749, 7009, 7662, 8414), not the JSON API's: form-encoded requests, snake_case fields,
 * and errors as `{"error", "error_description"}` rather than problem documents.
 */

const CLIENT_AUTHENTICATION =
  'Confidential apps authenticate with HTTP Basic (client_secret_basic) or with client_id and client_secret in the form (client_secret_post); public apps send client_id alone.';

/** RFC 6749 §5.2 (and RFC 7009, 7662), as the token, revocation and introspection endpoints answer. */
export class OAuthErrorResponse {
  @ApiProperty({
    description:
      'An RFC 6749 §5.2 code (invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope), or rate_limited after too many failed attempts',
    example: 'invalid_grant',
  })
  error: string;

  @ApiPropertyOptional({ description: 'A sentence for the developer', example: 'Invalid grant' })
  error_description?: string;

  @ApiPropertyOptional({ format: 'uri', description: 'A page about the error (not sent today)' })
  error_uri?: string;
}

/** RFC 6749 §5.1. */
export class TokenResponse {
  @ApiProperty({ example: 'dk_oat_3fQ…', description: 'The bearer token for /v1 and /graphql' })
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: string;

  @ApiProperty({
    type: 'integer',
    description: `Seconds the access token lives (${OAUTH_LIFETIMES.accessTokenSeconds})`,
  })
  expires_in: number;

  @ApiPropertyOptional({
    example: 'dk_ort_9Lk…',
    description: `For authorization_code and refresh_token grants: use it once, for the next pair (it lives ${OAUTH_LIFETIMES.refreshTokenSeconds / 86_400} days)`,
  })
  refresh_token?: string;

  @ApiProperty({ example: 'read_products write_orders', description: 'The granted scopes' })
  scope: string;
}

/** RFC 7662 §2.2. */
export class IntrospectionResponse {
  @ApiProperty({
    description: "False for any token that is not the calling app's own and valid",
  })
  active: boolean;

  @ApiPropertyOptional({ example: 'read_products' })
  scope?: string;

  @ApiPropertyOptional()
  client_id?: string;

  @ApiPropertyOptional({ enum: ['Bearer', 'refresh_token'] })
  token_type?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Expiry, in Unix seconds' })
  exp?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Issue time, in Unix seconds' })
  iat?: number;

  @ApiPropertyOptional({ description: 'The store the token acts for' })
  sub?: string;

  @ApiPropertyOptional({ description: 'The same store id, under its own name' })
  store_id?: string;

  @ApiPropertyOptional({ format: 'uri' })
  iss?: string;
}

/** RFC 8414 §2, as `/.well-known/oauth-authorization-server` serves it. */
export class AuthorizationServerMetadata {
  @ApiProperty({ format: 'uri', description: 'PUBLIC_URL' })
  issuer: string;

  @ApiProperty({ format: 'uri' })
  authorization_endpoint: string;

  @ApiProperty({ format: 'uri' })
  token_endpoint: string;

  @ApiProperty({ format: 'uri' })
  revocation_endpoint: string;

  @ApiProperty({ format: 'uri' })
  introspection_endpoint: string;

  @ApiProperty({ type: [String], enum: SCOPES })
  scopes_supported: string[];

  @ApiProperty({ type: [String], example: ['code'] })
  response_types_supported: string[];

  @ApiProperty({ type: [String], example: ['query'] })
  response_modes_supported: string[];

  @ApiProperty({
    type: [String],
    example: ['authorization_code', 'refresh_token', 'client_credentials'],
  })
  grant_types_supported: string[];

  @ApiProperty({ type: [String] })
  token_endpoint_auth_methods_supported: string[];

  @ApiProperty({ type: [String] })
  revocation_endpoint_auth_methods_supported: string[];

  @ApiProperty({ type: [String] })
  introspection_endpoint_auth_methods_supported: string[];

  @ApiProperty({ type: [String], example: ['S256'] })
  code_challenge_methods_supported: string[];

  @ApiProperty()
  authorization_response_iss_parameter_supported: boolean;

  @ApiProperty({ format: 'uri' })
  service_documentation: string;
}

/** The client authentication fields every token request may carry (client_secret_post). */
class ClientFields {
  @ApiPropertyOptional({ description: 'The app’s clientId; required unless sent with Basic' })
  client_id?: string;

  @ApiPropertyOptional({ description: 'client_secret_post, for confidential apps' })
  client_secret?: string;
}

export class AuthorizationCodeTokenRequest extends ClientFields {
  @ApiProperty({ enum: ['authorization_code'] })
  grant_type: string;

  @ApiProperty({ description: 'The code the redirect delivered (dk_oac_…), valid 60 seconds' })
  code: string;

  @ApiProperty({ format: 'uri', description: 'The redirect_uri of the authorization request' })
  redirect_uri: string;

  @ApiPropertyOptional({
    description: 'The PKCE verifier of the code_challenge (required when one was sent)',
  })
  code_verifier?: string;
}

export class RefreshTokenRequest extends ClientFields {
  @ApiProperty({ enum: ['refresh_token'] })
  grant_type: string;

  @ApiProperty({
    description: 'The latest refresh token; presenting an older one ends the whole grant',
  })
  refresh_token: string;

  @ApiPropertyOptional({ description: 'Fewer scopes than granted, space-separated' })
  scope?: string;
}

export class ClientCredentialsTokenRequest extends ClientFields {
  @ApiProperty({ enum: ['client_credentials'] })
  grant_type: string;

  @ApiPropertyOptional({
    description: 'Space-separated; the app’s registered scopes by default',
  })
  scope?: string;
}

export class TokenRevocationRequest extends ClientFields {
  @ApiProperty({ description: 'An access or refresh token of this app' })
  token: string;

  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'] })
  token_type_hint?: string;
}

export class TokenIntrospectionRequest extends ClientFields {
  @ApiProperty({ description: 'An access or refresh token of this app' })
  token: string;

  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'] })
  token_type_hint?: string;
}

class CsrfField {
  @ApiProperty({ description: 'The CSRF token of the page the form came from' })
  _csrf: string;
}

export class SignInForm extends CsrfField {
  @ApiProperty({ format: 'email' })
  email: string;

  @ApiProperty({ format: 'password' })
  password: string;
}

export class ConsentForm extends CsrfField {
  @ApiProperty({ enum: ['approve', 'deny'] })
  decision: string;

  @ApiPropertyOptional({ description: 'The store to install the app on (one of the staff’s)' })
  store_id?: string;

  @ApiProperty({ enum: ['code'] })
  response_type: string;

  @ApiProperty()
  client_id: string;

  @ApiPropertyOptional({ format: 'uri' })
  redirect_uri?: string;

  @ApiPropertyOptional()
  scope?: string;

  @ApiProperty()
  state: string;

  @ApiPropertyOptional()
  code_challenge?: string;

  @ApiPropertyOptional({ enum: ['S256'] })
  code_challenge_method?: string;
}

const errorBody = { $ref: getSchemaPath(OAuthErrorResponse) };

/** An OAuth error answer of the machine endpoints. */
export const ApiOAuthError = (status: number, description: string) =>
  applyDecorators(
    ApiExtraModels(OAuthErrorResponse),
    ApiResponse({ status, description, content: { 'application/json': { schema: errorBody } } }),
  );

/** A form-encoded body (RFC 6749 §3.2), of one of the given shapes. */
export const ApiFormBody = (...shapes: (new () => object)[]) =>
  applyDecorators(
    ApiExtraModels(...shapes),
    ApiConsumes(FORM_CONTENT_TYPE),
    ApiBody({
      schema:
        shapes.length === 1
          ? { $ref: getSchemaPath(shapes[0]) }
          : { oneOf: shapes.map((shape) => ({ $ref: getSchemaPath(shape) })) },
    }),
  );

export const TOKEN_ENDPOINT_DESCRIPTION = `RFC 6749 §4.1.3, §6 and §4.4. ${CLIENT_AUTHENTICATION} PKCE (S256) is required of public apps. A refresh token is rotated on every use; a reused one ends the grant. client_credentials is for an app created for one store.`;

/** The query of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export const ApiAuthorizationQuery = () =>
  applyDecorators(
    ApiQuery({ name: 'response_type', required: true, schema: { type: 'string', enum: ['code'] } }),
    ApiQuery({ name: 'client_id', required: true, schema: { type: 'string' } }),
    ApiQuery({
      name: 'redirect_uri',
      required: false,
      description: 'One of the app’s registered URIs, matched exactly; optional if it has one',
      schema: { type: 'string', format: 'uri' },
    }),
    ApiQuery({
      name: 'scope',
      required: false,
      description: 'Space-separated; the app’s registered scopes by default',
      schema: { type: 'string' },
    }),
    ApiQuery({
      name: 'state',
      required: true,
      description: 'Returned with the code or the error; up to 1,024 visible ASCII characters',
      schema: { type: 'string', maxLength: 1024 },
    }),
    ApiQuery({
      name: 'code_challenge',
      required: false,
      description: 'The S256 challenge; required of public apps',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    }),
    ApiQuery({
      name: 'code_challenge_method',
      required: false,
      schema: { type: 'string', enum: ['S256'] },
    }),
  );

/** An HTML page answer of the sign-in and consent pages. */
export const ApiHtmlPage = (status: number, description: string) =>
  ApiResponse({
    status,
    description,
    content: { 'text/html': { schema: { type: 'string' } } },
  });

/** The 303 of a form or an authorization request, to a page here or to the app. */
export const ApiSeeOther = (description: string) =>
  ApiResponse({
    status: 303,
    description,
    headers: {
      Location: { description: 'Where the browser goes next', schema: { type: 'string' } },
    },
  });
