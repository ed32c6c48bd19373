/**
 * Talking to the host page: the origin it framed us for, broker calls that name it, messages checked against the
 * protocol before they leave, and the end of a widget whose options fail their checks.
 */
import { MESSAGE, TO_HOST, initProblem, isMessage, send } from "../messages.js";

// Every broker call names the page that frames us (verified by the handshake); the broker refuses another origin
// than the token's with "origin_mismatch".
export const PARENT_ORIGIN_HEADER = "X-LedgerLink-Parent-Origin";

/** `fetch` options `init` with the framing page's origin added to its headers. */
export const framedInit = (origin, init) => ({ ...init, headers: { ...init.headers, [PARENT_ORIGIN_HEADER]: origin } });

/**
 * `fetch` with the framing page's origin on every request; the first request for `early.url` gets `early.answer`,
 * the same request the inline boot script already sent (boot.js), instead of sending it again.
 * @param {string} origin @param {{url: string, answer: Promise<Response>} | null} [early]
 */
export const fetchFramedBy =
  (origin, early = null) =>
  (url, init) => {
    if (early && url === early.url) {
      const { answer } = early;
      early = null;
      return answer;
    }
    return fetch(url, framedInit(origin, init));
  };

/**
 * Send a message to the host page, only if it is one of the protocol's (TO_HOST): the loader, kept small, checks the
 * envelope and the fields it reads, so the full contract is checked here, where the messages are made.
 */
export function sendHost(origin, type, payload) {
  if (isMessage({ type, payload }, TO_HOST)) return send(window.parent, origin, type, payload);
  console.error("LinkWidget frame: a message off the protocol was not sent:", type);
  return false;
}

/** The host origin the page was framed for, checked against what the browser says our ancestor is. */
export function hostOrigin() {
  const claimed = new URLSearchParams(location.search).get("origin") || "";
  if (!/^https?:\/\/[^/]+$/.test(claimed) || window.parent === window) return null;
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length && ancestors[0] !== claimed) return null;
  return claimed;
}

/**
 * What is wrong with an `init` from our verified parent that the protocol's guards refused, as a sentence, or "".
 * @param {MessageEvent} event @param {string} origin
 */
export function initOptionsProblem(event, origin) {
  if (event.source !== window.parent || event.origin !== origin) return "";
  try {
    return event.data.type === MESSAGE.INIT ? initProblem(event.data.payload) : "";
  } catch {
    return "";
  }
}

/**
 * End a widget whose options fail their checks: the error and exit events, then `onExit` with "invalid_options".
 * @param {string} origin @param {string} problem
 */
export function exitInvalidOptions(origin, problem) {
  const metadata = { step: "loading", integration: null, connections_made: [] };
  const error = { code: "invalid_options", message: problem };
  sendHost(origin, MESSAGE.EVENT, {
    name: "error",
    metadata: { code: error.code, step: "loading", integration: null },
  });
  sendHost(origin, MESSAGE.EVENT, { name: "exit", metadata });
  sendHost(origin, MESSAGE.EXIT, { error, metadata });
}
