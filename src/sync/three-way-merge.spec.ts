import {
  coveredBy,
  Decision,
  Fields,
  fieldsToWrite,
  pathName,
  ResourceShape,
  threeWayMerge,
  valueAt,
  withValueAt,
} from './three-way-merge';

const shape: ResourceShape = { keyedLists: { variants: 'sku' }, sets: ['tags'] };
const flat: ResourceShape = { keyedLists: {}, sets: [] };

const mug = (fields: Fields = {}): Fields => ({
  title: 'Mug',
  description: 'Holds tea.',
  tags: ['kitchen'],
  variants: [
    { sku: 'MUG-W', title: 'White', price: 1200 },
    { sku: 'MUG-B', title: 'Black', price: 1300 },
  ],
  ...fields,
});

const always = (decision: Decision) => (): Decision => decision;
const names = (paths: readonly (readonly string[])[]) => paths.map(pathName);

describe('threeWayMerge', () => {
  it('keeps each side’s change of a field only it changed, whatever the decision', () => {
    for (const decision of ['incoming', 'current', 'combine', 'open'] as const) {
      const outcome = threeWayMerge(
        {
          base: mug(),
          incoming: mug({ title: 'Big mug' }),
          current: mug({ description: 'Holds coffee.' }),
        },
        shape,
        always(decision),
      );
      expect(outcome.merged).toEqual(mug({ title: 'Big mug', description: 'Holds coffee.' }));
      expect(names(outcome.incomingOnly)).toEqual(['title']);
      expect(names(outcome.currentOnly)).toEqual(['description']);
      expect(outcome.both).toEqual([]);
    }
  });

  it('leaves a field both sides changed to the decision, and a shared change alone', () => {
    const input = {
      base: mug(),
      incoming: mug({ title: 'Big mug', description: 'Same.' }),
      current: mug({ title: 'Large mug', description: 'Same.' }),
    };
    const decided = (decision: Decision) => threeWayMerge(input, shape, always(decision));
    expect(decided('incoming').merged.title).toBe('Big mug');
    expect(decided('current').merged.title).toBe('Large mug');
    expect(decided('open').merged.title).toBe('Large mug');
    expect(decided('open').both).toEqual([{ path: ['title'], decision: 'open' }]);
    expect(decided('open').merged.description).toBe('Same.');
  });

  it('treats a cleared field as a change, and a field left out as none', () => {
    const outcome = threeWayMerge(
      {
        base: { email: 'a@example.com', phone: '+1 555', firstName: 'Ann' },
        incoming: { email: 'a@example.com', phone: '' },
        current: { email: 'a@example.com', phone: '+1 555', firstName: 'Anna' },
      },
      flat,
      always('open'),
    );
    expect(outcome.merged).toEqual({ email: 'a@example.com', phone: '', firstName: 'Anna' });
    expect(names(outcome.incomingOnly)).toEqual(['phone']);
    expect(names(outcome.currentOnly)).toEqual(['firstName']);
  });

  it('matches variants by SKU: one added on one side while another is edited on the other', () => {
    const outcome = threeWayMerge(
      {
        base: mug(),
        incoming: mug({
          variants: [
            { sku: 'MUG-B', title: 'Black', price: 1300 },
            { sku: 'MUG-W', title: 'White', price: 1200 },
            { sku: 'MUG-R', title: 'Red', price: 1400 },
          ],
        }),
        current: mug({
          variants: [
            { sku: 'MUG-W', title: 'White', price: 1250 },
            { sku: 'MUG-B', title: 'Black', price: 1300 },
          ],
        }),
      },
      shape,
      always('incoming'),
    );
    expect(outcome.merged.variants).toEqual([
      { sku: 'MUG-B', title: 'Black', price: 1300 },
      { sku: 'MUG-W', title: 'White', price: 1250 },
      { sku: 'MUG-R', title: 'Red', price: 1400 },
    ]);
    expect(names(outcome.incomingOnly)).toEqual(['variants[MUG-R]']);
    expect(names(outcome.currentOnly)).toEqual(['variants[MUG-W].price']);
    expect(outcome.both).toEqual([]);
  });

  it('decides the same variant field edited on both sides, field by field', () => {
    const outcome = threeWayMerge(
      {
        base: mug(),
        incoming: mug({
          variants: [
            { sku: 'MUG-W', title: 'Snow', price: 1100 },
            { sku: 'MUG-B', title: 'Black', price: 1300 },
          ],
        }),
        current: mug({
          variants: [
            { sku: 'MUG-W', title: 'White', price: 1250 },
            { sku: 'MUG-B', title: 'Black', price: 1300 },
          ],
        }),
      },
      shape,
      always('current'),
    );
    expect(outcome.merged.variants).toEqual([
      { sku: 'MUG-W', title: 'Snow', price: 1250 },
      { sku: 'MUG-B', title: 'Black', price: 1300 },
    ]);
    expect(names(outcome.incomingOnly)).toEqual(['variants[MUG-W].title']);
    expect(outcome.both).toEqual([{ path: ['variants', 'MUG-W', 'price'], decision: 'current' }]);
  });

  it('removes a variant removed on one side and untouched on the other', () => {
    const onlyWhite = [{ sku: 'MUG-W', title: 'White', price: 1200 }];
    const removedHere = threeWayMerge(
      { base: mug(), incoming: mug({ variants: onlyWhite }), current: mug() },
      shape,
      always('open'),
    );
    expect(removedHere.merged.variants).toEqual(onlyWhite);
    expect(names(removedHere.incomingOnly)).toEqual(['variants[MUG-B]']);
    const removedThere = threeWayMerge(
      { base: mug(), incoming: mug(), current: mug({ variants: onlyWhite }) },
      shape,
      always('open'),
    );
    expect(removedThere.merged.variants).toEqual(onlyWhite);
    expect(names(removedThere.currentOnly)).toEqual(['variants[MUG-B]']);
  });

  it('asks for a decision on a variant removed on one side and edited on the other', () => {
    const input = {
      base: mug(),
      incoming: mug({ variants: [{ sku: 'MUG-W', title: 'White', price: 1200 }] }),
      current: mug({
        variants: [
          { sku: 'MUG-W', title: 'White', price: 1200 },
          { sku: 'MUG-B', title: 'Black', price: 1350 },
        ],
      }),
    };
    const removed = threeWayMerge(input, shape, always('incoming'));
    expect(removed.both).toEqual([{ path: ['variants', 'MUG-B'], decision: 'incoming' }]);
    expect(removed.merged.variants).toEqual([{ sku: 'MUG-W', title: 'White', price: 1200 }]);
    const kept = threeWayMerge(input, shape, always('open'));
    expect(kept.merged.variants).toEqual(input.current.variants);
  });

  it('reads a variant field the incoming side leaves out as unchanged', () => {
    const outcome = threeWayMerge(
      {
        base: mug(),
        incoming: mug({
          variants: [
            { sku: 'MUG-W', price: 1200 },
            { sku: 'MUG-B', price: 1300 },
          ],
        }),
        current: mug({
          variants: [
            { sku: 'MUG-W', title: 'Ivory', price: 1200 },
            { sku: 'MUG-B', title: 'Black', price: 1300 },
          ],
        }),
      },
      shape,
      always('incoming'),
    );
    expect(valueAt(outcome.merged, ['variants', 'MUG-W', 'title'], shape)).toBe('Ivory');
    expect(outcome.both).toEqual([]);
  });

  it('combines the additions and removals of both sides of a set when told to', () => {
    const outcome = threeWayMerge(
      {
        base: mug({ tags: ['kitchen', 'tea'] }),
        incoming: mug({ tags: ['kitchen', 'gift'] }),
        current: mug({ tags: ['kitchen', 'tea', 'sale'] }),
      },
      shape,
      (_path, combinable) => (combinable ? 'combine' : 'open'),
    );
    expect(outcome.merged.tags).toEqual(['kitchen', 'sale', 'gift']);
    expect(outcome.both).toEqual([{ path: ['tags'], decision: 'combine' }]);
  });

  it('without a base, counts every difference as changed on both sides', () => {
    const outcome = threeWayMerge(
      {
        base: undefined,
        incoming: mug({ title: 'Big mug', variants: [{ sku: 'MUG-W', title: 'White', price: 1 }] }),
        current: mug(),
      },
      shape,
      always('open'),
    );
    expect(outcome.merged).toEqual(mug());
    expect(names(outcome.both.map((each) => each.path))).toEqual([
      'title',
      'variants[MUG-W].price',
      'variants[MUG-B]',
    ]);
    expect(outcome.incomingOnly).toEqual([]);
    expect(outcome.currentOnly).toEqual([]);
  });
});

