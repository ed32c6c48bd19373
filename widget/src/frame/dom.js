/**
 * Tiny DOM helpers for the frame: build elements from data (text only, never HTML strings), move focus, trap
 * Tab inside the frame in modal mode.
 */

/**
 * Create an element. `attrs` keys starting with "on" add listeners; `false`/`null` values are skipped.
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node | string | null | false | undefined | Array<any>)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "className") el.className = value;
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** @param {ParentNode} root @returns {HTMLElement[]} what Tab can reach, in order */
export function focusables(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter(
    (el) => !el.closest("[hidden], [inert]") && el.getClientRects().length > 0,
  );
}

/**
 * Keep Tab and Shift+Tab inside `root` (modal mode): the host page behind is inert anyway.
 * @param {HTMLElement} root
 * @returns {() => void} removes the trap
 */
export function trapFocus(root) {
  const onKey = (event) => {
    if (event.key !== "Tab") return;
    const items = focusables(root);
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !root.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !root.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}

/**
 * What a step's effects may use of its DOM under `root`: a field's value, moving the focus, and copying text.
 * @param {ParentNode} root
 */
export function stepPage(root) {
  const find = (id) => /** @type {HTMLInputElement | null} */ (root.querySelector(`#${id}`));
  return {
    /** @param {string} id */
    fieldValue: (id) => find(id)?.value,
    /** @param {string} id */
    focus: (id) => find(id)?.focus(),
    /**
     * Copy `text`: the clipboard, else the field `fieldId` selected and the browser's copy command (a frame may be
     * refused the clipboard). False when neither worked: the text is then left selected for the person to copy.
     * @param {string} text @param {string} fieldId
     */
    copy: async (text, fieldId) => {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch {
        const field = find(fieldId);
        field?.focus();
        field?.select();
        try {
          return document.execCommand("copy");
        } catch {
          return false;
        }
      }
    },
  };
}

/**
 * Offer `text` as a file the owner downloads (a Blob behind a temporary link; nothing leaves the frame).
 * @param {string} name @param {string} text @param {string} [type]
 */
export function saveFile(name, text, type = "application/json") {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
