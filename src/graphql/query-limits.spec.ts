import { buildSchema, parse } from 'graphql';
import { measureQuery } from './query-limits';

const schema = buildSchema(`
  type Node { id: ID!, child: Node, children(first: Int): NodeConnection! }
  type NodeConnection { nodes: [Node!]! }
  type Query { node: Node, nodes(first: Int): NodeConnection! }
`);

/** `{ node { child { … { id } } } }`, `levels` fields deep (node and id included). */
function nested(levels: number): string {
  return `{ node { ${'child { '.repeat(levels - 2)}id${' }'.repeat(levels - 1)} }`;
}

function measure(query: string): number {
  return measureQuery(schema, parse(query), undefined, undefined);
}

describe('per-query limits', () => {
  it('accepts 10 levels and refuses 11', () => {
    expect(() => measure(nested(10))).not.toThrow();
    expect(() => measure(nested(11))).toThrow(/11 levels deep; the limit is 10/);
  });

  it('counts depth through fragments, and does not loop on a fragment cycle', () => {
    const query = `{ node { ...A } } fragment A on Node { child { child { ${'child { '.repeat(8)}id${' }'.repeat(8)} } } }`;
    expect(() => measure(query)).toThrow(/levels deep/);
    const cycle = '{ node { ...A } } fragment A on Node { child { ...A } }';
    expect(() => measure(cycle)).not.toThrow(/levels deep/);
  });

  it('does not count introspection towards depth', () => {
    expect(() =>
      measure(
        `{ __schema { types { ${'fields { type { ofType { '.repeat(1)}${'ofType { '.repeat(9)}name${' }'.repeat(12)} } } }`,
      ),
    ).not.toThrow();
  });

  it('costs objects 1, scalars 0, and connections once per node they may return', () => {
    expect(measure('{ node { id } }')).toBe(1);
    // The connection (1) plus, for each of its 10 nodes: the list (1) and each child (1).
    expect(measure('{ nodes(first: 10) { nodes { id child { id } } } }')).toBe(1 + 10 * 2);
    expect(() =>
      measure('{ a: nodes(first: 250) { nodes { child { child { child { id } } } } } }'),
    ).toThrow(/costs 1001 points; the limit is 1000/);
  });
});
