/**
 * Build dist/loader.js, the one classic script the broker serves at /widget/v1/loader.js: messages.js and
 * loader.js joined in one strict IIFE (imports and `export` keywords dropped, so only `LinkWidget` is global),
 * then minified by terser. Deterministic: the same sources give the same bytes (and so the same SRI hash).
 * `node scripts/build.js --check` fails when dist/loader.js is stale.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { minify } from "terser";

const ROOT = new URL("../", import.meta.url);
const SOURCES = ["src/messages.js", "src/loader.js"];
export const OUTPUT = fileURLToPath(new URL("dist/loader.js", ROOT));
const BANNER = "/*! LedgerLink widget loader v1 | Apache-2.0 */";

/** Turn an ES module of this folder into plain statements (its imports are the other inlined sources). */
function unmodule(source) {
  return source.replace(/^import\s[^;]*;\s*$/gm, "").replace(/^export\s+/gm, "");
}

/** @returns {Promise<string>} the built loader */
export async function buildLoader() {
  const parts = await Promise.all(SOURCES.map((name) => readFile(new URL(name, ROOT), "utf8")));
  const bundle = `(() => {\n"use strict";\n${parts.map(unmodule).join("\n")}\n})();\n`;
  const result = await minify(bundle, {
    ecma: 2020,
    compress: { passes: 2, unsafe_arrows: true, pure_funcs: ["Object.freeze"] },
    mangle: { toplevel: true },
    format: { preamble: BANNER, ascii_only: true },
  });
  return `${result.code}\n`;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const built = await buildLoader();
  if (process.argv.includes("--check")) {
    const current = await readFile(OUTPUT, "utf8").catch(() => "");
    if (current !== built) {
      console.error("widget/dist/loader.js is stale: run `npm run build` in widget/");
      process.exit(1);
    }
  } else {
    await writeFile(OUTPUT, built);
    console.log(`wrote ${OUTPUT} (${built.length} bytes)`);
  }
}
