/**
 * The session's life across tokens: where the frame opens (update mode's reconnect screen, the resume offer), the
 * step to record as the owner moves on, and `resumable` for `onExit`. A pure reducer fed by the broker's progress
 * answer (`GET /v1/link/bootstrap`'s `progress`, `POST /v1/link/resume`, `PUT /v1/link/progress`).
 */
import { AFTER_CONNECT, STEP } from "../steps.js";

/** The broker's steps, in the flow's order (`PUT /v1/link/progress`'s `step`). */
export const SESSION_STEPS = Object.freeze(["connect", "map", "reconcile", "review"]);

/** The frame's screens that belong to the broker's "connect" step. */
const CONNECT_SCREENS = new Set([
  STEP.CATALOGUE,
  STEP.RECONNECT,
  STEP.POPUP,
  STEP.BLOCKED,
  STEP.CREDENTIALS,
  STEP.MFA,
  STEP.UPLOAD,
  STEP.SYNC,
  STEP.DENIED,
  STEP.FAILED,
]);

/** @returns {Record<string, any>} what the frame knows of the session's life before the broker says */
export function initialLife() {
  return { mode: "create", integration: null, resumable: false, offer: null, busy: false, failed: false };
}

/**
 * The broker's step a frame screen belongs to, or null for a screen that is no step (loading, resume, done...).
 * @param {string} step a STEP value
 * @returns {string | null}
 */
export function sessionStep(step) {
  if (CONNECT_SCREENS.has(step)) return "connect";
  return SESSION_STEPS.includes(step) ? step : null;
}

/**
 * What to record when the owner moves from `previous` to `state` (`PUT /v1/link/progress`), or null: the broker's
 * step reached when it is not the one the broker last said, and, moving forward, the step just finished. Nothing on
 * the first screen: the bootstrap answer already says where the session is.
 * @param {Record<string, any>} previous
 * @param {Record<string, any>} state
 * @returns {{step: string, done: string[]} | null}
 */
export function progressToRecord(previous, state) {
  const step = sessionStep(state.step);
  if (!step || !state.life.known || step === state.life.at) return null;
  const from = sessionStep(previous.step) || state.life.at;
  const forward = Boolean(from) && SESSION_STEPS.indexOf(from) < SESSION_STEPS.indexOf(step);
  return { step, done: forward ? [from] : [] };
}

/**
 * The screen a resumed session opens at: the furthest step after connect, not past the broker's `openAt`, that the
 * token's scopes and the connected apps allow; else the catalogue.
 * @param {Record<string, any>} state
 * @param {string} openAt one of SESSION_STEPS
 * @param {Set<string>} connected the categories connected now
 */
export function openingStep(state, openAt, connected) {
  const limit = SESSION_STEPS.indexOf(openAt);
  const scopes = state.session ? state.session.scopes : [];
  const allowed = AFTER_CONNECT.filter(
    (s) =>
      SESSION_STEPS.indexOf(s.id) !== -1 &&
      SESSION_STEPS.indexOf(s.id) <= limit &&
      scopes.includes(s.scope) &&
      (s.needs || []).every((c) => connected.has(c)),
  );
  return allowed.length ? allowed[allowed.length - 1].id : STEP.CATALOGUE;
}

/** The life the broker's progress answer describes. */
function fromProgress(life, progress) {
  const resume = progress.resume || {};
  return {
    ...life,
    known: true,
    at: typeof progress.step === "string" ? progress.step : null,
    mode: progress.mode === "update" ? "update" : "create",
    integration: typeof progress.integration === "string" ? progress.integration : null,
    resumable: progress.resumable === true,
    offer: resume.available ? { step: resume.step, steps_done: resume.steps_done || [] } : null,
  };
}

/**
 * The session life's reducer: runs after the steps' reducers (it reads the step they chose).
 * @param {Record<string, any>} state
 * @param {{type: string, [key: string]: any}} action
 * @param {(state: Record<string, any>) => Set<string>} connectedCategories
 * @returns {Record<string, any>}
 */
export function reduceLife(state, action, connectedCategories) {
  switch (action.type) {
    case "loaded": {
      if (state.step !== STEP.CATALOGUE || !action.progress) return state;
      const life = fromProgress(state.life, action.progress);
      const hasApp = life.integration && state.apps.some((a) => a.key === life.integration);
      if (life.mode === "update")
        return { ...state, life, step: hasApp ? STEP.RECONNECT : STEP.FAILED, selected: life.integration };
      return { ...state, life, step: life.offer ? STEP.RESUME : STEP.CATALOGUE };
    }
    case "resume_busy":
      return state.step === STEP.RESUME ? { ...state, life: { ...state.life, busy: true, failed: false } } : state;
    case "resumed": {
      if (state.step !== STEP.RESUME) return state;
      const life = { ...fromProgress(state.life, action.progress), offer: null, busy: false };
      const next = { ...state, life };
      return { ...next, step: openingStep(next, action.progress.open_at, connectedCategories(next)) };
    }
    case "resume_failed":
      return state.step === STEP.RESUME ? { ...state, life: { ...state.life, busy: false, failed: true } } : state;
    case "start_fresh":
      return state.step === STEP.RESUME
        ? { ...state, step: STEP.CATALOGUE, life: { ...state.life, offer: null } }
        : state;
    case "progress":
      if (!state.life.known) return state;
      return {
        ...state,
        life: { ...state.life, at: action.progress.step, resumable: action.progress.resumable === true },
      };
    default:
      // Update mode has one app to reconnect: every way back to the catalogue leads to its reconnect screen.
      if (state.life.mode === "update" && state.step === STEP.CATALOGUE) return { ...state, step: STEP.RECONNECT };
      return state;
  }
}
