/**
 * The frame's steps: every screen it can show (`STEP`) and the frozen list of the steps that may follow "connect"
 * (map, reconcile), each behind the token scope it needs, with `nextStep` choosing among them.
 */

/** Every step the frame can show. Frozen: views and tests switch on these. */
export const STEP = Object.freeze({
  LOADING: "loading",
  CATALOGUE: "catalogue",
  POPUP: "popup",
  BLOCKED: "blocked",
  CREDENTIALS: "credentials",
  MFA: "mfa",
  UPLOAD: "upload",
  SYNC: "sync",
  DENIED: "denied",
  FAILED: "failed",
  COMPLETING: "completing",
  DONE: "done",
  EXPIRED: "expired",
  MAP: "map",
  RECONCILE: "reconcile",
  RESUME: "resume",
  RECONNECT: "reconnect",
  REVIEW: "review",
});

/**
 * A step's own part of the state (`state[key]`, or `initial()` before anything is loaded) and `set`, which merges a
 * patch into that part and ends the busy spell: how the step reducers change only what is theirs.
 * @param {Record<string, any>} state
 * @param {string} key
 * @param {() => Record<string, any>} initial
 * @returns {[Record<string, any>, (patch: Record<string, any>) => Record<string, any>]}
 */
export function stepPart(state, key, initial) {
  const part = state[key] || initial();
  return [part, (patch) => ({ ...state, busy: false, [key]: { ...part, ...patch } })];
}

/**
 * A step after "connect": it runs when the token carries `scope` (every one of them, for a list) and, when `needs` is
 * given, once an app of each of those categories is connected (mapping needs books; reconciling needs books and a
 * bank; the review before sharing shows the mapped books and shares, so it needs both "link" and "map").
 * @typedef {{id: string, scope: string | readonly string[], title: string, needs?: readonly string[]}} StepAfterConnect
 */

/** @param {StepAfterConnect} step */
const frozenStep = (step) => Object.freeze({ ...step, needs: Object.freeze([...(step.needs || [])]) });

/** The steps after "connect", in the order they run. @type {readonly StepAfterConnect[]} */
export const AFTER_CONNECT = Object.freeze([
  frozenStep({ id: STEP.MAP, scope: "map", title: "map.title", needs: ["accounting"] }),
  frozenStep({ id: STEP.RECONCILE, scope: "reconcile", title: "reconcile.title", needs: ["accounting", "banking"] }),
  frozenStep({ id: STEP.REVIEW, scope: Object.freeze(["link", "map"]), title: "review.title", needs: ["accounting"] }),
]);

/**
 * The step after `current` for a session holding `scopes`: a step of `steps` whose scope the token carries (and,
 * when `connected` is given, whose needed categories are all connected), else "complete".
 * @param {string} current "connect" or a step id of `steps`
 * @param {readonly string[]} scopes
 * @param {readonly StepAfterConnect[]} [steps]
 * @param {Iterable<string> | null} [connected] categories of the connected apps; null: do not check `needs`
 * @returns {string}
 */
export function nextStep(current, scopes, steps = AFTER_CONNECT, connected = null) {
  const start = current === "connect" ? 0 : steps.findIndex((s) => s.id === current) + 1;
  if (start <= 0 && current !== "connect") return "complete";
  const have = connected === null ? null : new Set(connected);
  const runs = (s) =>
    [].concat(s.scope).every((scope) => scopes.includes(scope)) &&
    (have === null || (s.needs || []).every((c) => have.has(c)));
  const next = steps.slice(start).find(runs);
  return next ? next.id : "complete";
}