describe('fieldsToWrite', () => {
  it('names the fields that differ, comparing variants by SKU whatever their order', () => {
    const reordered = mug({ variants: [...(mug().variants as Fields[])].reverse() });
    expect(fieldsToWrite(reordered, mug(), shape)).toEqual([]);
    const edited = withValueAt(mug({ title: 'Big' }), ['variants', 'MUG-B', 'price'], 1, shape);
    expect(fieldsToWrite(edited, mug(), shape)).toEqual(['title', 'variants']);
  });
});

describe('withValueAt', () => {
  it('sets a field, an element’s field, or an element, in place', () => {
    expect(withValueAt(mug(), ['variants', 'MUG-W', 'price'], 9, shape).variants).toEqual([
      { sku: 'MUG-W', title: 'White', price: 9 },
      { sku: 'MUG-B', title: 'Black', price: 1300 },
    ]);
    expect(withValueAt(mug(), ['variants', 'MUG-W'], undefined, shape).variants).toEqual([
      { sku: 'MUG-B', title: 'Black', price: 1300 },
    ]);
    const red = { sku: 'MUG-R', price: 5 };
    expect(
      valueAt(withValueAt(mug(), ['variants', 'MUG-R'], red, shape), ['variants', 'MUG-R'], shape),
    ).toEqual(red);
    expect(withValueAt(mug(), ['title'], 'Cup', shape).title).toBe('Cup');
  });
});

describe('coveredBy', () => {
  it('finds a path among names, itself or through an enclosing path', () => {
    const names = new Set(['title', 'variants[MUG-B]']);
    expect(coveredBy(['title'], names)).toBe(true);
    expect(coveredBy(['variants', 'MUG-B', 'price'], names)).toBe(true);
    expect(coveredBy(['variants', 'MUG-W', 'price'], names)).toBe(false);
    expect(coveredBy(['variants', 'MUG-W'], new Set(['variants']))).toBe(true);
  });
});
