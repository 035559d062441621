// What the gateway does with the server's answer to one decided call, whichever transport brought
// it: a list is filtered (list-filter.ts); a tool call's result is digested for the outcome record
// (`result_sha256`, `is_error`); any other answer passes unchanged. The facts it returns become the
// outcome record's fields.
import { canonicalDigest } from '../../lib/canonical-json.js';
import type { Classified } from './classify.js';
import { filterList, type ListFilterDeps } from './list-filter.js';

export type AnswerFacts = Readonly<Record<string, unknown>>;

/** Rewrites (or just reads) the JSON-RPC response to the watched request. */
export type AnswerHook = (response: Record<string, unknown>) => Promise<{ readonly response: Record<string, unknown>; readonly facts: AnswerFacts }>;

export function answerHook(call: Classified, deps: ListFilterDeps): AnswerHook {
  return async (response) => {
    const error = response['error'] as { code?: unknown } | undefined;
    if (error) return { response, facts: { rpc_error: typeof error.code === 'number' ? error.code : null } };
    const result = response['result'];
    const record = typeof result === 'object' && result !== null && !Array.isArray(result) ? (result as Record<string, unknown>) : undefined;
    if (call.list) {
      // A list answer that is not an object has nothing that may be shown.
      const filtered = await filterList(call.list, record ?? {}, deps);
      return { response: { ...response, result: filtered.result }, facts: { listed: filtered.shown, hidden: filtered.hidden } };
    }
    if (call.tool) return { response, facts: { result_sha256: canonicalDigest(result ?? null), is_error: record?.['isError'] === true } };
    return { response, facts: {} };
  };
}
