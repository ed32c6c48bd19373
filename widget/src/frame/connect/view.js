/**
 * The connect step's views: the catalogue, the OAuth popup (and a blocked one), the first sync, and an app that
 * denied or failed (text only; every string from the catalogue). The sign-in forms are in forms_view.js.
 */
import { h } from "../dom.js";
import { codeSentence } from "../i18n.js";
import { CATEGORIES } from "../../messages.js";
import { actionsRow, button, heading, stepBox, waiting } from "../parts.js";
import { appByKey, canConnect, hasConnections, syncFinished, visibleApps } from "./state.js";

/**
 * @typedef {{t: (key: string, vars?: Record<string, any>) => string, lender: string, actions: Record<string, Function>}} Ctx
 */

/** The selected app's name (or the generic word). @param {Record<string, any>} state @param {Ctx} ctx */
export function appName(state, ctx) {
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

/** The catalogue: search, category chips, the app tiles and Done. */
export function catalogue(state, ctx) {
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

/**
 * The button that leaves the connect step: it says it is not ready yet (and why, in `hintId`) until every first
 * sync is done, but stays focusable.
 */
const finishButton = (text, onclick, ready, hintId) =>
  button(text, onclick, "primary", {
    "aria-disabled": ready ? null : "true",
    "aria-describedby": ready ? null : hintId,
  });

/** The catalogue's sticky row: how many apps are connected and Done (patched in place while syncs finish). */
export function renderCatalogueActions(state, ctx) {
  const { t, actions } = ctx;
  const ready = hasConnections(state) && syncFinished(state);
  const connected = state.apps.filter((a) => a.connected && a.status !== "error").length;
  return h(
    "div",
    { id: "catalogue-actions", className: "actions sticky" },
    connected ? h("span", { className: "count" }, t("connectedCount", { count: connected })) : null,
    finishButton(t("done"), actions.finish, ready, "done-hint"),
    ready ? null : h("span", { id: "done-hint", className: "hint" }, t("doneHint")),
  );
}

/** The OAuth popup is open (or was closed): waiting for the app's answer. */
export function popup(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  // A closed window (or one whose opener link the app cut) looks the same from here: ask, and offer to open it again.
  return stepBox(
    t("popup.title", { app }),
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

/** The browser blocked the popup: open it again from a click. */
export function blocked(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  return stepBox(
    t("blocked.title"),
    h("p", { role: "alert" }, t("blocked.body", { app })),
    actionsRow(button(t("blocked.retry"), actions.reopen, "primary"), button(t("chooseAnother"), actions.back)),
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

/** The first sync of the connections made, with Continue once they are done. */
export function sync(state, ctx) {
  const { t, actions } = ctx;
  const last = appByKey(state, state.made[state.made.length - 1]);
  const ready = syncFinished(state);
  return stepBox(
    t("sync.title", { app: last ? last.name : "" }),
    h("p", { id: "sync-body" }, t(ready ? "sync.bodyDone" : "sync.body")),
    renderProgress(state, ctx),
    actionsRow(
      finishButton(t("sync.continue"), actions.finish, ready, "sync-hint"),
      // Update mode reconnects one app: there is no other to connect.
      state.life && state.life.mode === "update" ? null : button(t("sync.another"), actions.back),
    ),
    ready ? null : h("p", { id: "sync-hint", className: "hint" }, t("sync.wait")),
  );
}

/** The owner refused access in the app. */
export function denied(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  return stepBox(
    t("denied.title", { app }),
    h("p", {}, t("denied.body")),
    actionsRow(button(t("tryAgain"), actions.retry, "primary"), button(t("chooseAnother"), actions.back)),
  );
}

/** Connecting failed: the code's sentence, Try again and Choose another. */
export function failed(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  const code = (state.error && state.error.code) || "error";
  const text = codeSentence(t, code, { app, lender: ctx.lender });
  return stepBox(
    state.selected ? t("failed.title", { app }) : t("failed.generic"),
    h("p", { role: "alert" }, text),
    actionsRow(
      state.selected ? button(t("tryAgain"), actions.retry, "primary") : null,
      button(t("chooseAnother"), actions.back, state.selected ? "secondary" : "primary"),
    ),
  );
}
