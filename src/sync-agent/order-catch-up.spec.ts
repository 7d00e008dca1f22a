import { applyTransition, OrderState } from '../orders/order-transitions';
import { transitionsToReach } from './order-catch-up';

const open: OrderState = {
  status: 'open',
  financialStatus: 'pending',
  fulfillmentStatus: 'unfulfilled',
};

function reach(local: OrderState, remote: OrderState): OrderState {
  return transitionsToReach(local, remote).reduce(applyTransition, local);
}

describe('transitionsToReach', () => {
  it('does nothing when both sides agree', () => {
    expect(transitionsToReach(open, open)).toEqual([]);
  });

  it('pays, fulfils, and closes an order that is both', () => {
    const paid = applyTransition(open, 'pay');
    expect(transitionsToReach(open, paid)).toEqual(['pay']);
    const closed = applyTransition(paid, 'fulfill');
    expect(transitionsToReach(open, closed)).toEqual(['pay', 'fulfill']);
    expect(reach(open, closed)).toEqual(closed);
    expect(reach(paid, closed)).toEqual(closed);
  });

  it('cancels, and refunds a local copy that was paid', () => {
    const cancelled = applyTransition(open, 'cancel');
    expect(transitionsToReach(open, cancelled)).toEqual(['cancel']);
    const refunded = applyTransition(applyTransition(open, 'pay'), 'cancel');
    expect(reach(open, refunded)).toEqual(refunded);
    expect(reach(applyTransition(open, 'pay'), refunded)).toEqual(refunded);
  });

  it('never moves a local copy backwards or out of cancelled', () => {
    const paid = applyTransition(open, 'pay');
    expect(transitionsToReach(paid, open)).toEqual([]);
    expect(transitionsToReach(applyTransition(open, 'cancel'), paid)).toEqual([]);
  });
});
