/**
 * Build what the frame loads into few, small files: dist/frame.js, the frame's ES modules bundled into one module by
 * esbuild (served at /widget/v1/assets/frame/bundle.js), dist/widget.css, the style sheets of src/styles/ joined in
 * order (served at /widget/v1/assets/styles/widget.css), and dist/precompressed/<served path>.gz and .br of every
 * file the broker serves, so that serving compresses nothing at run time and needs no Node.
 *
 * Deterministic: the same sources give the same dist/frame.js. Compressed bytes may differ between zlib builds, so
 * `checkBundle` verifies that each compressed file decompresses to the current file rather than comparing bytes.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = new URL("../", import.meta.url);
export const FRAME_OUTPUT = fileURLToPath(new URL("dist/frame.js", ROOT));
export const STYLES_OUTPUT = fileURLToPath(new URL("dist/widget.css", ROOT));
/** The frame's style sheets, in cascade order (a later rule wins over an earlier one of the same specificity). */
export const STYLE_PARTS = Object.freeze([
  "base.css",
  "catalogue.css",
  "controls.css",
  "small_screens.css",
  "review.css",
  "review_room.css",
  "share.css",
]);
const FRAME_BANNER = "/*! LedgerLink widget frame v1 | Apache-2.0 */";
/** Served path (under /widget/v1/assets/, or "loader.js") → the file the broker reads, relative to widget/. */
export const SERVED = Object.freeze({
  "loader.js": "dist/loader.js",
  "frame/bundle.js": "dist/frame.js",
  "frame/callback.js": "src/frame/callback.js",
  "messages.js": "src/messages.js",
  "styles/widget.css": "dist/widget.css",
  "i18n/en.json": "src/i18n/en.json",
  "i18n/fr.json": "src/i18n/fr.json",
});
const ENCODINGS = Object.freeze({
  gz: { compress: (data) => gzipSync(data, { level: 9 }), decompress: gunzipSync },
  br: {
    compress: (data) =>
      brotliCompressSync(data, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      }),
    decompress: brotliDecompressSync,
  },
});

const precompressedPath = (served, suffix) => fileURLToPath(new URL(`dist/precompressed/${served}.${suffix}`, ROOT));

/** @returns {Promise<string>} the frame's modules (entry src/frame/app.js) as one minified ES module */
export async function buildFrame() {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("src/frame/app.js", ROOT))],
    bundle: true,
    format: "esm",
    target: "es2020",
    minify: true,
    charset: "ascii",
    legalComments: "none",
    banner: { js: FRAME_BANNER },
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

/** @returns {Promise<string>} the frame's one style sheet: src/styles/ joined in STYLE_PARTS order */
export async function buildStyles() {
  const parts = await Promise.all(STYLE_PARTS.map((name) => readFile(new URL(`src/styles/${name}`, ROOT), "utf8")));
  return parts.join("");
}

/**
 * Write dist/frame.js (given), dist/widget.css and every served file's .gz and .br, reading the others from disk.
 * @param {string} frame the built bundle
 */
export async function writeBundle(frame) {
  await writeFile(FRAME_OUTPUT, frame);
  await writeFile(STYLES_OUTPUT, await buildStyles());
  for (const [served, file] of Object.entries(SERVED)) {
    const data = await readFile(new URL(file, ROOT));
    for (const [suffix, { compress }] of Object.entries(ENCODINGS)) {
      const target = precompressedPath(served, suffix);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, compress(data));
    }
  }
}

/**
 * What is stale: dist/frame.js unlike `frame`, dist/widget.css unlike src/styles/, or a compressed file missing or
 * not decompressing to its file.
 * @param {string} frame the built bundle
 * @returns {Promise<string[]>} the stale paths (empty when everything is current)
 */
export async function staleBundle(frame) {
  const stale = [];
  if ((await readFile(FRAME_OUTPUT, "utf8").catch(() => "")) !== frame) stale.push("dist/frame.js");
  if ((await readFile(STYLES_OUTPUT, "utf8").catch(() => "")) !== (await buildStyles())) stale.push("dist/widget.css");
  for (const [served, file] of Object.entries(SERVED)) {
    const data = await readFile(new URL(file, ROOT)).catch(() => Buffer.alloc(0));
    for (const [suffix, { decompress }] of Object.entries(ENCODINGS)) {
      const compressed = await readFile(precompressedPath(served, suffix)).catch(() => null);
      let same = false;
      try {
        same = compressed !== null && decompress(compressed).equals(data);
      } catch {
        same = false;
      }
      if (!same) stale.push(`dist/precompressed/${served}.${suffix}`);
    }
  }
  return stale;
}
