/**
 * Message catalogues: pick the locale (the host's option, else the browser's languages, else English) and
 * translate keys with `{name}` placeholders. Catalogues live in ../i18n/<locale>.json; every string is there.
 * Amounts and days are written the owner's way here too.
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
 * Fetch a catalogue served next to the frame's scripts: the first step's words, or with `part` "later" the words
 * of the steps after connect (the build splits src/i18n/<locale>.json in two, scripts/bundle.js).
 * @param {"en" | "fr"} locale
 * @param {"" | "later"} [part]
 * @returns {Promise<Record<string, string>>}
 */
export async function loadCatalogue(locale, part = "") {
  // An absolute path (the broker serves the widget under /widget/v1/): the frame's inline boot script asks too.
  const response = await fetch(`/widget/v1/assets/i18n/${part ? `${part}/` : ""}${locale}.json`, {
    credentials: "omit",
  });
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

/** Integer minor units in the owner's language with ``options`` of Intl.NumberFormat (plain digits if unsupported). */
function formatCents(cents, locale, options) {
  try {
    return new Intl.NumberFormat(locale, options).format(cents / 100);
  } catch {
    return (cents / 100).toFixed(2);
  }
}

/** Integer minor units as a plain amount ("202 310,97"), for tables that name their currency once. */
export function amount(cents, locale) {
  return formatCents(cents, locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Format minor units as money in the owner's language. */
export function money(cents, currency, locale) {
  return formatCents(cents, locale, { style: "currency", currency: currency || "USD" });
}

/** A day as YYYY-MM-DD. */
export const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The day order of each locale's numeric dates (the catalogue names the format: MM/DD/YYYY, JJ/MM/AAAA). */
const DAY_ORDER = { en: ["month", "day"], fr: ["day", "month"] };

/**
 * A day (YYYY-MM-DD) as the owner's locale writes it: "09/30/2026" in English, "30/09/2026" in French.
 * Anything else (what the owner typed and could not be read) is shown back as it is.
 * @param {string} value @param {string} locale
 */
export function formatDay(value, locale) {
  const match = DAY_RE.test(value || "") ? value.split("-") : null;
  if (!match) return value || "";
  const [year, month, day] = match;
  const parts = { day, month };
  return [...(DAY_ORDER[locale] || DAY_ORDER.en).map((k) => parts[k]), year].join("/");
}

/**
 * Read a day typed in the locale's format (or as YYYY-MM-DD); returns YYYY-MM-DD, or the text as typed when it is
 * not a date (the check then says what to type).
 * @param {string} text @param {string} locale
 */
export function parseDay(text, locale) {
  const typed = String(text || "").trim();
  if (DAY_RE.test(typed)) return typed;
  const found = typed.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
  if (!found) return typed.slice(0, 10);
  const [first, second] = DAY_ORDER[locale] || DAY_ORDER.en;
  const parts = { [first]: found[1].padStart(2, "0"), [second]: found[2].padStart(2, "0") };
  const day = `${found[3]}-${parts.month}-${parts.day}`;
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day) ? day : typed.slice(0, 10);
}
