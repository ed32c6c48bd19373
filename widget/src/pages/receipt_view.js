/**
 * The receipt page's views: the receipt (status, fields, actions), the revoke confirmation dialog, how to verify,
 * and a failure in words. Built from data with `h` (text only, never HTML strings).
 */
import { h } from "../frame/dom.js";
import { receiptFields, receiptFile, revokedSentences, statusSentence } from "./receipt_state.js";

/**
 * @typedef {{t: (key: string, vars?: Record<string, any>) => string, locale: string, origin: string,
 *   actions: {print: () => void, download: () => void, askRevoke: () => void, revoke: () => void,
 *   cancelRevoke: () => void, retry: () => void}}} PageCtx
 */

const button = (text, onclick, kind, extra = {}) =>
  h("button", { type: "button", className: `btn btn-${kind}`, onclick, ...extra }, text);

/**
 * The whole receipt.
 * @param {Record<string, any>} content what POST /consents/receipt (or /revoke) answered
 * @param {{busy: boolean, error: string | null, revoked: boolean}} view what is happening on the page
 * @param {PageCtx} ctx
 */
export function renderReceipt(content, view, ctx) {
  const { t, locale, actions } = ctx;
  const status = content.status;
  return h(
    "article",
    { className: "receipt", "aria-labelledby": "receipt-title" },
    h("h1", { id: "receipt-title", className: "step-title", tabindex: "-1" }, t("receipt.title")),
    h("p", { className: "receipt-intro" }, t("receipt.intro")),
    h(
      "p",
      { id: "receipt-status", className: `receipt-status is-${status}`, role: view.revoked ? null : "status" },
      statusSentence(t, content, locale),
    ),
    view.revoked
      ? h("div", { id: "revoked-note", role: "alert" }, ...revokedSentences(t, content).map((s) => h("p", {}, s)))
      : null,
    view.error ? h("p", { id: "receipt-error", role: "alert", className: "error" }, view.error) : null,
    h(
      "dl",
      { className: "receipt-fields" },
      ...receiptFields(t, content, locale).map(([label, value]) =>
        h("div", { className: "receipt-field" }, h("dt", {}, t(label)), h("dd", {}, value)),
      ),
    ),
    h(
      "div",
      { className: "actions receipt-actions" },
      button(t("receipt.print"), actions.print, "secondary", { id: "receipt-print" }),
      button(t("receipt.download"), actions.download, "secondary", { id: "receipt-download" }),
      content.can_revoke
        ? button(view.busy ? t("receipt.revoke.busy") : t("receipt.revoke"), actions.askRevoke, "danger", {
            id: "receipt-revoke",
            "aria-haspopup": "dialog",
            "aria-disabled": view.busy ? "true" : null,
          })
        : null,
    ),
    renderVerify(ctx, receiptFile(content).name),
  );
}

/** "How to verify this receipt": the public keys, the verify call and a command anyone can run. */
function renderVerify({ t, origin }, fileName) {
  const jwks = `${origin}/.well-known/jwks.json`;
  const verify = `POST ${origin}/consents/verify`;
  return h(
    "section",
    { className: "receipt-verify", "aria-labelledby": "verify-title" },
    h("h2", { id: "verify-title" }, t("receipt.verify.title")),
    h("p", {}, t("receipt.verify.body")),
    h(
      "ul",
      {},
      h("li", {}, t("receipt.verify.keys"), " ", h("code", {}, `GET ${jwks}`)),
      h("li", {}, t("receipt.verify.status"), " ", h("code", {}, verify), " ", h("code", {}, '{"receipt": "…"}')),
    ),
    h("p", {}, t("receipt.verify.command")),
    h("pre", { className: "receipt-command" }, h("code", {}, `python verify_receipt.py ${origin} ${fileName}`)),
  );
}

/**
 * The confirmation before revoking: what it does, in words; Cancel is focused first (the safe choice).
 * @param {Record<string, any>} content @param {PageCtx} ctx
 * @returns {HTMLDialogElement}
 */
export function renderRevokeDialog(content, ctx) {
  const { t, actions } = ctx;
  const vars = { lender: content.lender_name, company: content.company_name };
  return /** @type {HTMLDialogElement} */ (
    h(
      "dialog",
      {
        id: "revoke-dialog",
        className: "revoke-dialog",
        "aria-labelledby": "revoke-title",
        "aria-describedby": "revoke-body",
        oncancel: (event) => {
          event.preventDefault();
          actions.cancelRevoke();
        },
      },
      h("h2", { id: "revoke-title" }, t("receipt.revoke.title", vars)),
      h("p", { id: "revoke-body" }, t("receipt.revoke.body", vars)),
      h(
        "div",
        { className: "actions" },
        button(t("receipt.revoke.cancel"), actions.cancelRevoke, "secondary", { id: "revoke-cancel", autofocus: true }),
        button(t("receipt.revoke.confirm"), actions.revoke, "danger", { id: "revoke-confirm" }),
      ),
    )
  );
}

/**
 * A page that could not show the receipt: the reason in words, and Try again when trying again can help.
 * @param {string} sentence @param {boolean} retry @param {PageCtx} ctx
 */
export function renderFailure(sentence, retry, ctx) {
  const { t, actions } = ctx;
  return h(
    "div",
    { className: "receipt" },
    h("h1", { className: "step-title", tabindex: "-1" }, t("receipt.title")),
    h("p", { role: "alert", id: "receipt-error" }, sentence),
    retry ? h("div", { className: "actions" }, button(t("receipt.tryAgain"), actions.retry, "primary")) : null,
  );
}
