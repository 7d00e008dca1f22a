import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, Kind, type SelectionSetNode } from 'graphql';
import { CARRIES_SECRET } from '../common/http/cache-control.decorator';
import type { GraphqlContext } from './graphql-context';

/**
 * `Cache-Control: no-store` on the answer of an operation that selects a root field declared
 * `@CarriesSecret()` (webhookSubscriptionCreate answers the signing secret), as on the REST
 * routes that do; other answers get the response hook's default.
 */
export function secretAnswersPlugin(): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart() {
      let carriesSecret = false;
      return {
        async didResolveOperation({ schema, operation, document }) {
          if (!operation) return;
          const fields = schema.getRootType(operation.operation)?.getFields() ?? {};
          carriesSecret = rootFieldNames(operation.selectionSet, document).some(
            (name) => fields[name]?.extensions?.[CARRIES_SECRET] === true,
          );
        },
        async willSendResponse({ response }) {
          if (carriesSecret) response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}

/** The root fields an operation selects, through fragments (aliases do not matter). */
export function rootFieldNames(selectionSet: SelectionSetNode, document: DocumentNode): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT)
      return rootFieldNames(selection.selectionSet, document);
    const fragment = document.definitions.find(
      (definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION &&
        definition.name.value === selection.name.value,
    );
    return fragment?.kind === Kind.FRAGMENT_DEFINITION
      ? rootFieldNames(fragment.selectionSet, document)
      : [];
  });
}
