/**
 * The connect step's state: the catalogue, one app's sign-in (OAuth popup, credentials, MFA, upload) and the first
 * sync. A pure reducer and its selectors (tested with node); the effects live in effects.js, the DOM in view.js.
 */
import { STEP } from "../steps.js";

const AUTH_TO_STEP = Object.freeze({ oauth2: STEP.POPUP, credentials: STEP.CREDENTIALS, upload: STEP.UPLOAD });
/** The largest CSV the upload step sends (the broker refuses more). */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

/**
 * @typedef {{key: string, name: string, category: string, auth_type: string, description?: string,
 *   connected: boolean, status: string | null}} App
 * @typedef {{integration: string, name?: string, category?: string, status: string, sync_progress: number,
 *   error?: string | null}} Connection
 */

/** @param {Record<string, any>} state @param {string} key */
export function appByKey(state, key) {
  return state.apps.find((a) => a.key === key) || null;
}

/**
 * The catalogue as shown: category option and search applied, preselected apps first.
 * @param {Record<string, any>} state
 * @returns {{recommended: App[], others: App[]}}
 */
export function visibleApps(state) {
  const query = state.query.trim().toLocaleLowerCase();
  const shown = state.apps.filter(
    (a) =>
      (!state.categories || state.categories.includes(a.category)) &&
      (state.category === "all" || a.category === state.category) &&
      (!query || a.name.toLocaleLowerCase().includes(query) || a.key.includes(query)),
  );
  const recommended = state.preselected.map((k) => shown.find((a) => a.key === k)).filter(Boolean);
  return { recommended, others: shown.filter((a) => !recommended.includes(a)) };
}

/** Whether an app can be (re)connected: not connected, or connected but in error or inactive. */
export function canConnect(app) {
  return Boolean(app) && (!app.connected || app.status === "error" || app.status === "inactive");
}

/** Whether every connection made in this session has finished its first sync (healthy or failed). */
export function syncFinished(state) {
  return state.made.every((key) => {
    const c = state.connections.find((x) => x.integration === key);
    return c && (c.status === "healthy" || c.status === "error" || c.sync_progress >= 100);
  });
}

/** The categories of the apps connected now (made in this session or before), not counting those in error. */
export function connectedCategories(state) {
  const categories = new Set();
  for (const app of state.apps) {
    if ((app.connected && app.status !== "error") || state.made.includes(app.key)) categories.add(app.category);
  }
  return categories;
}

/** Whether the owner has something to share: a connection made now or one that already existed. */
export function hasConnections(state) {
  return state.made.length > 0 || state.apps.some((a) => a.connected && a.status !== "error");
}

/**
 * What is wrong with a sign-in form before it is sent, as the `invalid` action's error, or null.
 * @param {"credentials" | "mfa" | "upload"} kind
 * @param {Record<string, any>} fields what the form holds (trimmed username, code without spaces, files or null)
 * @param {(key: string) => string} t
 * @returns {{field: string, key: string, label?: string} | null}
 */
export function formProblem(kind, fields, t) {
  if (kind === "credentials") {
    for (const field of ["username", "password"]) {
      if (!fields[field]) return { field, key: "credentials.required", label: t(`credentials.${field}`).toLowerCase() };
    }
  } else if (kind === "mfa") {
    if (!fields.code) return { field: "code", key: "mfa.required" };
    if (!/^\d{6}$/.test(fields.code)) return { field: "code", key: "mfa.format" };
  } else {
    for (const field of ["chart", "trial"]) {
      const file = fields[field];
      const key = !file
        ? "upload.required"
        : !/\.csv$/i.test(file.name)
          ? "upload.type"
          : file.size > MAX_UPLOAD_BYTES
            ? "upload.size"
            : null;
      if (key) return { field, key };
    }
  }
  return null;
}

function withConnections(state, connections) {
  const byKey = new Map(connections.map((c) => [c.integration, c]));
  const apps = state.apps.map((a) => {
    const c = byKey.get(a.key);
    return c ? { ...a, connected: c.status !== "inactive", status: c.status } : a;
  });
  return { ...state, connections, apps };
}

/**
 * The connect step's reducer. Unknown actions and actions that make no sense in the current step leave the state
 * as is.
 * @param {Record<string, any>} state
 * @param {{type: string, [key: string]: any}} action
 * @returns {Record<string, any>}
 */
