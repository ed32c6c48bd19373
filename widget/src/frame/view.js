/**
 * The frame's views: one function per step turning the state into DOM (text only; every string from the
 * catalogue). The controller re-renders a step when it changes and patches lists in place otherwise.
 */
import { h } from "./dom.js";
import { codeSentence } from "./i18n.js";
import { renderMap } from "./map.js";
import { renderReconcile } from "./reconcile.js";
import { CATEGORIES } from "../messages.js";
import { STEP, appByKey, canConnect, hasConnections, syncFinished, visibleApps } from "./state.js";

/**
 * @typedef {{t: (key: string, vars?: Record<string, any>) => string, lender: string, actions: Record<string, Function>}} Ctx
 */

const heading = (text) => h("h1", { className: "step-title", tabindex: "-1" }, text);
const button = (text, onclick, kind = "secondary", extra = {}) =>
  h("button", { type: "button", className: `btn btn-${kind}`, onclick, ...extra }, text);
const actionsRow = (...buttons) => h("div", { className: "actions" }, ...buttons);

/** @param {Record<string, any>} state @param {Ctx} ctx */
function appName(state, ctx) {
  const app = appByKey(state, state.selected);
  return app ? app.name : ctx.t("failed.generic");
}

/** @param {Record<string, any>} app @param {Ctx} ctx */
function appTile(app, ctx) {
  const { t } = ctx;
  const badge =
    app.connected && app.status
      ? h(
          "span",
          {
            className: `badge badge-${app.status === "error" ? "error" : app.status === "syncing" ? "syncing" : "ok"}`,
          },
          t(app.status === "error" ? "badge.error" : app.status === "syncing" ? "badge.syncing" : "badge.connected"),
        )
      : null;
  const body = [
    h("span", { className: `app-mark cat-${app.category}`, "aria-hidden": "true" }, app.name.slice(0, 1)),
    h(
      "span",
      { className: "app-text" },
      h("span", { className: "app-name" }, app.name),
      h(
        "span",
        { className: "app-meta" },
        `${t(`category.${app.category}`)} · ${t(`auth.${app.auth_type}`, { app: app.name })}`,
      ),
    ),
    badge,
  ];
  if (!canConnect(app)) return h("li", {}, h("div", { className: "app is-connected" }, ...body));
  return h(
    "li",
    {},
    h(
      "button",
      {
        type: "button",
        className: "app",
        "data-app": app.key,
        // No aria-label: the visible text (name, kind, status badge, "Reconnect") is the accessible name (WCAG 2.5.3).
        onclick: () => ctx.actions.select(app.key),
      },
      ...body,
      app.connected ? h("span", { className: "app-action" }, t("action.reconnect")) : null,
    ),
  );
}

/** The result lists of the catalogue (patched on search and filter without touching the inputs). */
export function renderResults(state, ctx) {
  const { t } = ctx;
  const { recommended, others } = visibleApps(state);
  const count = recommended.length + others.length;
  const section = (title, apps, id) =>
    apps.length === 0
      ? null
      : h(
          "section",
          { "aria-labelledby": id },
          h("h2", { id, className: "list-title" }, title),
          h(
            "ul",
            { className: "apps", role: "list" },
            apps.map((a) => appTile(a, ctx)),
          ),
        );
  return h(
    "div",
    { id: "results" },
    count === 0 ? h("p", { className: "empty" }, t("noResults", { query: state.query })) : null,
    section(t("recommended", { lender: ctx.lender }), recommended, "list-recommended"),
    section(t("allApps"), others, "list-all"),
  );
}

