/**
 * The map step's state: the owner maps each account of their chart to one of the lender's standard categories,
 * helped by the broker's suggestions. A pure reducer and its selectors (tested with node).
 */
import { STEP, stepPart } from "../steps.js";

/** @returns {Record<string, any>} the map step's part of the state before the mapping is loaded */
export function initialMap() {
  return { status: "loading", accounts: [], leaves: [], choices: {}, decided: {}, query: "", saved: null, error: null };
}

/** Whether the owner must decide an account: not confirmed before, and its suggestion is flagged or missing. */
export function needsDecision(account) {
  return !account.category && (account.suggestion.needs_review || !account.suggestion.category);
}

/**
 * The order the owner sees: accounts needing a decision first, then the others; each group by balance, largest
 * absolute first (a wrong category on a large balance hurts most). Ties keep the broker's order.
 * @template {{category?: string | null, balance?: number, suggestion: Record<string, any>}} T
 * @param {T[]} accounts
 * @returns {T[]}
 */
export function orderAccounts(accounts) {
  const weight = (a) => Math.abs(Number(a.balance) || 0);
  return accounts
    .map((account, index) => ({ account, index }))
    .sort(
      (x, y) =>
        Number(needsDecision(y.account)) - Number(needsDecision(x.account)) ||
        weight(y.account) - weight(x.account) ||
        x.index - y.index,
    )
    .map((x) => x.account);
}

/**
 * What stops a save: accounts without a category, and flagged suggestions the owner has not decided on yet.
 * @returns {{missing: number, unchecked: number}}
 */
export function mapGaps(map) {
  let missing = 0;
  let unchecked = 0;
  for (const a of map.accounts) {
    if (!map.choices[a.id]) missing += 1;
    else if (needsDecision(a) && !map.decided[a.id]) unchecked += 1;
  }
  return { missing, unchecked };
}

/**
 * The map step's reducer: `state.map` changes, and `map_saved` leaves the step (`next` is the following step).
 * @param {Record<string, any>} state
 * @param {{type: string, [key: string]: any}} action
 */
export function reduceMap(state, action) {
  if (state.step !== STEP.MAP) return state;
  const [map, set] = stepPart(state, "map", initialMap);
  switch (action.type) {
    case "map_loaded": {
      // Suggestions are the starting point: shown as chosen; the owner changes what is wrong and decides the flagged.
      const choices = {};
      for (const account of action.data.accounts) {
        const category = account.category || account.suggestion.category;
        if (category) choices[account.id] = category;
      }
      const accounts = orderAccounts(action.data.accounts);
      return set({ status: "ready", accounts, leaves: action.data.chart.leaves, choices, decided: {}, error: null });
    }
    case "map_keep": {
      if (map.status !== "ready" || !map.choices[action.id]) return state;
      return set({ decided: { ...map.decided, [action.id]: true }, error: null });
    }
    case "map_incomplete":
      return set({ error: { key: "map.incomplete", ...mapGaps(map) } });
    case "map_choose": {
      if (map.status !== "ready" || !map.accounts.some((a) => a.id === action.id)) return state;
      const known = action.category === null || map.leaves.some((l) => l.code === action.category);
      if (!known) return set({ error: { id: action.id, key: "map.unknownCategory" } });
      const choices = { ...map.choices };
      if (action.category === null) delete choices[action.id];
      else choices[action.id] = action.category;
      return set({ choices, decided: { ...map.decided, [action.id]: action.category !== null }, error: null });
    }
    case "map_accept_all": {
      // Every shown account takes its suggestion when it has none, and the flagged ones count as decided.
      if (map.status !== "ready") return state;
      const choices = { ...map.choices };
      const decided = { ...map.decided };
      for (const a of visibleAccounts(map)) {
        if (!choices[a.id] && a.suggestion.category) choices[a.id] = a.suggestion.category;
        if (choices[a.id]) decided[a.id] = true;
      }
      return set({ choices, decided, error: null });
    }
    case "map_search":
      return set({ query: String(action.query).slice(0, 100) });
    case "map_saving":
      return map.status === "ready" ? { ...set({ status: "saving" }), busy: true } : state;
    case "map_failed":
      return set({
        status: map.accounts.length ? "ready" : "error",
        error: { key: "map.saveFailed", code: action.code },
      });
    case "map_saved":
      // `next` is the step after this one, already resolved by the controller ("reconcile", "completing", ...).
      return { ...state, busy: true, step: action.next, map: { ...map, status: "ready", saved: action.result } };
    default:
      return state;
  }
}

/** Progress as the step shows it: how many accounts have a category. */
export function mapProgress(map) {
  const mapped = map.accounts.filter((a) => map.choices[a.id]).length;
  return { mapped, total: map.accounts.length };
}

/** The accounts matching the search (name or code), in the broker's order. */
export function visibleAccounts(map) {
  const query = map.query.trim().toLocaleLowerCase();
  if (!query) return map.accounts;
  return map.accounts.filter(
    (a) =>
      String(a.name || "")
        .toLocaleLowerCase()
        .includes(query) || String(a.code || "").includes(query),
  );
}

/** What to send to PUT /v1/link/mapping: every account with a chosen category. */
export function mappingPayload(map) {
  return {
    mappings: map.accounts
      .filter((a) => map.choices[a.id])
      .map((a) => ({ account_id: a.id, category: map.choices[a.id] })),
  };
}

/** What the host's `mapping_saved` event carries (counts only, never names or amounts). */
export function mappingSavedMetadata(result) {
  return { mapped: result.progress.mapped, total: result.progress.total, changed: result.changed };
}
