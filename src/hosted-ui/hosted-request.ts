import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from '../common/request-context';
import type { Scope } from '../common/scopes';
import type { HostedStore } from '../platform/stores.service';

/** What the guards of the hosted pages learn of a request, for its handler. */
interface HostedRequestState {
  /** The store the Host names (HostedStoreGuard). */
  store?: HostedStore;
  /** The signed-in staff member's context on that store (AdminSessionGuard). */
  staff?: RequestContext;
}

const states = new WeakMap<FastifyRequest, HostedRequestState>();

export function hostedState(request: FastifyRequest): HostedRequestState {
  let state = states.get(request);
  if (!state) {
    state = {};
    states.set(request, state);
  }
  return state;
}

function requestOf(execution: ExecutionContext): FastifyRequest {
  return execution.switchToHttp().getRequest<FastifyRequest>();
}

/** The store the page's host names (the handler's controller uses HostedStoreGuard). */
export const Store = createParamDecorator((_data: unknown, execution: ExecutionContext) => {
  const store = hostedState(requestOf(execution)).store;
  if (!store) throw new Error('@Store() needs HostedStoreGuard on the route');
  return store;
});

/** The signed-in staff member's request context (the route uses AdminSessionGuard). */
export const StaffContext = createParamDecorator((_data: unknown, execution: ExecutionContext) => {
  const staff = hostedState(requestOf(execution)).staff;
  if (!staff) throw new Error('@StaffContext() needs AdminSessionGuard on the route');
  return staff;
});

/**
 * What a buyer on the storefront may do: see the catalogue and stock, and place an order (which
 * records the customer). Nothing else of the store is reachable through a storefront page.
 */
const BUYER_SCOPES: readonly Scope[] = [
  'read_products',
  'read_inventory',
  'write_orders',
  'write_customers',
];

/** The context a storefront page acts in: the store, on the buyer's behalf. */
export const BuyerContext = createParamDecorator((_data: unknown, execution: ExecutionContext) => {
  const request = requestOf(execution);
  const store = hostedState(request).store;
  if (!store) throw new Error('@BuyerContext() needs HostedStoreGuard on the route');
  return new RequestContext(
    String(request.id),
    store.id,
    { type: 'system', id: 'storefront' },
    BUYER_SCOPES,
  );
});
