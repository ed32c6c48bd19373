/**
 * The pieces several steps' views share: the step title, buttons and their row, the waiting line, and the skeleton
 * of a step whose data is loading or failed to load.
 */
import { h } from "./dom.js";

/** The step's title (focused when the step changes). @param {string} text */
export const heading = (text) => h("h1", { className: "step-title", tabindex: "-1" }, text);

/**
 * A button (not a form's submit).
 * @param {string} text @param {() => void} onclick @param {string} [kind] "primary" or "secondary"
 * @param {Record<string, any>} [extra] more attributes
 */
export const button = (text, onclick, kind = "secondary", extra = {}) =>
  h("button", { type: "button", className: `btn btn-${kind}`, onclick, ...extra }, text);

/** A step's box: its title, then what it shows. @param {string} title @param {...any} children */
export const stepBox = (title, ...children) => h("div", { className: "step" }, heading(title), ...children);

/** A row of buttons. */
export const actionsRow = (...buttons) => h("div", { className: "actions" }, ...buttons);

/** A spinner and what we are waiting for. @param {string} text */
export function waiting(text) {
  return h("p", { className: "waiting" }, h("span", { className: "spinner", "aria-hidden": "true" }), text);
}

/**
 * A step whose data is not there: its title and a spinner while it loads, or the failure and Try again.
 * @param {{className: string, title: string, failed: boolean, failedText: string, onRetry: () => void,
 *   t: (key: string) => string}} spec
 * @returns {HTMLElement}
 */
export function stepSkeleton({ className, title, failed, failedText, onRetry, t }) {
  return h(
    "div",
    { className },
    heading(title),
    failed ? h("p", { role: "alert" }, failedText) : waiting(t("loading")),
    failed ? actionsRow(button(t("tryAgain"), onRetry, "primary")) : null,
  );
}

/**
 * A labelled input with its inline error (aria-invalid + aria-describedby).
 * @param {{id: string, label: string, error?: string | null, hint?: string, input: Record<string, any>}} spec
 */
export function field({ id, label, error, hint, input }) {
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
