import { DomainError } from '../common/errors/domain-error';
import type { FinancialStatus, FulfillmentStatus, OrderStatus } from './order.entity';

export type OrderTransition = 'pay' | 'fulfill' | 'cancel';

export interface OrderState {
  readonly status: OrderStatus;
  readonly financialStatus: FinancialStatus;
  readonly fulfillmentStatus: FulfillmentStatus;
}

/**
 * The order state machine, pure so it can be tested alone. An order is open until it is both
 * paid and fulfilled (then closed) or cancelled; a paid order that is cancelled is refunded; a
 * fulfilled order can no longer be cancelled.
 */
export function applyTransition(state: OrderState, transition: OrderTransition): OrderState {
  const refuse = (why: string) =>
    new DomainError('invalid_state_transition', `Cannot ${transition} this order: ${why}.`, {
      extra: {
        status: state.status,
        financialStatus: state.financialStatus,
        fulfillmentStatus: state.fulfillmentStatus,
      },
    });
  if (state.status === 'cancelled') throw refuse('it is cancelled');
  if (state.status === 'closed') throw refuse('it is closed');
  switch (transition) {
    case 'pay': {
      if (state.financialStatus !== 'pending') throw refuse('it is already paid');
      return settle({ ...state, financialStatus: 'paid' });
    }
    case 'fulfill': {
      if (state.fulfillmentStatus !== 'unfulfilled') throw refuse('it is already fulfilled');
      return settle({ ...state, fulfillmentStatus: 'fulfilled' });
    }
    case 'cancel': {
      if (state.fulfillmentStatus === 'fulfilled') throw refuse('it is fulfilled');
      return {
        ...state,
        status: 'cancelled',
        financialStatus: state.financialStatus === 'paid' ? 'refunded' : state.financialStatus,
      };
    }
  }
}

function settle(state: OrderState): OrderState {
  return state.financialStatus === 'paid' && state.fulfillmentStatus === 'fulfilled'
    ? { ...state, status: 'closed' }
    : state;
}
