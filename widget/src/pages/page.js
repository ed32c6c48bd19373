/**
 * What the broker's own pages (the receipt, the accountant's page) share: the token after `#`, the locale
 * (`?lang=`, else the browser's languages), their words, and the calls that carry the link's token in a JSON body.
 */
import { BrokerError } from "../frame/api.js";
import { pickLocale, translator } from "../frame/i18n.js";

/**
 * The token after `#` in the page's link: a fragment never reaches a server, a log or a Referer.
 * @param {string} hash location.hash
 */
export function tokenFromHash(hash) {
  let token = "";
  try {
    token = decodeURIComponent(String(hash || "").replace(/^#/, "")).trim();
  } catch {
    return ""; // a mangled link ("%E0%A4%A"): the page says the link is not valid
  }
  return /^[A-Za-z0-9._~:-]{1,1024}$/.test(token) ? token : "";
}

/**
 * The page's locale: `?lang=` when it is one we speak, else the first of the browser's languages we speak.
 * @param {string} search location.search @param {readonly string[]} languages navigator.languages
 * @returns {"en" | "fr"}
 */
export function pageLocale(search, languages) {
  return pickLocale(new URLSearchParams(search).get("lang"), languages);
}

/**
 * Fetch catalogues served beside the pages' scripts (`frame` for the frame's first step, `later` for its steps
 * after connect, `pages` for the pages' own) and return one translator over them.
 * @param {"en" | "fr"} locale @param {readonly ("frame" | "later" | "pages")[]} parts
 */
export async function loadWords(locale, parts) {
  const paths = {
    frame: `../i18n/${locale}.json`,
    later: `../i18n/later/${locale}.json`,
    pages: `../i18n/pages/${locale}.json`,
  };
  const catalogues = await Promise.all(
    parts.map(async (part) => {
      const response = await fetch(new URL(paths[part], import.meta.url), { credentials: "omit" });
      if (!response.ok) throw new Error(`catalogue ${part} ${locale} answered ${response.status}`);
      return response.json();
    }),
  );
  return translator(Object.assign({}, ...catalogues));
}

/**
 * POST a JSON body to one of the broker's public calls (`/consents/...`, `/v1/invitations/accept`): the data, or a
 * `BrokerError` with the broker's code (`network_error` when there was no answer).
 * @param {string} path @param {Record<string, any>} body @param {typeof fetch} [fetchImpl]
 */
export async function postPublic(path, body, fetchImpl = fetch) {
  let response;
  let data = null;
  try {
    response = await fetchImpl(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      redirect: "error",
      referrerPolicy: "no-referrer",
    });
    data = await response.json().catch(() => null);
  } catch {
    throw new BrokerError(0, "network_error", "The broker could not be reached.");
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const code = response.status === 429 ? "rate_limited" : error.code || "broker_error";
    throw new BrokerError(response.status, code, error.message || `HTTP ${response.status}`);
  }
  return data;
}

/**
 * The sentence for an error of a page: `<prefix>.error.<code>` when the catalogue has it, else the generic one.
 * @param {(key: string, vars?: Record<string, any>) => string} t @param {string} prefix @param {string} code
 */
export function pageError(t, prefix, code) {
  const key = `${prefix}.error.${code}`;
  const text = t(key);
  return text === key ? t(`${prefix}.error.generic`) : text;
}

/** An instant (ISO 8601) in the reader's words and time zone, or "" when there is none. */
export function formatInstant(value, locale) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short" }).format(date);
}

/** A day (YYYY-MM-DD) in the reader's words ("30 September 2026", "30 septembre 2026"). */
export function formatLongDay(value, locale) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value || "")) return value || "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${value}T00:00:00Z`));
}