function catalogue(state, ctx) {
  const { t, actions } = ctx;
  const categories = CATEGORIES.filter((c) => !state.categories || state.categories.includes(c));
  const options = categories.length > 1 ? ["all", ...categories] : [];
  return h(
    "div",
    { className: "step step-catalogue" },
    heading(t("title")),
    h("p", { className: "lead" }, t("intro", { lender: ctx.lender })),
    h(
      "div",
      { className: "search" },
      h("label", { for: "search" }, t("search")),
      h("input", {
        id: "search",
        type: "search",
        autocomplete: "off",
        spellcheck: "false",
        placeholder: t("searchPlaceholder"),
        value: state.query,
        "aria-controls": "results",
        oninput: (e) => actions.search(e.target.value),
      }),
    ),
    options.length
      ? h(
          "fieldset",
          { className: "chips" },
          h("legend", {}, t("category")),
          options.map((c) =>
            h(
              "label",
              { className: "chip" },
              h("input", {
                type: "radio",
                name: "category",
                value: c,
                checked: state.category === c,
                onchange: () => actions.filter(c),
              }),
              h("span", {}, t(`category.${c}`)),
            ),
          ),
        )
      : null,
    renderResults(state, ctx),
    renderCatalogueActions(state, ctx),
  );
}

/** The catalogue's sticky row: how many apps are connected and Done (patched in place while syncs finish). */
export function renderCatalogueActions(state, ctx) {
  const { t, actions } = ctx;
  const ready = hasConnections(state) && syncFinished(state);
  const connected = state.apps.filter((a) => a.connected && a.status !== "error").length;
  return h(
    "div",
    { id: "catalogue-actions", className: "actions sticky" },
    connected ? h("span", { className: "count" }, t("connectedCount", { count: connected })) : null,
    button(t("done"), actions.finish, "primary", {
      "aria-disabled": ready ? null : "true",
      "aria-describedby": ready ? null : "done-hint",
    }),
    ready ? null : h("span", { id: "done-hint", className: "hint" }, t("doneHint")),
  );
}

function waiting(text) {
  return h("p", { className: "waiting" }, h("span", { className: "spinner", "aria-hidden": "true" }), text);
}

function popup(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  // A closed window (or one whose opener link the app cut) looks the same from here: ask, and offer to open it again.
  return h(
    "div",
    { className: "step" },
    heading(t("popup.title", { app })),
    h("p", {}, t("popup.body", { app })),
    state.popupClosed
      ? h("p", { role: "alert", className: "warning" }, t("popup.closed", { app }))
      : waiting(t("popup.waiting", { app })),
    actionsRow(
      button(t(state.popupClosed ? "popup.openAgain" : "popup.reopen"), actions.reopen, "primary"),
      button(t("cancel"), actions.back),
    ),
  );
}

function blocked(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  return h(
    "div",
    { className: "step" },
    heading(t("blocked.title")),
    h("p", { role: "alert" }, t("blocked.body", { app })),
    actionsRow(button(t("blocked.retry"), actions.reopen, "primary"), button(t("chooseAnother"), actions.back)),
  );
}

/**
 * A labelled input with its inline error (aria-invalid + aria-describedby).
 * @param {{id: string, label: string, error?: string | null, hint?: string, input: Record<string, any>}} spec
 */
function field({ id, label, error, hint, input }) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return h(
    "div",
    { className: "field" },
    h("label", { for: id }, label),
    hint ? h("span", { id: `${id}-hint`, className: "hint" }, hint) : null,
    h("input", {
      id,
      name: id,
      "aria-invalid": error ? "true" : null,
      "aria-describedby": described || null,
      ...input,
    }),
    error ? h("p", { id: `${id}-error`, className: "field-error" }, error) : null,
  );
}

/** The inline error of a field, in words (a wrong password or code says how many tries are left). */
export function formError(state, ctx, fieldName) {
  const error = state.formError;
  if (!error || error.field !== fieldName) return null;
  const vars = { app: appName(state, ctx), field: error.label || "", reason: error.reason || "", count: error.count };
  return ctx.t(error.key, vars);
}

