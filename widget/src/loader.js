/**
 * The LinkWidget loader: the one script a lender adds to its page. It defines one global, `LinkWidget`, whose
 * `create(options)` returns a handle `{open, exit, destroy}` that shows the broker's frame as a modal or inline.
 * `create` warms the frame up hidden (it loads, shakes hands and fetches the catalogue) so that `open` only shows it.
 * Built into one classic script of under 2 KB gzipped (scripts/build.js keeps only what it uses of messages.js):
 * every byte here is paid on each lender page, so it does what only the host page can do and leaves the rest to the
 * frame. Importing it in Node does nothing.
 */
import { PROTOCOL } from "./messages.js";

export const VERSION = "1";
/**
 * Each option and the type it must have. The loader checks names and types only: the values of the display options
 * (categories, apps, locale, theme) are checked where they are used, by the frame (TO_FRAME in messages.js), which
 * ends the widget with "invalid_options" naming the option; every byte here is paid on each lender page.
 */
const OPTIONS = {
  token: "string",
  onSuccess: "function",
  onExit: "function",
  onEvent: "function",
  categories: "object",
  apps: "object",
  locale: "string",
  theme: "object",
  container: "object",
};
/** The frame's title and the loader's own close button's name, before the frame (and its catalogue) is there. */
const TEXT = { en: ["Connect your business apps", "Close"], fr: ["Connectez vos applications", "Fermer"] };
/** How long the frame may take to say it is ready once the widget is open, and once its page has loaded (a page the
 * browser refused to frame loads too, as an error page). After that the widget closes with "frame_unavailable". */
export const READY_TIMEOUT_MS = 10000;
export const READY_AFTER_LOAD_MS = 2500;
/** How long the frame has to answer exit() with the step the owner was on. */
const EXIT_ANSWER_MS = 1500;
// The chrome stays here, set through the CSSOM (`style.cssText`, which a strict CSP allows; a <style> it would not):
// it must work when the browser refuses the frame, and a style sheet would cost a request and a `style-src`.
// A modal <dialog> makes the page behind it inert, sits above everything, hides the warm frame until `showModal`
// and turns Escape into its `close`; the shadow is the backdrop.
const DIALOG_CSS =
  "border:0;padding:0;width:860px;height:820px;max-width:100%;max-height:100%;box-shadow:0 0 0 100vmax #0f172a8c";
// The frame fills the dialog, or the container's width at 560 px high until it reports its height.
const FRAME_CSS = "border:0;width:100%;vertical-align:top;height:";
const CLOSE_CSS = "position:absolute;top:8px;right:8px;padding:12px";

/** @param {unknown} value @returns {value is Record<string, any>} */
const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Check `options` at the boundary; throw a TypeError naming the problem and the expected shape.
 * @param {unknown} options
 * @returns {Record<string, any>} the options, unchanged
 */
export function validateOptions(options) {
  let problem = isObject(options) ? "" : "options must be an object";
  for (const key in problem ? {} : { token: 0, ...options }) {
    const value = options[key];
    if (!Object.hasOwn(OPTIONS, key)) problem ||= `unknown option "options.${key}"`;
    // Given options are never empty: no "" token, no null theme or container.
    else if ((value !== undefined || key === "token") && (typeof value !== OPTIONS[key] || !value))
      problem ||= `options.${key} is not valid`;
  }
  if (problem) {
    const shape = Object.entries(OPTIONS).map(([key, type], i) => `${key}${i ? "?" : ""}: ${type}`);
    throw new TypeError(`LinkWidget.create: ${problem}. Expected {${shape.join(", ")}}`);
  }
  return options;
}

/**
 * Define `win.LinkWidget` once; a second inclusion keeps the first definition (and its instances).
 * @param {Window | undefined} win
 */
export function installLinkWidget(win) {
  if (!win?.document) return undefined;
  // The broker's origin: the loader's own `src` (a classic script running at load always has `currentScript`).
  const origin = new URL(win.document.currentScript?.src || win.location.href).origin;
  win.LinkWidget ||= Object.freeze({
    version: VERSION,
    /** @param {Record<string, any>} options */
    create: (options) => createHandle(win, origin, validateOptions(options)),
  });
  return win.LinkWidget;
}

/**
 * @param {Window} win
 * @param {string} origin the broker's origin
 * @param {Record<string, any>} options
 */
