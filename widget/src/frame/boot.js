/**
 * The frame's first script, inlined in its page by the broker (whose CSP names its hash): it shakes hands with the
 * host page, fetches the words and starts the bootstrap call as soon as the page is parsed, while the bundle is still
 * on its way, so that neither waits for the bundle. The bundle (app.js) then takes over: it hears again what was heard
 * here and uses the bootstrap answer already asked for. Built by scripts/bundle.js into dist/boot.js (one small
 * classic script).
 *
 * The bootstrap call does not wait for the handshake either: the loader names the frame by its token (the iframe's
 * `name`, which becomes this window's name and never travels over the network), read and cleared here at once. The
 * page renders only inside its claimed host origin (the broker's `frame-ancestors`, and `hostOrigin()`), and the
 * answer is used only if the handshake's `init` brings the same token (app.js).
 *
 * The bundle is fetched at once (`<link rel="modulepreload">`) but run only once the host page has said something:
 * evaluated earlier, it would hold back the handshake's answer on a busy machine.
 */
import { MESSAGE, send } from "../messages.js";
import { brokerRequest } from "./api.js";
import { framedInit, hostOrigin } from "./host.js";
import { loadCatalogue, pickLocale } from "./i18n.js";

/** How long the bundle may take to arrive and take over (the loader waits as long for a frame that never answers). */
export const BUNDLE_TIMEOUT_MS = 10000;

/** Run the bundle (app.js), fetched already by the page's modulepreload link. */
function runBundle() {
  if (document.querySelector("script[src]")) return;
  const script = document.createElement("script");
  script.type = "module";
  script.src = /** @type {HTMLLinkElement} */ (document.querySelector('link[rel="modulepreload"]')).href;
  document.head.appendChild(script);
}

const origin = hostOrigin();
if (!origin) {
  runBundle(); // it says the page only works inside the widget
} else {
  /** @type {MessageEvent[]} */
  const heard = [];
  /** @type {{token: string, url: string, answer: Promise<Response>} | null} */
  let bootstrap = null;
  let shown = false;
  let failed = false;
  const listen = (/** @type {MessageEvent} */ event) => {
    if (event.source !== window.parent || event.origin !== origin) return;
    heard.push(event);
    runBundle();
    const { type, payload } = event.data || {};
    if (type === MESSAGE.SHOW && !shown) {
      shown = true;
      if (failed) report();
    }
    if (!bootstrap && type === MESSAGE.INIT && typeof payload?.token === "string") ask(payload.token);
  };
  const ask = (/** @type {string} */ token) => {
    const [url, init] = brokerRequest(token, "GET", "bootstrap");
    bootstrap = { token, url, answer: fetch(url, framedInit(origin, init)) };
    bootstrap.answer.catch(() => {});
  };
  // The token the loader put in this window's name (cleared at once: nothing after this page may read it).
  const named = window.name;
  window.name = "";
  if (named) ask(named);
  // The words of the locale the loader named (or the browser's), as app.js would ask for them.
  const locale = pickLocale(new URLSearchParams(location.search).get("locale"), navigator.languages || []);
  const words = { [locale]: loadCatalogue(locale) };
  words[locale].catch(() => {});
  window.addEventListener("message", listen);
  // The host page now believes the frame ready: a bundle that never takes over (its download failed or stalled) must
  // not leave the owner on "Loading…", so end the widget as the loader does when no frame answers, once it is shown
  // (a frame warming up hidden says nothing until the owner opens it, like the bundle).
  const giveUp = () => {
    if (failed) return;
    failed = true;
    console.error("LinkWidget frame: its script could not be loaded");
    if (shown) report();
  };
  const report = () => {
    window.removeEventListener("message", listen);
    const error = { code: "frame_unavailable", message: "The widget could not be loaded." };
    const metadata = { step: "loading", integration: null, connections_made: [] };
    send(window.parent, origin, MESSAGE.EVENT, {
      name: "error",
      metadata: { code: error.code, step: "loading", integration: null },
    });
    send(window.parent, origin, MESSAGE.EVENT, { name: "exit", metadata });
    send(window.parent, origin, MESSAGE.EXIT, { error, metadata });
  };
  const timer = setTimeout(giveUp, BUNDLE_TIMEOUT_MS);
  const scriptFailed = (/** @type {Event} */ event) => {
    if (event.target instanceof HTMLScriptElement) {
      clearTimeout(timer);
      giveUp();
    }
  };
  window.addEventListener("error", scriptFailed, true);
  window.ledgerlinkBoot = Object.freeze({
    /** Stop listening; return what the host page said so far, the words asked for and the bootstrap call started. */
    takeOver: () => {
      clearTimeout(timer);
      window.removeEventListener("error", scriptFailed, true);
      window.removeEventListener("message", listen);
      return { heard, words, bootstrap };
    },
  });
  send(window.parent, origin, MESSAGE.READY, {});
}
