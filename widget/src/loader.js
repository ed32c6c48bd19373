/**
 * The LinkWidget loader: the one script a lender adds to its page. It defines one global, `LinkWidget`, whose
 * `create(options)` returns a handle `{open, exit, destroy}` that shows the broker's frame as a modal or inline.
 * `create` warms the frame up hidden (it loads, shakes hands and fetches the catalogue) so that `open` only shows it.
 * Served by the broker as one classic script (messages.js inlined ahead of it); importing it in Node does nothing.
 */
import { LOCALES, MESSAGE, TO_HOST, isAppKey, isCategory, isList, isMessage, THEME } from "./messages.js";

export const VERSION = "1";
const SHAPE =
  "{token: string, onSuccess?, onExit?, onEvent?: function, categories?: ['accounting'|'banking'|'commerce'|" +
  "'payroll'], apps?: app keys, locale?: 'en'|'fr', theme?: {accent?: '#rrggbb', logoUrl?: https URL, name?: " +
  "string}, container?: Element}";
const isFunction = (value) => typeof value === "function";
/** Each option and its check; an object of checks for an object. */
const OPTIONS = {
  token: (value) => typeof value === "string" && value && value.length <= 2048,
  onSuccess: isFunction,
  onExit: isFunction,
  onEvent: isFunction,
  categories: (value) => isList(value, isCategory),
  apps: (value) => isList(value, isAppKey),
  locale: (value) => LOCALES.includes(value),
  theme: THEME,
  container: (value) => value && value.nodeType === 1,
};
const FRAME_PATH = "/widget/v1/frame";
/** The frame's title and the loader's own close button, before the frame (and its catalogue) is there. */
const TEXT = { en: ["Connect your business apps", "Close"], fr: ["Connectez vos applications", "Fermer"] };
/** How long the frame may take to say it is ready once the widget is open, and once its page has loaded (a page the
 * browser refused to frame loads too, as an error page). After that the widget closes with "frame_unavailable". */
export const READY_TIMEOUT_MS = 10000;
export const READY_AFTER_LOAD_MS = 2500;
/** How long the frame has to answer exit() with the step the owner was on. */
const EXIT_ANSWER_MS = 1500;
// Styles go through the CSSOM (`style.cssText`), which a strict CSP allows; a style attribute or <style> it would not.
const OVERLAY_CSS = "position:fixed;inset:0;z-index:2147483647;background:#0f172a8c";
const MODAL_CSS = "position:absolute;inset:0;margin:auto;border:0;width:min(100%,860px);height:min(100%,820px)";
const INLINE_CSS = "border:0;display:block;width:100%;height:560px";
const CLOSE_CSS = "position:absolute;top:8px;right:8px;width:44px;height:44px;font-size:28px";

/**
 * Check `options` at the boundary; throw a TypeError naming the problem and the expected shape.
 * @param {unknown} options
 * @returns {Record<string, any>} the options, unchanged
 */
export function validateOptions(options) {
  const fail = (what) => {
    throw new TypeError(`LinkWidget.create: ${what}. Expected ${SHAPE}`);
  };
  const check = (value, checks, path) => {
    if (typeof value !== "object" || !value || Array.isArray(value)) fail(`${path} must be an object`);
    for (const [key, item] of Object.entries(checks === OPTIONS ? { token: value.token, ...value } : value)) {
      const ok = Object.hasOwn(checks, key) ? checks[key] : fail(`unknown option "${path}.${key}"`);
      if ((item !== undefined || key === "token") && !(ok.call ? ok(item) : check(item, ok, `${path}.${key}`)))
        fail(`${path}.${key} is not valid`);
    }
    return true;
  };
  check(options, OPTIONS, "options");
  return options;
}

/**
 * Define `win.LinkWidget` once; a second inclusion keeps the first definition (and its instances).
 * @param {Window | undefined} win
 */
