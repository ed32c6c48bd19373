/**
 * Message catalogues: pick the locale (the host's option, else the browser's languages, else English) and
 * translate keys with `{name}` placeholders. Catalogues live in ../i18n/<locale>.json; every string is there.
 */
import { LOCALES } from "../messages.js";

/**
 * @param {string | null | undefined} option the host's `locale` option
 * @param {readonly string[]} [languages] navigator.languages
 * @returns {"en" | "fr"}
 */
export function pickLocale(option, languages = []) {
  if (option && LOCALES.includes(option)) return /** @type {"en" | "fr"} */ (option);
  for (const tag of languages) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (LOCALES.includes(base)) return /** @type {"en" | "fr"} */ (base);
  }
  return "en";
}

/**
 * A translate function over one catalogue; a missing key falls back to `fallback`, then to the key itself.
 * @param {Record<string, string>} catalogue
 * @param {Record<string, string>} [fallback]
 * @returns {(key: string, vars?: Record<string, string | number>) => string}
 */
export function translator(catalogue, fallback = {}) {
  return (key, vars = {}) => {
    const template = catalogue[key] ?? fallback[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  };
}

/**
 * Fetch a catalogue served next to the frame's scripts.
 * @param {"en" | "fr"} locale
 * @returns {Promise<Record<string, string>>}
 */
export async function loadCatalogue(locale) {
  const response = await fetch(new URL(`../i18n/${locale}.json`, import.meta.url), { credentials: "omit" });
  if (!response.ok) throw new Error(`catalogue ${locale} answered ${response.status}`);
  return response.json();
}

/**
 * Every error code the frame may show the owner: the broker's, the upstream's and the apps' usual ones. Each has a
 * sentence `error.<code>` in every catalogue (a test checks it); the code itself only goes to the host's events.
 */
export const SHOWN_CODES = Object.freeze([
  "account_locked",
  "app_unavailable",
  "attempt_closed",
  "bad_callback",
  "bad_gateway",
  "broker_error",
  "code_attempts_exceeded",
  "code_expired",
  "connect_rejected",
  "denied",
  "error",
  "expired",
  "forbidden",
  "insufficient_scope",
  "internal_error",
  "invalid_token",
  "network_error",
  "no_challenge",
  "not_confirmed",
  "not_found",
  "origin_mismatch",
  "rate_limited",
  "unknown_challenge",
  "unknown_integration",
  "unsupported_app",
  "upstream_error",
  "upstream_timeout",
  "upstream_unavailable",
  "validation_failed",
]);

/**
 * A sentence for an error code, never the code itself: `error.<code>`, else a generic sentence.
 * @param {(key: string, vars?: Record<string, string | number>) => string} t
 * @param {string} code
 * @param {Record<string, string | number>} [vars] e.g. {app, lender}
 */
export function codeSentence(t, code, vars = {}) {
  const key = `error.${code}`;
  const text = t(key, vars);
  return text === key ? t("error.generic", vars) : text;
}
