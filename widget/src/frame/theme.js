/**
 * Theming: the lender's accent colour, checked for WCAG contrast, becomes CSS custom properties (set through
 * the CSSOM, which a strict CSP allows, never through a style attribute).
 */

const DEFAULT_ACCENT = "#1d4ed8";

/** @param {string} hex "#rrggbb" @returns {number} relative luminance (WCAG 2.x) */
export function luminance(hex) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** @param {string} a @param {string} b @returns {number} contrast ratio between two colours */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** @param {string} hex @param {number} amount 0..1 toward black */
function darken(hex, amount) {
  const parts = [1, 3, 5].map((i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * (1 - amount)));
  return `#${parts.map((p) => p.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The colours to use for an accent: itself for fills with black or white text on it (whichever contrasts more),
 * and a darkened variant for text, links and focus rings that reaches 4.5:1 on white.
 * @param {string | undefined} accent
 * @returns {{accent: string, onAccent: string, accentText: string}}
 */
export function accentPalette(accent) {
  const base = accent && /^#[0-9a-fA-F]{6}$/.test(accent) ? accent.toLowerCase() : DEFAULT_ACCENT;
  const onAccent = contrast(base, "#ffffff") >= contrast(base, "#000000") ? "#ffffff" : "#000000";
  let accentText = base;
  for (let step = 0; contrast(accentText, "#ffffff") < 4.5 && step < 20; step += 1)
    accentText = darken(base, step * 0.05);
  const fill = contrast(base, onAccent) >= 4.5 ? base : accentText;
  return { accent: fill, onAccent: contrast(fill, "#ffffff") >= 4.5 ? "#ffffff" : onAccent, accentText };
}

/**
 * Apply a palette to the document's root element.
 * @param {HTMLElement} root
 * @param {{accent: string, onAccent: string, accentText: string}} palette
 */
export function applyPalette(root, palette) {
  root.style.setProperty("--accent", palette.accent);
  root.style.setProperty("--on-accent", palette.onAccent);
  root.style.setProperty("--accent-text", palette.accentText);
}