function credentials(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  const submit = (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    actions.submitCredentials({
      username: form.elements.username.value.trim(),
      password: form.elements.password.value,
    });
  };
  const toggle = (event) => {
    const input = event.currentTarget.form.elements.password;
    input.type = event.currentTarget.checked ? "text" : "password";
  };
  return h(
    "div",
    { className: "step" },
    heading(t("credentials.title", { app })),
    h("p", {}, t("credentials.body", { app, lender: ctx.lender })),
    h(
      "form",
      { noValidate: true, onsubmit: submit, "aria-busy": state.busy ? "true" : null },
      field({
        id: "username",
        label: t("credentials.username"),
        error: formError(state, ctx, "username"),
        input: { type: "text", autocomplete: "username", autocapitalize: "none", spellcheck: "false", required: true },
      }),
      field({
        id: "password",
        label: t("credentials.password"),
        error: formError(state, ctx, "password"),
        input: { type: "password", autocomplete: "current-password", required: true },
      }),
      h("label", { className: "check" }, h("input", { type: "checkbox", onchange: toggle }), t("credentials.show")),
      actionsRow(
        h(
          "button",
          { type: "submit", className: "btn btn-primary", disabled: state.busy },
          state.busy ? t("working") : t("credentials.submit"),
        ),
        button(t("cancel"), actions.back),
      ),
    ),
  );
}

