/**
 * The owner's receipt page (`/widget/v1/receipt#<token>`): reads the token from the fragment, asks the broker for the
 * receipt (POST /consents/receipt, the token in the body), shows it, prints it, downloads it as JSON, and revokes the
 * consent after a confirmation (POST /consents/revoke).
 */
import { BrokerError } from "../frame/api.js";
import { loadWords, pageError, pageLocale, postPublic, tokenFromHash } from "./page.js";
import { receiptFile } from "./receipt_state.js";
import { renderFailure, renderReceipt, renderRevokeDialog } from "./receipt_view.js";

// Codes for which trying again may help; the others (a bad or expired link) need a new link.
const RETRYABLE = new Set(["network_error", "rate_limited", "broker_error", "internal_error", "upstream_unavailable"]);

async function start() {
  const locale = pageLocale(location.search, navigator.languages || []);
  const t = await loadWords(locale, ["pages"]);
  document.documentElement.lang = locale;
  document.title = t("receipt.pageTitle");
  const powered = document.getElementById("powered");
  if (powered) powered.textContent = t("pages.poweredBy");
  const main = /** @type {HTMLElement} */ (document.getElementById("page"));
  const token = tokenFromHash(location.hash);
  let content = null;
  const view = { busy: false, error: null, revoked: false };

  const ctx = {
    t,
    locale,
    origin: location.origin,
    actions: {
      print: () => window.print(),
      download,
      askRevoke,
      revoke,
      cancelRevoke: () => closeDialog("receipt-revoke"),
      retry: () => load(),
    },
  };

  function show(node, focus) {
    main.replaceChildren(node);
    if (focus) main.querySelector(focus)?.focus();
  }

  function showFailure(error) {
    const code = error instanceof BrokerError ? error.code : "broker_error";
    show(renderFailure(pageError(t, "receipt", code), RETRYABLE.has(code), ctx), "#receipt-error");
  }

  async function load() {
    if (!token) return show(renderFailure(t("receipt.error.no_token"), false, ctx));
    try {
      content = await postPublic("/consents/receipt", { token });
      show(renderReceipt(content, view, ctx), null);
    } catch (error) {
      showFailure(error);
    }
  }

  function download() {
    const file = receiptFile(content);
    const url = URL.createObjectURL(new Blob([file.text], { type: "application/json" }));
    const link = Object.assign(document.createElement("a"), { href: url, download: file.name });
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function askRevoke() {
    if (view.busy || !content || !content.can_revoke) return;
    const dialog = renderRevokeDialog(content, ctx);
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector("#revoke-cancel")?.focus();
  }

  function closeDialog(focusId) {
    const dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("revoke-dialog"));
    if (dialog) {
      dialog.close();
      dialog.remove();
    }
    if (focusId) document.getElementById(focusId)?.focus();
  }

  async function revoke() {
    closeDialog(null);
    view.busy = true;
    view.error = null;
    show(renderReceipt(content, view, ctx), "#receipt-status");
    try {
      content = await postPublic("/consents/revoke", { token });
      view.revoked = true;
    } catch (error) {
      const code = error instanceof BrokerError ? error.code : "broker_error";
      view.error = pageError(t, "receipt", code);
      // Revoked meanwhile (another tab, another device): show what is true now.
      if (code === "consent_already_revoked")
        content = await postPublic("/consents/receipt", { token }).catch(() => content);
    }
    view.busy = false;
    show(renderReceipt(content, view, ctx), view.revoked ? "#revoked-note" : "#receipt-error");
  }

  await load();
}

start().catch((error) => {
  console.error("LedgerLink receipt page:", error);
  const main = document.getElementById("page");
  if (main) main.textContent = "This page could not load. Try again in a moment.";
});
