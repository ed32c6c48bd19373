/**
 * The closed, namespaced, versioned set of messages between the loader (host page), the frame (broker origin)
 * and the OAuth callback page (broker origin, in the popup). Every receiver runs `acceptMessage` (source window,
 * then exact origin, then shape) before reading anything; senders always name the exact target origin.
 *
 * The loader is served as one classic script: its build (widget/scripts/build.js) bundles only what loader.js imports
 * from here, so keep this module free of imports and side effects (its top-level tables are marked pure).
 * TO_HOST is the full contract of what the frame sends; the frame checks its messages against it before sending,
 * and the loader (whose size is budgeted) checks the source, the origin, the envelope and the fields it reads.
 */

export const PROTOCOL = "ledgerlink:v1:";

/** Every message type, by short name. Frozen: the set is closed. */
export const MESSAGE = /* @__PURE__ */ Object.freeze({
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
export const EVENT_NAMES = /* @__PURE__ */ Object.freeze([
  "open",
  "app_selected",
  "connected",
  "mapping_saved",
  "reconciled",
  "error",
  "exit",
  "success",
]);

export const CATEGORIES = /* @__PURE__ */ Object.freeze(["accounting", "banking", "commerce", "payroll"]);
export const LOCALES = /* @__PURE__ */ Object.freeze(["en", "fr"]);
export const ATTEMPT_STATUSES = /* @__PURE__ */ Object.freeze(["pending", "connected", "denied", "error", "expired"]);

/**
 * A check that `value` is a string matching `pattern` (RegExp.test alone would turn any value into a string).
 * @param {RegExp} pattern
 * @returns {(value: unknown) => boolean}
 */
const matches = (pattern) => (value) => typeof value === "string" && pattern.test(value);

/** @param {unknown} value @param {number} [max] a string of at most `max` characters */
const isText = (value, max = 500) => typeof value === "string" && value.length <= max;

/**
 * An optional list: undefined/null, or an array of at most 50 items that all pass `ok`.
 * @param {unknown} value
 * @param {(item: any) => boolean} ok
 */
export const isList = (value, ok) => value == null || (Array.isArray(value) && value.length <= 50 && value.every(ok));

/** An app key such as "ledgerly". */
export const APP_KEY = /^[a-z0-9_]{1,64}$/;

/** @param {unknown} value an app key such as "ledgerly" */
export const isAppKey = /* @__PURE__ */ matches(APP_KEY);

/** @param {unknown} value one of CATEGORIES */
export const isCategory = (value) => CATEGORIES.includes(/** @type {string} */ (value));

/** @param {unknown} value @returns {value is Record<string, unknown>} */
const isRecord = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/** @param {unknown} value an empty object (the payload of READY, CLOSE and SHOW) */
const isEmpty = (value) => isRecord(value) && !Object.keys(value).length;

/** @param {unknown} value flat metadata: no nested object, lists of texts only */
const isMetadata = (value) =>
  isRecord(value) &&
  Object.values(value).every((v) => typeof v !== "object" || v === null || isList(v, (x) => isText(x, 200)));

/** The theme's keys and the pattern each string must match: `{accent?: "#rrggbb", logoUrl?: "https://...", name?}`. */
export const THEME_PATTERNS = /* @__PURE__ */ Object.freeze({
  accent: /^#[0-9a-fA-F]{6}$/,
  // An absolute https URL, or http on a loopback host (development); 2048 characters at most.
  logoUrl: /^(?![^]{2049})(https:\/\/|http:\/\/(localhost|127\.0\.0\.1)[:/])\S+$/,
  name: /^[^]{1,80}$/,
});

/** The theme's keys and their checks. */
export const THEME = /* @__PURE__ */ Object.freeze({
  accent: /* @__PURE__ */ matches(THEME_PATTERNS.accent),
  logoUrl: /* @__PURE__ */ matches(THEME_PATTERNS.logoUrl),
  name: /* @__PURE__ */ matches(THEME_PATTERNS.name),
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
 * What is wrong with the payload of `init` (the token and the display options, no callbacks, no DOM), in the words
 * of `LinkWidget.create`'s options, or "" when nothing is. The loader checks only the options' names and types (it
 * must stay small); the values are checked here, and the frame ends the widget with "invalid_options" naming this.
 * An option not given is absent, undefined or null.
 * @param {unknown} payload
 * @returns {string}
 */
export function initProblem(payload) {
  if (!isRecord(payload)) return "init must be an object";
  const { token, options } = payload;
  if (!isText(token, 2048) || !token) return "options.token is not valid";
  if (!isRecord(options)) return "options must be an object";
  const { locale, categories, apps, theme, mode } = options;
  if (locale != null && !LOCALES.includes(/** @type {string} */ (locale))) return "options.locale is not valid";
  if (!isList(categories, isCategory)) return "options.categories is not valid";
  if (!isList(apps, isAppKey)) return "options.apps is not valid";
  const problem = theme == null ? "" : themeProblem(theme);
  if (problem) return /^(has|must) /.test(problem) ? `options.theme ${problem}` : `options.theme.${problem}`;
  if (mode !== "modal" && mode !== "inline") return "options.mode is not valid";
  return "";
}

/** Guards of what the frame may send to the host page (the loader accepts nothing else). Payloads are objects. */
export const TO_HOST = /* @__PURE__ */ Object.freeze({
  [MESSAGE.READY]: isEmpty,
  [MESSAGE.EVENT]: (p) => EVENT_NAMES.includes(p.name) && isMetadata(p.metadata),
  [MESSAGE.EXIT]: (p) => (p.error === null || isText(p.error.code, 64)) && isMetadata(p.metadata),
  [MESSAGE.SUCCESS]: (p) => isRecord(p.result) && isText(p.result.account_key, 200),
  [MESSAGE.RESIZE]: (p) => p.height >= 0 && p.height <= 10000,
});

/** Guards of what the host page may send to the frame. */
export const TO_FRAME = /* @__PURE__ */ Object.freeze({
  [MESSAGE.INIT]: (p) => initProblem(p) === "",
  [MESSAGE.CLOSE]: isEmpty,
  [MESSAGE.SHOW]: isEmpty,
});

/** Guards of what the OAuth callback page (in the popup) may send to the frame that opened it. */
export const FROM_POPUP = /* @__PURE__ */ Object.freeze({
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
