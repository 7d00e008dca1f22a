import type { OrderState, OrderTransition } from '../orders/order-transitions';

/**
 * The transitions that bring the local copy of a marketplace order to the state the platform
 * reports, in the order the local state machine accepts them; none when the local copy is
 * already there or further along. A refunded order was paid before it was cancelled, so it is
 * paid first, and the local copy ends refunded too.
 */
export function transitionsToReach(local: OrderState, remote: OrderState): OrderTransition[] {
  if (local.status === 'cancelled') return [];
  const paid = (state: OrderState) => state.financialStatus !== 'pending';
  const transitions: OrderTransition[] = [];
  if (paid(remote) && !paid(local)) transitions.push('pay');
  if (remote.status === 'cancelled') return [...transitions, 'cancel'];
  if (remote.fulfillmentStatus === 'fulfilled' && local.fulfillmentStatus !== 'fulfilled')
    transitions.push('fulfill');
  return transitions;
}
