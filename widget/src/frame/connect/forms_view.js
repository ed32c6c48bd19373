/**
 * The connect step's sign-in forms: credentials, the MFA code and the CSV upload, each field with its inline error
 * (text only; every string from the catalogue).
 */
import { h } from "../dom.js";
import { actionsRow, button, field, stepBox } from "../parts.js";
import { appName } from "./view.js";

/** The inline error of a field, in words (a wrong password or code says how many tries are left). */
export function formError(state, ctx, fieldName) {
  const error = state.formError;
  if (!error || error.field !== fieldName) return null;
  const vars = { app: appName(state, ctx), field: error.label || "", reason: error.reason || "", count: error.count };
  return ctx.t(error.key, vars);
}

/**
 * A sign-in step: title, what to do, and the form with its fields, submit (Working… while busy) and Cancel.
 * @param {Record<string, any>} state
 * @param {{t: Function, actions: Record<string, Function>}} ctx
 * @param {{title: string, body: string, submit: string, onsubmit: (event: Event) => void, fields: HTMLElement[]}} spec
 */
function signInStep(state, ctx, { title, body, submit, onsubmit, fields }) {
  const { t, actions } = ctx;
  return stepBox(
    title,
    h("p", {}, body),
    h(
      "form",
      { noValidate: true, onsubmit, "aria-busy": state.busy ? "true" : null },
      ...fields,
      actionsRow(
        h(
          "button",
          { type: "submit", className: "btn btn-primary", disabled: state.busy },
          state.busy ? t("working") : t(submit),
        ),
        button(t("cancel"), actions.back),
      ),
    ),
  );
}

/** Username and password for an app that signs in with them. */
export function credentials(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  const onsubmit = (event) => {
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
  // Update mode (reconnecting a broken connection) says so, and that the connection and its data are kept.
  const reconnecting = state.life && state.life.mode === "update";
  const body = t("credentials.body", { app, lender: ctx.lender });
  return signInStep(state, ctx, {
    title: t(reconnecting ? "reconnect.title" : "credentials.title", { app }),
    body: reconnecting ? `${body} ${t("reconnect.kept")}` : body,
    submit: "credentials.submit",
    onsubmit,
    fields: [
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
    ],
  });
}

/** The one-time code the app sent. */
export function mfa(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  const destination = state.challenge && state.challenge.destination;
  const onsubmit = (event) => {
    event.preventDefault();
    actions.submitMfa({ code: event.currentTarget.elements.code.value.replace(/\s+/g, "") });
  };
  return signInStep(state, ctx, {
    title: t("mfa.title"),
    body: destination ? t("mfa.body", { app, destination }) : t("mfa.bodyGeneric", { app }),
    submit: "mfa.submit",
    onsubmit,
    fields: [
      field({
        id: "code",
        label: t("mfa.code"),
        hint: t("mfa.hint"),
        error: formError(state, ctx, "code"),
        input: { type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6", required: true },
      }),
    ],
  });
}

/** The chart of accounts and trial balances as CSV files. */
export function upload(state, ctx) {
  const { t, actions } = ctx;
  const app = appName(state, ctx);
  const onsubmit = (event) => {
    event.preventDefault();
    const { chart, trial } = event.currentTarget.elements;
    actions.submitUpload({ chart: chart.files[0] || null, trial: trial.files[0] || null });
  };
  const csvField = (id, label) =>
    field({
      id,
      label,
      error: formError(state, ctx, id),
      input: { type: "file", accept: ".csv,text/csv", required: true },
    });
  return signInStep(state, ctx, {
    title: t("upload.title", { app }),
    body: t("upload.body", { app }),
    submit: "upload.submit",
    onsubmit,
    fields: [csvField("chart", t("upload.chart")), csvField("trial", t("upload.trial"))],
  });
}
