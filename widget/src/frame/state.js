/**
 * The frame's state machine: a pure reducer from (state, action) to the next state, made of each step's reducer
 * (connect/, map/, reconcile/state.js) and the session's own actions. No DOM, no network: the steps' effects feed
 * their outcomes back as actions, and their views render the state.
 */
import { connectedCategories, hasConnections, reduceConnect, syncFinished } from "./connect/state.js";
import { initialInvite, reduceInvite } from "./invite.js";
import { initialMap, reduceMap } from "./map/state.js";
import { initialReconcile, reduceReconcile } from "./reconcile/state.js";
import { initialLife, reduceLife } from "./resume/state.js";
import { initialReview, reduceReview } from "./review/state.js";
import { STEP, nextStep } from "./steps.js";

/** Steps where the owner is in the middle of connecting one app (exit metadata names it). */
const APP_STEPS = new Set([
  STEP.POPUP,
  STEP.BLOCKED,
  STEP.CREDENTIALS,
  STEP.MFA,
  STEP.UPLOAD,
  STEP.DENIED,
  STEP.FAILED,
  STEP.RECONNECT,
]);

/** @returns {Record<string, any>} the state before the session is loaded */
export function initialState() {
  return {
    step: STEP.LOADING,
    session: null,
    apps: [],
    connections: [],
    preselected: [],
    categories: null,
    query: "",
    category: "all",
    selected: null,
    attempt: null,
    challenge: null,
    formError: null,
    busy: false,
    made: [],
    error: null,
    result: null,
    map: initialMap(),
    recon: initialReconcile(),
    invite: initialInvite(),
    life: initialLife(),
    review: initialReview(),
  };
}

/**
 * What `onExit` receives as metadata for the current state (never a secret).
 * @param {Record<string, any>} state
 */
export function exitMetadata(state) {
  return {
    step: state.step,
    integration: APP_STEPS.has(state.step) && state.selected ? state.selected : null,
    connections_made: state.made.slice(),
  };
}

/**
 * The step after `current` ("connect" or a step of the list) as the state machine names it ("completing" for the
 * end), for the session's scopes and the categories connected now.
 * @param {Record<string, any>} state
 * @param {string} current
 */
export function stepAfter(state, current) {
  // An accountant's session connects nothing (the owner who invited them did): the broker says what is missing.
  const connected = state.session && state.session.accountant ? null : connectedCategories(state);
  const next = nextStep(current, state.session ? state.session.scopes : [], undefined, connected);
  return next === "complete" ? STEP.COMPLETING : next;
}

/**
 * The next state. Unknown actions and actions that make no sense in the current step leave the state as is.
 * @param {Record<string, any>} state
 * @param {{type: string, [key: string]: any}} action
 * @returns {Record<string, any>}
 */
export function reduce(state, action) {
  const at = (...steps) => steps.includes(state.step);
  switch (action.type) {
    case "expired":
      return { ...state, step: STEP.EXPIRED, busy: false, error: action.error || null };
    case "finish": {
      if (!at(STEP.CATALOGUE, STEP.SYNC) || !hasConnections(state) || !syncFinished(state)) return state;
      return { ...state, step: stepAfter(state, "connect"), busy: true };
    }
    case "completed":
      return at(STEP.COMPLETING) ? { ...state, step: STEP.DONE, busy: false, result: action.result } : state;
    case "failed":
      return { ...state, step: STEP.FAILED, busy: false, error: action.error };
    default:
      // Each step's own actions: connect's, then map_*, recon_*, review_* and invite_* (each reducer leaves others'
      // actions alone), then the session life's (where to open, resume, update mode), which reads the step they chose.
      const steps = reduceReview(reduceReconcile(reduceMap(reduceConnect(state, action), action), action), action);
      return reduceLife(reduceInvite(steps, action), action, connectedCategories);
  }
}