export function reduceConnect(state, action) {
  const at = (...steps) => steps.includes(state.step);
  switch (action.type) {
    case "loaded": {
      if (!at(STEP.LOADING)) return state;
      const known = new Set(action.apps.map((a) => a.key));
      const next = {
        ...state,
        step: STEP.CATALOGUE,
        session: action.session,
        apps: action.apps,
        categories: action.categories || null,
        preselected: (action.preselected || []).filter((k) => known.has(k)),
      };
      return withConnections(next, action.session.connections || []);
    }
    case "search":
      return { ...state, query: String(action.query).slice(0, 100) };
    case "filter":
      return { ...state, category: action.category };
    case "select": {
      const app = appByKey(state, action.key);
      // Update mode reconnects its one app from its reconnect screen, even a connection that still looks healthy.
      const reconnecting =
        Boolean(app) && state.life && state.life.mode === "update" && state.life.integration === app.key;
      if (!at(STEP.CATALOGUE, STEP.SYNC, STEP.RECONNECT) || !(canConnect(app) || reconnecting)) return state;
      return {
        ...state,
        step: AUTH_TO_STEP[app.auth_type] || STEP.FAILED,
        popupClosed: false,
        selected: app.key,
        attempt: null,
        challenge: null,
        formError: null,
        error: AUTH_TO_STEP[app.auth_type] ? null : { code: "unsupported_app" },
        busy: false,
      };
    }
    case "attempt_started":
      // The first attempt of a selection is the one in use: a late answer must not swap it under a sent form.
      return at(STEP.POPUP, STEP.BLOCKED, STEP.CREDENTIALS, STEP.UPLOAD) && !state.attempt
        ? { ...state, attempt: action.attempt }
        : state;
    case "popup_blocked":
      return at(STEP.POPUP) ? { ...state, step: STEP.BLOCKED } : state;
    case "popup_opened":
      return at(STEP.BLOCKED, STEP.POPUP) ? { ...state, step: STEP.POPUP, popupClosed: false } : state;
    case "popup_closed":
      return at(STEP.POPUP) && !state.popupClosed ? { ...state, popupClosed: true } : state;
    case "busy":
      return { ...state, busy: true, formError: null };
    case "invalid":
      return { ...state, busy: false, formError: action.error };
    case "attempt_result":
      return attemptResult(state, action);
    case "connections":
      return withConnections(state, action.connections);
    case "back":
      if (!at(STEP.POPUP, STEP.BLOCKED, STEP.CREDENTIALS, STEP.MFA, STEP.UPLOAD, STEP.DENIED, STEP.FAILED, STEP.SYNC)) {
        return state;
      }
      return {
        ...state,
        step: STEP.CATALOGUE,
        attempt: null,
        challenge: null,
        formError: null,
        busy: false,
        error: null,
      };
    case "retry": {
      if (!at(STEP.DENIED, STEP.FAILED)) return state;
      const app = appByKey(state, state.selected);
      return reduceConnect({ ...state, step: STEP.CATALOGUE }, { type: "select", key: app ? app.key : "" });
    }
    default:
      return state;
  }
}

function attemptResult(state, action) {
  if (![STEP.POPUP, STEP.BLOCKED, STEP.CREDENTIALS, STEP.MFA, STEP.UPLOAD].includes(state.step)) return state;
  if (state.attempt && action.attempt_id && action.attempt_id !== state.attempt.attempt_id) return state;
  const base = { ...state, busy: false };
  switch (action.status) {
    case "connected": {
      const made = state.made.includes(state.selected) ? state.made : [...state.made, state.selected];
      const apps = state.apps.map((a) => (a.key === state.selected ? { ...a, connected: true, status: "syncing" } : a));
      const connections = state.connections.filter((c) => c.integration !== state.selected);
      connections.push({ integration: state.selected, status: "syncing", sync_progress: 0 });
      return { ...base, step: STEP.SYNC, made, apps, connections, attempt: null, challenge: null, formError: null };
    }
    case "mfa_required":
      return { ...base, step: STEP.MFA, challenge: action.challenge || {}, formError: null };
    case "invalid_credentials":
      return {
        ...base,
        step: STEP.CREDENTIALS,
        formError: { field: "password", ...triesLeft("credentials.invalid", action.attempts_left) },
      };
    case "invalid_code":
      return { ...base, step: STEP.MFA, formError: { field: "code", ...triesLeft("mfa.wrong", action.attempts_left) } };
    case "rejected":
      return {
        ...base,
        step: STEP.UPLOAD,
        formError: { field: "chart", key: "upload.rejected", reason: action.reason || "" },
      };
    case "denied":
      return { ...base, step: STEP.DENIED, attempt: null };
    case "pending":
      return state;
    default:
      return { ...base, step: STEP.FAILED, attempt: null, error: { code: action.error || action.status || "error" } };
  }
}

/** A wrong-answer message that warns how many tries are left, when the app says so (before it locks or resets). */
function triesLeft(key, left) {
  if (!Number.isInteger(left) || left < 1) return { key };
  return { key: left === 1 ? `${key}Left.one` : `${key}Left`, count: left };
}
