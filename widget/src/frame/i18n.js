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
