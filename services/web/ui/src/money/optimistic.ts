import type { QueryClient, QueryKey } from '@tanstack/react-query';
import { refreshMoneyData } from './refresh';

/** Some cached queries, and how a change shows in them before the server has answered. */
export interface CacheChange {
  /** Every query whose key starts with this one, or only this one when `exact`. */
  queryKey: QueryKey;
  exact?: boolean;
  /** The cached data as the change makes it; the key tells which list or month it is. */
  change: (data: unknown, key: QueryKey) => unknown;
}

/** A change to the queries under `queryKey`, whose data has the type `T`. */
export function cacheChange<T>(
  queryKey: QueryKey,
  change: (data: T, key: QueryKey) => T,
  exact = false,
): CacheChange {
  return { queryKey, exact, change: (data, key) => change(data as T, key) };
}

/** The cached queries as they were before a change, for its rollback. */
export type CacheSnapshot = [QueryKey, unknown][];

/**
 * Shows `changes` at once in every cached query they name, after stopping the loads in flight
 * (whose older answers would undo them). Returns the caches as they were.
 */
async function changeAtOnce(
  queryClient: QueryClient,
  changes: CacheChange[],
): Promise<CacheSnapshot> {
  await Promise.all(
    changes.map(({ queryKey, exact }) => queryClient.cancelQueries({ queryKey, exact })),
  );
  const before = changes.flatMap(({ queryKey, exact }) =>
    queryClient.getQueriesData({ queryKey, exact }),
  );
  for (const { queryKey, exact, change } of changes) {
    for (const [key, data] of queryClient.getQueriesData({ queryKey, exact })) {
      if (data !== undefined) {
        queryClient.setQueryData(key, change(data, key));
      }
    }
  }
  return before;
}

function rollBack(queryClient: QueryClient, before: CacheSnapshot | undefined) {
  for (const [key, data] of before ?? []) {
    queryClient.setQueryData(key, data);
  }
}

/**
 * The options of a mutation that shows at once: `changes` says how its variables change the
 * cached queries (an empty list: nothing shows before the answer). A refusal puts every cache
 * back as it was; the caller shows why. Either way everything is loaded again afterwards
 * (`refresh`), because the server alone computes the figures: the change shown at once flips
 * statuses and hides or marks rows, it never adds up money.
 */
export function showAtOnce<Variables>(
  queryClient: QueryClient,
  changes: (variables: Variables) => CacheChange[],
  refresh: (queryClient: QueryClient) => Promise<void> = refreshMoneyData,
) {
  return {
    onMutate: async (variables: Variables) => ({
      before: await changeAtOnce(queryClient, changes(variables)),
    }),
    onError: (_error: Error, _variables: Variables, context?: { before: CacheSnapshot }) =>
      rollBack(queryClient, context?.before),
    onSettled: () => refresh(queryClient),
  };
}