export function installLinkWidget(win) {
  if (!win || !win.document) return undefined;
  if (!win.LinkWidget) {
    const doc = win.document;
    const script = doc.currentScript || doc.querySelector('script[src*="/widget/v1/loader.js"]');
    const origin = new URL((script && script.src) || win.location.href, win.location.href).origin;
    const api = Object.freeze({
      version: VERSION,
      /** @param {Record<string, any>} options */
      create: (options) => createHandle(win, origin, validateOptions(options)),
    });
    Object.defineProperty(win, "LinkWidget", { value: api });
  }
  return win.LinkWidget;
}

/**
 * @param {Window} win
 * @param {string} origin the broker's origin
 * @param {Record<string, any>} options
 */
function createHandle(win, origin, options) {
  const doc = win.document;
  const page = doc.documentElement.style;
  const here = win.location.origin;
  const inline = options.container;
  const mode = inline ? "inline" : "modal";
  // Same rule as the frame: the option, else the browser's language, else English.
  const browser = String((win.navigator && win.navigator.language) || "").slice(0, 2);
  const [title, closeLabel] = TEXT[options.locale || (LOCALES.includes(browser) ? browser : "en")];
  // One frame at a time, from the moment it is built (hidden) until it is removed (`root` is then null). `step`,
  // `integration` and `made` are what the frame last reported: the loader says them when it closes on its own.
  let destroyed,
    root,
    frame,
    button,
    ready,
    shown,
    loaded,
    timer,
    step,
    integration,
    made,
    inerted,
    lastFocus,
    overflow;

  const call = (name, ...args) => {
    try {
      if (options[name]) options[name](...args);
    } catch (error) {
      win.setTimeout(() => {
        throw error;
      });
    }
  };
  const post = (type, payload = {}) => frame.contentWindow.postMessage({ type, payload }, origin);
  const wait = (ms, then) => {
    win.clearTimeout(timer);
    timer = win.setTimeout(then, ms);
  };

  /** Remove the frame, then fire the callbacks: once per frame. */
  const finish = (fire) => {
    if (!root) return;
    win.clearTimeout(timer);
    win.removeEventListener("message", onMessage);
    doc.removeEventListener("keydown", onKey, true);
    root.remove();
    root = null;
    for (const el of inerted) el.inert = false;
    if (overflow != null) {
      page.overflow = overflow;
      if (lastFocus && lastFocus.focus) lastFocus.focus();
    }
    if (fire) fire();
  };

  /** Close on the loader's side, when the frame cannot say so itself (not ready, not answering, not there). */
  const leave = (error, extra) => {
    const metadata = { step, integration, connections_made: made, ...extra };
    finish(() => {
      if (error) call("onEvent", "error", { code: error.code, step, integration });
      call("onEvent", "exit", metadata);
      call("onExit", error, metadata);
    });
  };

  /** Wait `ms` more for the frame's handshake, then give up with "frame_unavailable" and say what to fix. */
  const awaitReady = (ms) =>
    wait(ms, () => {
      if (win.console)
        win.console.error(
          `LinkWidget: no frame from ${origin}: register ${here} for your broker client, allow frame-src ${origin}`,
        );
      leave({ code: "frame_unavailable", message: "The widget could not be loaded." });
    });

  /** Tell a ready frame it is on screen: it then reports `open` and takes the focus. */
  const reveal = () => {
    post(MESSAGE.SHOW);
    if (!inline) frame.focus();
  };

  const onMessage = (event) => {
    // The sending window, then the exact origin, then the shape (as `acceptMessage` does, inlined for size).
    const { data } = event;
    if (event.source !== frame.contentWindow || event.origin !== origin || !isMessage(data, TO_HOST)) return;
    const { type, payload } = data;
    const { name, metadata } = payload;
    if (type === MESSAGE.READY) {
      if (ready) return;
      ready = true;
      win.clearTimeout(timer);
      if (button) button.remove();
      const { token, locale, categories, apps, theme } = options;
      const init = { locale, categories, apps, theme: theme && { ...theme } };
      for (const key in init) init[key] = init[key] || null;
      post(MESSAGE.INIT, { token, options: { ...init, mode } });
      if (shown) reveal();
    } else if (!ready) {
      return;
    } else if (type === MESSAGE.EVENT) {
      if (typeof metadata.step === "string") step = metadata.step;
      if (name === "app_selected") integration = metadata.integration;
      if (name === "connected") made.push(metadata.integration);
      call("onEvent", name, metadata);
    } else if (type === MESSAGE.RESIZE) {
      if (inline) frame.style.height = `${Math.max(320, Math.ceil(payload.height))}px`;
    } else if (type === MESSAGE.SUCCESS) {
      finish(() => call("onSuccess", payload.result));
    } else if (type === MESSAGE.EXIT) {
      finish(() => call("onExit", payload.error, metadata));
    }
  };

  // Until the frame is ready (it then handles the keyboard, and keeps Tab inside itself), Escape closes the widget.
  const onKey = (event) => {
    if (event.key === "Escape" && !ready) leave(null);
  };

  /** Build the frame, hidden: it loads and shakes hands in the background until `open` shows it. */
  const build = () => {
    root = frame = doc.createElement("iframe");
    frame.src = `${origin}${FRAME_PATH}?origin=${encodeURIComponent(here)}&mode=${mode}`;
    frame.title = (options.theme && options.theme.name ? options.theme.name + ": " : "") + title;
    frame.style.cssText = inline ? INLINE_CSS : MODAL_CSS;
    frame.addEventListener("load", () => {
      loaded = true;
      if (shown && !ready) awaitReady(READY_AFTER_LOAD_MS);
    });
    button = ready = shown = loaded = overflow = integration = null;
    step = "loading";
    made = [];
    inerted = [];
    if (inline) inline.appendChild(frame);
    else {
      root = doc.createElement("div");
      root.setAttribute("data-linkwidget", "");
      root.style.cssText = OVERLAY_CSS;
      button = doc.createElement("button");
      button.textContent = "\u00d7";
      button.setAttribute("aria-label", closeLabel);
      button.style.cssText = CLOSE_CSS;
      button.addEventListener("click", () => leave(null));
      root.appendChild(frame);
      root.appendChild(button);
      doc.body.appendChild(root);
    }
    root.style.display = "none";
    win.addEventListener("message", onMessage);
  };

  const open = () => {
    if (destroyed) throw new Error("LinkWidget: this handle was destroyed; call LinkWidget.create again");
    if (root && shown) return;
    if (!root) build();
    shown = true;
    root.style.display = inline ? "block" : "";
    if (!inline) {
      for (const el of doc.body.children) {
        if (el !== root && !el.inert) {
          el.inert = true;
          inerted.push(el);
        }
      }
      lastFocus = doc.activeElement;
      overflow = page.overflow;
      page.overflow = "hidden";
      doc.addEventListener("keydown", onKey, true);
    }
    if (ready) reveal();
    else {
      if (button) button.focus();
      awaitReady(loaded ? READY_AFTER_LOAD_MS : READY_TIMEOUT_MS);
    }
  };

  const exit = () => {
    if (!shown) return;
    if (!ready) return leave(null, { reason: "host_exit" });
    // The frame answers with an exit message carrying the step it was on; the loader answers if it does not.
    post(MESSAGE.CLOSE);
    wait(EXIT_ANSWER_MS, () => leave(null, { reason: "host_exit" }));
  };

  const destroy = () => {
    destroyed = true;
    finish();
  };

  // Warm up once the page has loaded (a frame added before would hold the page's own load event back).
  const warm = () => root || destroyed || build();
  if (doc.readyState === "complete") warm();
  else win.addEventListener("load", warm, { once: true });
  return Object.freeze({ open, exit, destroy });
}

installLinkWidget(typeof window === "undefined" ? undefined : window);
