/**
 * Build dist/loader.js, the one classic script the broker serves at /widget/v1/loader.js: messages.js and
 * loader.js joined in one strict IIFE (imports and `export` keywords dropped, so only `LinkWidget` is global),
 * then minified by terser. Deterministic: the same sources give the same bytes (and so the same SRI hash).
 * It also builds the frame's bundle and the precompressed copies (scripts/bundle.js).
 * `node scripts/build.js --check` fails when dist/loader.js or any of those is stale.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { minify } from "terser";
import { buildFrame, staleBundle, writeBundle } from "./bundle.js";

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
  const frame = await buildFrame();
  if (process.argv.includes("--check")) {
    const current = await readFile(OUTPUT, "utf8").catch(() => "");
    const stale = [...(current === built ? [] : ["dist/loader.js"]), ...(await staleBundle(frame))];
    if (stale.length) {
      console.error(`widget/${stale.join(", widget/")} stale: run \`npm run build\` in widget/`);
      process.exit(1);
    }
  } else {
    await writeFile(OUTPUT, built);
    console.log(`wrote ${OUTPUT} (${built.length} bytes)`);
    await writeBundle(frame);
    console.log(`wrote dist/frame.js (${frame.length} bytes) and dist/precompressed/`);
  }
}
