import { DomainError } from '../../common/errors/domain-error';
import { validateInput } from '../../common/validation/validate-input';
import { SyncCustomerDto, SyncProductDto } from './sync-bodies.dto';

function errorsOf(work: () => unknown) {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error.details.errors?.map((e) => e.path);
    throw error;
  }
  return [];
}

describe('sync bodies', () => {
  it('take "" or null as a cleared optional text field, as ""', () => {
    const product = validateInput(SyncProductDto, {
      title: 'Mug',
      description: null,
      variants: [{ sku: 'MUG', title: null, price: 1 }],
    });
    expect(product.description).toBe('');
    expect(product.variants[0].title).toBe('');
    const customer = validateInput(SyncCustomerDto, {
      email: 'a@example.com',
      firstName: null,
      lastName: '',
      phone: '',
    });
    expect(customer).toMatchObject({ firstName: '', lastName: '', phone: '' });
  });

  it('keep every other rule of the REST body', () => {
    expect(
      errorsOf(() =>
        validateInput(SyncProductDto, {
          title: null,
          handle: null,
          tags: null,
          status: null,
          description: 7,
          variants: [{ sku: 'MUG', title: 'x'.repeat(256), price: null }],
        }),
      ),
    ).toEqual(
      expect.arrayContaining([
        'title',
        'handle',
        'tags',
        'status',
        'description',
        'variants.0.title',
        'variants.0.price',
      ]),
    );
    expect(
      errorsOf(() =>
        validateInput(SyncCustomerDto, { email: 'a@example.com', phone: 'call me', extra: 1 }),
      ),
    ).toEqual(['extra', 'phone']);
  });
});
