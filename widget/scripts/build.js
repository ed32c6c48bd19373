/**
 * Build dist/loader.js, the one classic script the broker serves at /widget/v1/loader.js: src/loader.js and what it
 * uses of messages.js bundled by esbuild into one IIFE (so only `LinkWidget` is global; what the loader does not
 * import is left out), then minified by terser. It must stay under LOADER_BUDGET bytes gzipped (test/build.test.js).
 * Deterministic: the same sources give the same bytes (and so the same SRI hash).
 * It also builds the frame's bundle and the precompressed copies (scripts/bundle.js).
 * `node scripts/build.js --check` fails when dist/loader.js or any of those is stale.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { buildFrame, classicScript, staleBundle, writeBundle } from "./bundle.js";

const ROOT = new URL("../", import.meta.url);
export const OUTPUT = fileURLToPath(new URL("dist/loader.js", ROOT));
/** The loader's budget on the wire: bytes gzipped (level 9), issue 16. */
export const LOADER_BUDGET = 2048;
const BANNER = "/*! LedgerLink loader | Apache-2.0 */";

/** @returns {Promise<string>} the built loader */
export async function buildLoader() {
  const code = await classicScript(fileURLToPath(new URL("src/loader.js", ROOT)), {
    preamble: BANNER,
    compress: { unsafe_arrows: true },
  });
  return `${code}\n`;
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
    console.log(
      `wrote dist/frame.js (${frame.bundle.length} bytes), dist/frame-later.js (${frame.later.length}) and dist/precompressed/`,
    );
  }
}
