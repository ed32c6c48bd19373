/**
 * The connect step's effects: start an app's attempt, open and watch the OAuth popup, send the sign-in forms, poll
 * the attempt and then the first sync. They take the broker client and the store (`io`) and what they use of the
 * window (`win`: the popup opener, timers, message listeners), so that node --test runs them with fakes.
 */
import { FROM_POPUP, acceptMessage } from "../../messages.js";
import { tokenRejected } from "../effects.js";
import { STEP } from "../steps.js";
import { formError } from "./forms_view.js";
import { appByKey, formProblem, syncFinished, visibleApps } from "./state.js";

/** How often the attempt and the first sync are polled. */
export const POLL_MS = 1000;
const POPUP_NAME = "ledgerlink_connect";
const POPUP_FEATURES = "popup,width=500,height=720";

/**
 * @typedef {{open: (url: string, name: string, features: string) => any, setTimeout: typeof setTimeout,
 *   clearTimeout: typeof clearTimeout, addEventListener: (type: string, listener: Function) => void,
 *   location: {origin: string}}} ConnectWindow what the connect step uses of the window
 */

/**
 * @param {import("../effects.js").Io} io
 * @param {ConnectWindow} win
 */
export function connectEffects(io, win) {
  const { broker, dispatch, getState, emit, announce, t } = io;
  let popup = null;
  let pollTimer = 0;
  let syncTimer = 0;
  // The form attempt being started: a Sign in pressed before it is answered waits for it instead of starting another.
  let starting = null;

  function stopPolling() {
    win.clearTimeout(pollTimer);
    pollTimer = 0;
  }

  function closePopup() {
    if (popup && !popup.closed) popup.close();
  }

  function openPopup(url) {
    try {
      return win.open(url, POPUP_NAME, POPUP_FEATURES);
    } catch {
      return null;
    }
  }

  async function beginPopupAttempt(app, opened) {
    popup = opened;
    if (!popup) {
      dispatch({ type: "popup_blocked" });
      emit("error", { code: "popup_blocked", step: STEP.POPUP, integration: app.key });
    }
    let attempt;
    try {
      attempt = await broker.startAttempt(app.key);
    } catch (error) {
      closePopup();
      io.fail(error, app.key);
      return;
    }
    dispatch({ type: "attempt_started", attempt });
    if (popup && !popup.closed) popup.location.replace(attempt.connect_url);
    pollAttempt(attempt.attempt_id);
  }

  function pollAttempt(attemptId) {
    stopPolling();
    const tick = async () => {
      const state = getState();
      if (io.exited() || !state.attempt || state.attempt.attempt_id !== attemptId) return;
      if (popup && popup.closed) dispatch({ type: "popup_closed" });
      try {
        const answer = await broker.attempt(attemptId);
        if (answer.status !== "pending") return onAttemptResult(answer);
      } catch (error) {
        if (tokenRejected(error)) return io.fail(error);
      }
      pollTimer = win.setTimeout(tick, POLL_MS);
    };
    pollTimer = win.setTimeout(tick, POLL_MS);
  }

  function onAttemptResult(answer) {
    stopPolling();
    const before = getState();
    const app = appByKey(before, before.selected);
    const state = dispatch({ type: "attempt_result", ...answer });
    // The popup's message and the poll can both bring the same result; only the first one changes the state.
    if (state === before) return;
    if (answer.status === "connected" && app) {
      emit("connected", { integration: app.key, category: app.category, auth_type: app.auth_type });
      announce(t("sync.title", { app: app.name }));
      pollSync();
    } else if (answer.status === "denied" && app) {
      emit("error", { code: "denied", step: before.step, integration: app.key });
    } else if (answer.status !== "pending" && answer.status !== "mfa_required" && state.step === STEP.FAILED) {
      // The step the owner was on when it failed: "mfa" after wrong codes, "credentials", "popup"...
      emit("error", { code: answer.error || answer.status, step: before.step, integration: app ? app.key : null });
    }
    if (answer.status !== "pending") closePopup();
  }

  // The callback page in the popup tells us it landed; the broker stays the source of truth for the result.
  win.addEventListener("message", async (event) => {
    const message = acceptMessage(event, { source: popup, origin: win.location.origin, guards: FROM_POPUP });
    const { attempt } = getState();
    if (!message || !attempt || message.payload.attempt_id !== attempt.attempt_id) return;
    try {
      const answer = await broker.attempt(message.payload.attempt_id);
      if (answer.status !== "pending") onAttemptResult(answer);
    } catch (error) {
      io.fail(error);
    }
  });

  /** Poll the connections until every one made in this session has finished its first sync. */
  function pollSync() {
    win.clearTimeout(syncTimer);
    const tick = async () => {
      if (io.exited()) return;
      try {
        const answer = await broker.connections();
        const before = syncFinished(getState());
        const state = dispatch({ type: "connections", connections: answer.connections });
        if (!before && syncFinished(state)) {
          const names = state.made.map((k) => appByKey(state, k)?.name || k);
          announce(names.map((app) => t("sync.done", { app })).join(". "));
        }
      } catch (error) {
        if (tokenRejected(error)) return io.fail(error);
      }
      if (!syncFinished(getState())) syncTimer = win.setTimeout(tick, POLL_MS);
    };
    syncTimer = win.setTimeout(tick, POLL_MS / 2);
  }

  function startFormAttempt(app) {
    const pending = (async () => {
      try {
        const attempt = await broker.startAttempt(app.key);
        if (getState().selected === app.key) dispatch({ type: "attempt_started", attempt });
      } catch (error) {
        io.fail(error, app.key);
      } finally {
        if (starting === pending) starting = null;
      }
    })();
    starting = pending;
    return pending;
  }

  /**
   * Check a sign-in form, then send it (once the attempt is started) and take in the answer.
   * @param {"credentials" | "mfa" | "upload"} kind @param {Record<string, any>} fields
   * @param {(fields: Record<string, any>) => any} [toBody] what the broker is sent (the fields themselves by default)
   */
  async function submit(kind, fields, toBody = (f) => f) {
    const error = formProblem(kind, fields, t);
    if (error) return dispatch({ type: "invalid", error });
    const body = toBody(fields);
    if (getState().busy) return;
    if (!getState().attempt) await (starting || startFormAttempt(appByKey(getState(), getState().selected)));
    const { attempt } = getState();
    if (!attempt) return;
    dispatch({ type: "busy" });
    try {
      const answer = await broker[kind](attempt.attempt_id, body);
      onAttemptResult(answer);
      if (answer.status === "invalid_credentials" || answer.status === "invalid_code")
        announce(formError(getState(), { t }, answer.status === "invalid_code" ? "code" : "password"));
    } catch (error) {
      io.fail(error);
    }
  }

  function select(key) {
    const app = appByKey(getState(), key);
    if (!app || io.exited()) return;
    // Opened synchronously inside the click so that popup blockers let it through.
    const opened = app.auth_type === "oauth2" ? openPopup("") : undefined;
    const before = getState();
    const state = dispatch({ type: "select", key });
    if (state === before) {
      if (opened) opened.close();
      return;
    }
    emit("app_selected", { integration: app.key, category: app.category, auth_type: app.auth_type });
    if (app.auth_type === "oauth2") beginPopupAttempt(app, opened);
    else if (state.step !== STEP.FAILED) startFormAttempt(app);
  }

  function reopen() {
    const state = getState();
    const app = appByKey(state, state.selected);
    if (!app) return;
    if (popup && !popup.closed) {
      popup.focus();
      return;
    }
    if (state.step === STEP.BLOCKED && state.attempt) {
      // The blocked attempt's URL was never loaded, so its single-use embed token is still good.
      popup = openPopup(state.attempt.connect_url);
      if (popup) dispatch({ type: "popup_opened" });
      else announce(t("blocked.title"));
      return;
    }
    const opened = openPopup("");
    stopPolling();
    dispatch({ type: "back" });
    dispatch({ type: "select", key: app.key });
    beginPopupAttempt(app, opened);
  }

  function back() {
    stopPolling();
    closePopup();
    dispatch({ type: "back" });
  }

  return {
    pollSync,
    /** Stop polling the attempt and close the popup (the widget exits). */
    stop() {
      stopPolling();
      closePopup();
    },
    /** Stop polling the first sync (the session is complete). */
    stopSync: () => win.clearTimeout(syncTimer),
    actions: {
      search: (query) => {
        const { recommended, others } = visibleApps(dispatch({ type: "search", query }));
        const count = recommended.length + others.length;
        announce(count ? t("resultsCount", { count }) : t("noResults", { query }));
      },
      filter: (category) => dispatch({ type: "filter", category }),
      select,
      reopen,
      back,
      retry: () => {
        back();
        select(getState().selected || "");
      },
      submitCredentials: ({ username, password }) => submit("credentials", { username, password }),
      submitMfa: ({ code }) => submit("mfa", { code }),
      submitUpload: ({ chart, trial }) =>
        submit("upload", { chart, trial }, () => {
          const form = new FormData();
          form.append("chart_of_accounts", chart, chart.name);
          form.append("trial_balances", trial, trial.name);
          return form;
        }),
      finish: () => {
        const before = getState();
        if (dispatch({ type: "finish" }) !== before) io.enterStep();
      },
    },
  };
}
