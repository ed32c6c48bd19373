/**
 * The closed, namespaced, versioned set of messages between the loader (host page), the frame (broker origin)
 * and the OAuth callback page (broker origin, in the popup). Every receiver runs `acceptMessage` (source window,
 * then exact origin, then shape) before reading anything; senders always name the exact target origin.
 *
 * The loader is served as one classic script: the broker inlines this module (its `export` keywords dropped)
 * ahead of loader.js, so keep it free of imports and side effects.
 */

export const PROTOCOL = "ledgerlink:v1:";

/** Every message type, by short name. Frozen: the set is closed. */
export const MESSAGE = Object.freeze({
  READY: "ledgerlink:v1:ready",
  INIT: "ledgerlink:v1:init",
  EVENT: "ledgerlink:v1:event",
  EXIT: "ledgerlink:v1:exit",
  SUCCESS: "ledgerlink:v1:success",
  RESIZE: "ledgerlink:v1:resize",
  CLOSE: "ledgerlink:v1:close",
  SHOW: "ledgerlink:v1:show",
  ATTEMPT: "ledgerlink:v1:attempt",
});

/** Host events the frame may report, in the order a session usually meets them. */
export const EVENT_NAMES = Object.freeze([
  "open",
  "app_selected",
  "connected",
  "mapping_saved",
  "reconciled",
  "error",
  "exit",
  "success",
]);

export const CATEGORIES = Object.freeze(["accounting", "banking", "commerce", "payroll"]);
export const LOCALES = Object.freeze(["en", "fr"]);
export const ATTEMPT_STATUSES = Object.freeze(["pending", "connected", "denied", "error", "expired"]);

const MAX_TEXT = 500;
const HEX_COLOUR_RE = /^#[0-9a-fA-F]{6}$/;

/**
 * An optional list: undefined/null, or an array of at most 50 items that all pass `ok`.
 * @param {unknown} value
 * @param {(item: any) => boolean} ok
 */
export function isList(value, ok) {
  return value == null || (Array.isArray(value) && value.length <= 50 && value.every(ok));
}

/** @param {unknown} value an app key such as "ledgerly" */
export const isAppKey = (value) => typeof value === "string" && /^[a-z0-9_]{1,64}$/.test(value);

/** @param {unknown} value one of CATEGORIES */
export const isCategory = (value) => CATEGORIES.includes(/** @type {string} */ (value));

/** @param {unknown} value @returns {value is Record<string, unknown>} */
const isRecord = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/** @param {unknown} value @param {number} [max] */
const isText = (value, max = MAX_TEXT) => typeof value === "string" && value.length <= max;

/** @param {unknown} value an empty object (the payload of READY, CLOSE and SHOW) */
const isEmpty = (value) => isRecord(value) && !Object.keys(value).length;

/** @param {unknown} value flat metadata: no nested object, lists of texts only */
const isMetadata = (value) =>
  isRecord(value) &&
  Object.values(value).every((v) => typeof v !== "object" || v === null || isList(v, (x) => isText(x, 200)));

/** The theme's keys and their checks: `{accent?: "#rrggbb", logoUrl?: "https://...", name?: string}`. */
export const THEME = Object.freeze({
  accent: (value) => HEX_COLOUR_RE.test(value),
  // An absolute https URL, or http on a loopback host (development).
  logoUrl: (value) => isText(value, 2048) && /^(https:\/\/|http:\/\/(localhost|127\.0\.0\.1)[:/])\S+$/.test(value),
  name: (value) => isText(value, 80) && value.length > 0,
});

/**
 * What is wrong with a theme, or "" when nothing is.
 * @param {unknown} theme
 * @returns {string}
 */
export function themeProblem(theme) {
  if (!isRecord(theme)) return "must be an object";
  for (const [key, value] of Object.entries(theme)) {
    if (!Object.hasOwn(THEME, key)) return `has an unknown key "${key}"`;
    if (value !== undefined && !THEME[key](value)) return `${key} is not valid`;
  }
  return "";
}

/**
 * The options the host hands to the frame in `init` (no callbacks, no DOM).
 * @param {unknown} value
 */
function isFrameOptions(value) {
  if (!isRecord(value)) return false;
  const { locale, categories, apps, theme, mode } = value;
  return (
    (locale === null || LOCALES.includes(/** @type {string} */ (locale))) &&
    isList(categories, isCategory) &&
    isList(apps, isAppKey) &&
    (theme === null || themeProblem(theme) === "") &&
    (mode === "modal" || mode === "inline")
  );
}

/** Guards of what the frame may send to the host page (the loader accepts nothing else). Payloads are objects. */
export const TO_HOST = Object.freeze({
  [MESSAGE.READY]: isEmpty,
  [MESSAGE.EVENT]: (p) => EVENT_NAMES.includes(p.name) && isMetadata(p.metadata),
  [MESSAGE.EXIT]: (p) => (p.error === null || isText(p.error.code, 64)) && isMetadata(p.metadata),
  [MESSAGE.SUCCESS]: (p) => isRecord(p.result) && isText(p.result.account_key, 200),
  [MESSAGE.RESIZE]: (p) => p.height >= 0 && p.height <= 10000,
});

/** Guards of what the host page may send to the frame. */
export const TO_FRAME = Object.freeze({
  [MESSAGE.INIT]: (p) => isText(p.token, 2048) && p.token.length > 0 && isFrameOptions(p.options),
  [MESSAGE.CLOSE]: isEmpty,
  [MESSAGE.SHOW]: isEmpty,
});

/** Guards of what the OAuth callback page (in the popup) may send to the frame that opened it. */
export const FROM_POPUP = Object.freeze({
  [MESSAGE.ATTEMPT]: (p) =>
    isText(p.attempt_id, 64) && ATTEMPT_STATUSES.includes(p.status) && (p.error === null || isText(p.error, 64)),
});

/**
 * Whether `data` is a well-formed message of one of the types `guards` knows (its payload an object).
 * @param {unknown} data
 * @param {Record<string, (payload: any) => boolean>} guards one of TO_HOST, TO_FRAME, FROM_POPUP
 * @returns {data is {type: string, payload: Record<string, any>}}
 */
export function isMessage(data, guards) {
  try {
    return (
      isRecord(data) &&
      typeof data.type === "string" &&
      Object.hasOwn(guards, data.type) &&
      Object.keys(data).every((k) => k === "type" || k === "payload") &&
      isRecord(data.payload) &&
      guards[data.type](data.payload) === true
    );
  } catch {
    return false;
  }
}

/**
 * The one check every receiver runs: the sending window, then the exact origin, then the shape.
 * Returns the message or null (ignored, never thrown: a foreign page must not be able to break us).
 * @param {{source: unknown, origin: string, data: unknown}} event a MessageEvent
 * @param {{source: unknown, origin: string, guards: Record<string, (payload: any) => boolean>}} expected
 * @returns {{type: string, payload: Record<string, any>} | null}
 */
export const acceptMessage = (event, expected) =>
  event &&
  expected.source &&
  event.source === expected.source &&
  event.origin === expected.origin &&
  expected.origin !== "null" &&
  isMessage(event.data, expected.guards)
    ? event.data
    : null;

/**
 * Post a protocol message to one window at one exact origin (never "*").
 * @param {{postMessage: Function} | null | undefined} target
 * @param {string} origin
 * @param {string} type
 * @param {Record<string, unknown>} [payload]
 */
export function send(target, origin, type, payload = {}) {
  if (!target || typeof origin !== "string" || !/^https?:\/\/[^/]+$/.test(origin)) return false;
  target.postMessage({ type, payload }, origin);
  return true;
}