function createHandle(win, origin, options) {
  const doc = win.document;
  const here = win.location.origin;
  const inline = options.container;
  const mode = inline ? "inline" : "modal";
  // Same rule as the frame: the option, else the browser's language, else English.
  const [title, closeLabel] = TEXT[options.locale || win.navigator?.language?.slice(0, 2)] || TEXT.en;
  // One frame at a time, from the moment it is built (hidden) until it is removed (`root` is then null). `meta` is
  // what the frame last reported (step, app, apps connected): the loader says it when it closes on its own.
  // `restore` gives back what a shown modal took (the page's overflow, the focus).
  let destroyed, root, frame, button, ready, shown, loaded, timer, meta;

  const call = (name, ...args) => {
    try {
      options[name]?.(...args);
    } catch (error) {
      win.setTimeout(() => {
        throw error;
      });
    }
  };
  const post = (name, payload = {}) => frame.contentWindow.postMessage({ type: PROTOCOL + name, payload }, origin);
  const wait = (ms, then) => {
    win.clearTimeout(timer);
    if (then) timer = win.setTimeout(then, ms);
  };

  /** Remove the frame, then fire the callbacks: once per frame. */
  const finish = (fire) => {
    if (!root) return;
    wait();
    win.removeEventListener("message", onMessage);
    const removed = root;
    root = null;
    // Closing a modal dialog gives the focus back to what had it before `showModal`.
    removed.close?.();
    removed.remove();
    fire?.();
  };

  /** Close on the loader's side, when the frame cannot say so itself (not ready, not answering, not there). */
  const leave = (extra, error = null) => {
    const metadata = { ...meta, ...extra };
    finish(() => {
      // Only a frame that never became ready gets here with an error: the owner was still on "loading".
      if (error) call("onEvent", "error", { code: error.code, step: "loading", integration: null });
      call("onEvent", "exit", metadata);
      call("onExit", error, metadata);
    });
  };

  /** Wait `ms` more for the frame's handshake, then give up with "frame_unavailable" and say what to fix. */
  const awaitReady = (ms) =>
    wait(ms, () => {
      win.console?.error(`LinkWidget: register ${here} for your broker client, allow frame-src ${origin}`);
      leave({}, { code: "frame_unavailable", message: "The widget could not be loaded." });
    });

  /** Tell a ready frame it is on screen: it then reports `open` and takes the focus. */
  const reveal = () => {
    post("show");
    if (!inline) frame.focus();
  };

  // The sending window, then the exact origin, then the envelope and the fields read here. The frame checks what it
  // sends against the full guards (TO_HOST in messages.js); the loader keeps only what protects the host page.
  const onMessage = ({ source, origin: from, data }) => {
    if (source !== frame.contentWindow || from !== origin) return;
    try {
      const { type, payload, ...extra } = data;
      const { name, metadata, error, result, height } = payload;
      if (Object.keys(extra).length || !isObject(payload)) return;
      if (type === PROTOCOL + "ready") {
        if (ready) return;
        ready = true;
        frame.name = "";
        wait();
        button?.remove();
        const { token, locale, categories, apps, theme } = options;
        post("init", { token, options: { locale, categories, apps, theme, mode } });
        if (shown) reveal();
      } else if (!ready) {
        // Nothing but the handshake before the handshake.
      } else if (type === PROTOCOL + "event" && typeof name === "string" && isObject(metadata)) {
        if (typeof metadata.step === "string") meta.step = metadata.step;
        if (name === "app_selected") meta.integration = metadata.integration;
        if (name === "connected") meta.connections_made.push(metadata.integration);
        call("onEvent", name, metadata);
      } else if (type === PROTOCOL + "resize" && height <= 1e4) {
        if (inline) frame.style.height = `${Math.max(320, Math.ceil(height))}px`;
      } else if (type === PROTOCOL + "success" && typeof result?.account_key === "string") {
        finish(() => call("onSuccess", result));
      } else if (
        type === PROTOCOL + "exit" &&
        (error === null || typeof error.code === "string") &&
        isObject(metadata)
      ) {
        finish(() => call("onExit", error, metadata));
      }
    } catch {
      // Not ours (a foreign shape must not make the loader throw).
    }
  };

  /** Build the frame, hidden: it loads and shakes hands in the background until `open` shows it. */
  const build = () => {
    root = frame = doc.createElement("iframe");
    // The locale lets the frame fetch its words while it shakes hands; the token never goes in a URL.
    frame.src = `${origin}/widget/v1/frame?origin=${encodeURIComponent(here)}&mode=${mode}&locale=${encodeURIComponent(options.locale || "")}`;
    // The frame's name carries the token to the frame's first script, which starts its first broker call with it
    // (and clears it) without waiting for the handshake; cleared here too once the frame has said it is ready.
    frame.name = options.token;
    frame.title = (options.theme?.name ? options.theme.name + ": " : "") + title;
    frame.style.cssText = FRAME_CSS + (inline ? "560px" : "100%");
    frame.onload = () => {
      loaded = true;
      if (shown && !ready) awaitReady(READY_AFTER_LOAD_MS);
    };
    button = ready = shown = loaded = null;
    meta = { step: "loading", integration: null, connections_made: [] };
    if (inline) {
      frame.hidden = true;
      inline.appendChild(frame);
    } else {
      const dialog = (root = doc.createElement("dialog"));
      dialog.dataset.linkwidget = "";
      dialog.style.cssText = DIALOG_CSS;
      // Escape closes a modal dialog: the owner leaves (once the frame is ready it has the focus and the keyboard).
      dialog.onclose = () => dialog === root && leave();
      dialog.appendChild(frame);
      button = dialog.appendChild(doc.createElement("button"));
      // Its name is its text (no ARIA needed, so every browser names it).
      button.textContent = closeLabel;
      button.style.cssText = CLOSE_CSS;
      button.onclick = () => leave();
      doc.body.appendChild(dialog);
    }
    win.addEventListener("message", onMessage);
  };

  const open = () => {
    if (destroyed) throw new Error("LinkWidget: destroyed handle");
    if (root && shown) return;
    if (!root) build();
    shown = true;
    frame.hidden = false;
    root.showModal?.();
    if (ready) reveal();
    else {
      button?.focus();
      awaitReady(loaded ? READY_AFTER_LOAD_MS : READY_TIMEOUT_MS);
    }
  };

  const exit = () => {
    if (!shown) return;
    if (!ready) return leave({ reason: "host_exit" });
    // The frame answers with an exit message carrying the step it was on; the loader answers if it does not.
    post("close");
    wait(EXIT_ANSWER_MS, () => leave({ reason: "host_exit" }));
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