function mfa(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  const destination = state.challenge && state.challenge.destination;
  const submit = (event) => {
    event.preventDefault();
    actions.submitMfa({ code: event.currentTarget.elements.code.value.replace(/\s+/g, "") });
  };
  return h(
    "div",
    { className: "step" },
    heading(t("mfa.title")),
    h("p", {}, destination ? t("mfa.body", { app, destination }) : t("mfa.bodyGeneric", { app })),
    h(
      "form",
      { noValidate: true, onsubmit: submit, "aria-busy": state.busy ? "true" : null },
      field({
        id: "code",
        label: t("mfa.code"),
        hint: t("mfa.hint"),
        error: formError(state, ctx, "code"),
        input: { type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6", required: true },
      }),
      actionsRow(
        h(
          "button",
          { type: "submit", className: "btn btn-primary", disabled: state.busy },
          state.busy ? t("working") : t("mfa.submit"),
        ),
        button(t("cancel"), actions.back),
      ),
    ),
  );
}

function upload(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  const submit = (event) => {
    event.preventDefault();
    const { chart, trial } = event.currentTarget.elements;
    actions.submitUpload({ chart: chart.files[0] || null, trial: trial.files[0] || null });
  };
  const accept = ".csv,text/csv";
  return h(
    "div",
    { className: "step" },
    heading(t("upload.title", { app })),
    h("p", {}, t("upload.body", { app })),
    h(
      "form",
      { noValidate: true, onsubmit: submit, "aria-busy": state.busy ? "true" : null },
      field({
        id: "chart",
        label: t("upload.chart"),
        error: formError(state, ctx, "chart"),
        input: { type: "file", accept, required: true },
      }),
      field({
        id: "trial",
        label: t("upload.trial"),
        error: formError(state, ctx, "trial"),
        input: { type: "file", accept, required: true },
      }),
      actionsRow(
        h(
          "button",
          { type: "submit", className: "btn btn-primary", disabled: state.busy },
          state.busy ? t("working") : t("upload.submit"),
        ),
        button(t("cancel"), actions.back),
      ),
    ),
  );
}

/** The per-connection progress list of the sync step (patched in place while polling). */
export function renderProgress(state, ctx) {
  const { t } = ctx;
  return h(
    "ul",
    { id: "progress", className: "progress-list", role: "list" },
    state.made.map((key) => {
      const app = appByKey(state, key);
      const name = app ? app.name : key;
      const c = state.connections.find((x) => x.integration === key) || { status: "syncing", sync_progress: 0 };
      const percent = Math.max(0, Math.min(100, Math.round(c.status === "healthy" ? 100 : c.sync_progress || 0)));
      const text =
        c.status === "error"
          ? t("sync.failed", { app: name })
          : percent >= 100
            ? t("sync.done", { app: name })
            : t("sync.progress", { app: name, percent });
      return h(
        "li",
        { className: `progress-item is-${c.status}` },
        h("span", { id: `progress-${key}` }, text),
        h("progress", { max: 100, value: percent, "aria-labelledby": `progress-${key}` }),
      );
    }),
  );
}

function sync(state, ctx) {
  const { t, actions } = ctx;
  const last = appByKey(state, state.made[state.made.length - 1]);
  const ready = syncFinished(state);
  return h(
    "div",
    { className: "step" },
    heading(t("sync.title", { app: last ? last.name : "" })),
    h("p", { id: "sync-body" }, t(ready ? "sync.bodyDone" : "sync.body")),
    renderProgress(state, ctx),
    actionsRow(
      button(t("sync.continue"), actions.finish, "primary", {
        "aria-disabled": ready ? null : "true",
        "aria-describedby": ready ? null : "sync-hint",
      }),
      button(t("sync.another"), actions.back),
    ),
    ready ? null : h("p", { id: "sync-hint", className: "hint" }, t("sync.wait")),
  );
}

function denied(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  return h(
    "div",
    { className: "step" },
    heading(t("denied.title", { app })),
    h("p", {}, t("denied.body")),
    actionsRow(button(t("tryAgain"), actions.retry, "primary"), button(t("chooseAnother"), actions.back)),
  );
}

function failed(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  const code = (state.error && state.error.code) || "error";
  const text = codeSentence(t, code, { app, lender: ctx.lender });
  return h(
    "div",
    { className: "step" },
    heading(state.selected ? t("failed.title", { app }) : t("failed.generic")),
    h("p", { role: "alert" }, text),
    actionsRow(
      state.selected ? button(t("tryAgain"), actions.retry, "primary") : null,
      button(t("chooseAnother"), actions.back, state.selected ? "secondary" : "primary"),
    ),
  );
}

function expired(state, ctx) {
  const { t, actions } = ctx;
  return h(
    "div",
    { className: "step" },
    heading(t("expired.title")),
    // Without a lender's name (a token the broker could not read), "start again from Your lender" would make no sense.
    h("p", { role: "alert" }, ctx.named ? t("expired.body", { lender: ctx.lender }) : t("expired.bodyGeneric")),
    actionsRow(button(t("close"), actions.close, "primary")),
  );
}

function loading(state, ctx) {
  return h("div", { className: "step step-loading" }, waiting(ctx.t("loading")));
}

function done(state, ctx) {
  const { t } = ctx;
  return h(
    "div",
    { className: "step" },
    heading(t("complete.title")),
    h("p", {}, t("complete.body", { lender: ctx.lender })),
  );
}

const VIEWS = Object.freeze({
  [STEP.LOADING]: loading,
  [STEP.CATALOGUE]: catalogue,
  [STEP.POPUP]: popup,
  [STEP.BLOCKED]: blocked,
  [STEP.CREDENTIALS]: credentials,
  [STEP.MFA]: mfa,
  [STEP.UPLOAD]: upload,
  [STEP.SYNC]: sync,
  [STEP.DENIED]: denied,
  [STEP.FAILED]: failed,
  [STEP.COMPLETING]: loading,
  [STEP.DONE]: done,
  [STEP.EXPIRED]: expired,
  [STEP.MAP]: renderMap,
  [STEP.RECONCILE]: renderReconcile,
});

/**
 * Render the step of `state` (registered later steps fall back to the loading view until they add their own).
 * @param {Record<string, any>} state
 * @param {Ctx} ctx
 * @returns {HTMLElement}
 */
export function renderStep(state, ctx) {
  return (VIEWS[state.step] || loading)(state, ctx);
}

/**
 * The frame's chrome: header (logo, lender name, close), the step area, a footer and the polite live region.
 * @param {{t: Function, lender: string, logoUrl: string | null, onClose: () => void}} spec
 */
export function renderShell({ t, lender, logoUrl, onClose }) {
  return h(
    "div",
    { className: "shell" },
    h(
      "header",
      { className: "bar" },
      logoUrl
        ? h("img", { className: "logo", src: logoUrl, alt: t("logoAlt", { lender }), referrerpolicy: "no-referrer" })
        : null,
      h("span", { className: "brand" }, lender),
      h(
        "button",
        { type: "button", className: "icon-btn", id: "close", "aria-label": t("close"), onclick: onClose },
        h("span", { "aria-hidden": "true" }, "×"),
      ),
    ),
    h("main", { id: "main", className: "content" }),
    h("footer", { className: "foot" }, h("span", { className: "lock", "aria-hidden": "true" }), t("poweredBy")),
    h("div", { id: "live", className: "sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" }),
  );
}
