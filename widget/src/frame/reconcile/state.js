/**
 * The reconcile step's state: bank against ledger for one month per bank account, the owner's decisions on the
 * suggested matches, the picks among candidates and the date through which the data is reliable. A pure reducer
 * and its selectors (tested with node).
 */
import { DAY_RE } from "../i18n.js";
import { STEP, stepPart } from "../steps.js";
import { notesPatch } from "./notes.js";

/** @returns {Record<string, any>} the reconcile step's part of the state before anything is loaded */
export function initialReconcile() {
  return {
    status: "loading",
    data: null,
    decisions: {},
    saving: {},
    picks: {},
    reliableThrough: "",
    error: null,
    notes: {},
    note: null,
  };
}

/**
 * The reconcile step's reducer.
 * @param {Record<string, any>} state
 * @param {{type: string, [key: string]: any}} action
 */
export function reduceReconcile(state, action) {
  if (state.step !== STEP.RECONCILE) return state;
  const [recon, set] = stepPart(state, "recon", initialReconcile);
  switch (action.type) {
    case "recon_loaded": {
      const decisions = { ...recon.decisions };
      for (const account of action.data.accounts)
        for (const m of account.matches) if (m.decision !== "pending") decisions[m.key] = m.decision;
      const reliableThrough =
        recon.reliableThrough || action.data.reliable_through || action.data.suggested_reliable_through || "";
      return set({ status: "ready", data: action.data, decisions, reliableThrough, error: null });
    }
    case "recon_month":
      return recon.status === "ready" && action.month !== (recon.data && recon.data.month)
        ? set({ status: "loading", month: action.month })
        : state;
    case "recon_deciding": {
      const saving = { ...recon.saving };
      for (const key of action.keys) saving[key] = action.decision;
      return set({ saving });
    }
    case "recon_decided": {
      const saving = { ...recon.saving };
      const decisions = { ...recon.decisions };
      for (const key of action.keys) {
        delete saving[key];
        if (action.ok) decisions[key] = action.decision;
      }
      return set({ saving, decisions, error: action.ok ? null : { key: "reconcile.saveFailed", code: action.code } });
    }
    case "recon_pick":
      return set({ picks: { ...(recon.picks || {}), [action.choice]: action.key } });
    case "recon_date":
      return set({ reliableThrough: String(action.value).slice(0, 10), error: null });
    case "recon_invalid":
      return set({ error: { field: "reliable-through", key: action.key } });
    case "recon_completing":
      return { ...set({ status: "saving" }), busy: true };
    case "recon_failed":
      return set({ status: recon.data ? "ready" : "error", error: { key: "reconcile.saveFailed", code: action.code } });
    case "recon_saved":
      return { ...state, busy: true, step: action.next, recon: { ...recon, status: "ready", saved: action.result } };
    default: {
      const patch = notesPatch(recon, action);
      return patch ? { ...state, recon: { ...recon, ...patch } } : state;
    }
  }
}

/** The decision shown for a match: the owner's (saved or being saved), else "pending". */
export function decisionOf(recon, match) {
  return recon.saving[match.key] || recon.decisions[match.key] || "pending";
}

/** The pending matches of the month shown (what "confirm all" confirms). */
export function pendingMatches(recon) {
  if (!recon.data) return [];
  return recon.data.accounts.flatMap((a) => a.matches).filter((m) => decisionOf(recon, m) === "pending");
}

/** The body of POST /v1/link/reconciliation for some matches and one decision. */
export function decisionPayload(matches, decision) {
  return {
    decisions: matches.map((m) => ({
      bank_ids: m.bank.map((line) => line.id),
      ledger_ids: m.ledger.map((line) => line.id),
      decision,
    })),
  };
}

/** The stable key of a choice: its bank lines (a choice is one bank line the evidence does not decide). */
export function choiceKey(choice) {
  return `c-${choice.bank.map((line) => line.id).join("-")}`;
}

/** The candidate the owner picked for a choice, or null. */
export function pickedCandidate(recon, choice) {
  const key = (recon.picks || {})[choiceKey(choice)];
  return choice.candidates.find((c) => c.key === key) || null;
}

/**
 * Check the reliable-through date before saving: a day, not after `today`. Returns a catalogue key or "".
 * @param {string} value @param {string} today YYYY-MM-DD
 */
export function reliableThroughProblem(value, today) {
  if (!value) return "reconcile.dateRequired";
  if (!DAY_RE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return "reconcile.dateFormat";
  if (value > today) return "reconcile.dateFuture";
  return "";
}

/** What the host's `reconciled` event carries: the date and counts, never amounts or descriptions. */
export function reconciledMetadata(result) {
  const s = result.summary;
  return {
    reliable_through: result.reliable_through,
    match_rate: s.match_rate.count,
    confirmed: s.confirmed,
    rejected: s.rejected,
    pending: s.pending,
  };
}
