/**
 * The receipt page's pure parts (tested with node): the status in words, the receipt's fields as label and value,
 * and the downloaded file.
 */
import { formatInstant, formatLongDay } from "./page.js";

/** The statuses the broker reports (`broker/consents/store.py`, STATUSES). */
export const STATUSES = Object.freeze(["in_force", "expired", "access_expired", "revoked", "invalid"]);

/**
 * The status of a receipt in one sentence.
 * @param {(key: string, vars?: Record<string, any>) => string} t
 * @param {Record<string, any>} content what POST /consents/receipt answered
 * @param {string} locale
 */
export function statusSentence(t, content, locale) {
  const status = STATUSES.includes(content.status) ? content.status : "invalid";
  return t(`receipt.status.${status}`, {
    lender: content.lender_name,
    date: formatInstant(content.revoked_at, locale),
  });
}

/**
 * The receipt's fields in reading order: `[labelKey, value]`, each value a string (lists joined).
 * @param {(key: string, vars?: Record<string, any>) => string} t
 * @param {Record<string, any>} content @param {string} locale
 * @returns {[string, string][]}
 */
export function receiptFields(t, content, locale) {
  const category = (name) => t(`receipt.category.${name}`);
  const apps = (content.apps || []).map((app) =>
    app.category ? t("receipt.app", { name: app.name, category: category(app.category) }) : app.name,
  );
  const period = content.period || {};
  const attestation = content.attestation;
  const fields = [
    ["receipt.field.lender", content.lender_name],
    ["receipt.field.company", content.company_name],
    ["receipt.field.apps", apps.join(", ") || t("receipt.noApps")],
    ["receipt.field.categories", (content.categories || []).map(category).join(", ") || t("receipt.noApps")],
    [
      "receipt.field.period",
      t("receipt.period", { start: formatLongDay(period.start, locale), end: formatLongDay(period.end, locale) }),
    ],
    ["receipt.field.purpose", content.purpose || t("receipt.noPurpose")],
    ["receipt.field.issued", formatInstant(content.issued_at, locale)],
    ["receipt.field.expires", formatInstant(content.expires_at, locale)],
    ["receipt.field.access", formatInstant(content.access_expires_at, locale) || t("receipt.noAccessEnd")],
  ];
  if (attestation && attestation.name)
    fields.push([
      "receipt.field.attestation",
      t("receipt.attestation", { name: attestation.name, date: formatLongDay(attestation.complete_through, locale) }),
    ]);
  fields.push(["receipt.field.id", content.id]);
  return fields;
}

/**
 * The file "Download JSON" saves: the signed receipt (the JWS anyone can verify) and its claims, as JSON.
 * @param {Record<string, any>} content
 * @returns {{name: string, text: string}}
 */
export function receiptFile(content) {
  const safeId = String(content.id || "receipt").replace(/[^A-Za-z0-9_-]/g, "");
  return {
    name: `consent-receipt-${safeId}.json`,
    text: `${JSON.stringify({ receipt: content.receipt, claims: content.claims }, null, 2)}\n`,
  };
}

/**
 * What the page says after a revocation: the sentence, then which apps were disconnected and which were not.
 * @param {(key: string, vars?: Record<string, any>) => string} t @param {Record<string, any>} content
 * @returns {string[]}
 */
export function revokedSentences(t, content) {
  const vars = { lender: content.lender_name, company: content.company_name };
  // The page lists apps by name; the claims also carry each app's key, which the disconnection lists name.
  const apps = (content.claims && content.claims.apps) || [];
  const names = (keys) => keys.map((key) => apps.find((a) => a.key === key)?.name || key).join(", ");
  const said = [t("receipt.revoked", vars)];
  if ((content.disconnected || []).length)
    said.push(t("receipt.revoked.disconnected", { apps: names(content.disconnected) }));
  if ((content.disconnect_failed || []).length)
    said.push(t("receipt.revoked.failed", { ...vars, apps: names(content.disconnect_failed) }));
  return said;
}
