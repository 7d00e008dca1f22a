import { DomainError } from '../common/errors/domain-error';
import { applyTransition, OrderState, OrderTransition } from './order-transitions';

const open: OrderState = {
  status: 'open',
  financialStatus: 'pending',
  fulfillmentStatus: 'unfulfilled',
};

function run(state: OrderState, ...transitions: OrderTransition[]): OrderState {
  return transitions.reduce(applyTransition, state);
}

function refusal(state: OrderState, transition: OrderTransition): string {
  try {
    applyTransition(state, transition);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).code;
  }
  throw new Error('allowed');
}

describe('order transitions', () => {
  it('closes an order once it is paid and fulfilled, in either order', () => {
    expect(run(open, 'pay', 'fulfill')).toEqual({
      status: 'closed',
      financialStatus: 'paid',
      fulfillmentStatus: 'fulfilled',
    });
    expect(run(open, 'fulfill', 'pay')).toEqual({
      status: 'closed',
      financialStatus: 'paid',
      fulfillmentStatus: 'fulfilled',
    });
    expect(run(open, 'pay')).toEqual({
      status: 'open',
      financialStatus: 'paid',
      fulfillmentStatus: 'unfulfilled',
    });
  });

  it('refunds a paid order that is cancelled, and keeps an unpaid one pending', () => {
    expect(run(open, 'pay', 'cancel')).toEqual({
      status: 'cancelled',
      financialStatus: 'refunded',
      fulfillmentStatus: 'unfulfilled',
    });
    expect(run(open, 'cancel')).toEqual({
      status: 'cancelled',
      financialStatus: 'pending',
      fulfillmentStatus: 'unfulfilled',
    });
  });

  it.each<[string, OrderTransition[], OrderTransition]>([
    ['paying twice', ['pay'], 'pay'],
    ['fulfilling twice', ['fulfill'], 'fulfill'],
    ['cancelling twice', ['cancel'], 'cancel'],
    ['paying a cancelled order', ['cancel'], 'pay'],
    ['fulfilling a cancelled order', ['cancel'], 'fulfill'],
    ['cancelling a fulfilled order', ['fulfill'], 'cancel'],
    ['cancelling a closed order', ['pay', 'fulfill'], 'cancel'],
  ])('refuses %s as an invalid transition', (_name, before, transition) => {
    expect(refusal(run(open, ...before), transition)).toBe('invalid_state_transition');
  });
});
