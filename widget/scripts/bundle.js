/**
 * Build what the frame loads into few, small files: dist/frame.js, the frame's ES modules bundled into one module by
 * esbuild (served at /widget/v1/assets/frame/bundle.js), dist/widget.css, the style sheets of src/styles/ joined in
 * order and minified (served at /widget/v1/assets/styles/widget.css), and dist/precompressed/<served path>.gz and
 * .br of every file the broker serves, so that serving compresses nothing at run time and needs no Node.
 *
 * Deterministic: the same sources give the same dist/frame.js. Compressed bytes may differ between zlib builds, so
 * `checkBundle` verifies that each compressed file decompresses to the current file rather than comparing bytes.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";
import { build, transform } from "esbuild";
import { minify } from "terser";

const ROOT = new URL("../", import.meta.url);
export const FRAME_OUTPUT = fileURLToPath(new URL("dist/frame.js", ROOT));
export const LATER_OUTPUT = fileURLToPath(new URL("dist/frame-later.js", ROOT));
export const STYLES_OUTPUT = fileURLToPath(new URL("dist/widget.css", ROOT));
/** The frame's inline boot script (src/frame/boot.js as one classic script): the broker puts it in the frame page. */
export const BOOT_OUTPUT = fileURLToPath(new URL("dist/boot.js", ROOT));
/** The frame's style sheets, in cascade order (a later rule wins over an earlier one of the same specificity). */
export const STYLE_PARTS = Object.freeze([
  "base.css",
  "catalogue.css",
  "controls.css",
  "invite.css",
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
  "frame/later.js": "dist/frame-later.js",
  "frame/callback.js": "src/frame/callback.js",
  "messages.js": "src/messages.js",
  "styles/widget.css": "dist/widget.css",
  "i18n/en.json": "dist/i18n/en.json",
  "i18n/fr.json": "dist/i18n/fr.json",
  "i18n/later/en.json": "dist/i18n/later/en.json",
  "i18n/later/fr.json": "dist/i18n/later/fr.json",
  "pages/receipt.js": "dist/receipt.js",
  "pages/accountant.js": "dist/accountant.js",
  "pages/pages.css": "src/pages/pages.css",
  "i18n/pages/en.json": "src/i18n/pages/en.json",
  "i18n/pages/fr.json": "src/i18n/pages/fr.json",
});
/** The broker's own pages (receipt, accountant): entry under src/pages/ → its bundle under dist/, served as pages/. */
/**
 * The catalogue's keys that only the steps after connect show (by prefix): the build serves them apart, as
 * i18n/later/<locale>.json, fetched with later.js, so that the first step's catalogue holds only its own words.
 * src/i18n/<locale>.json stays the one source of every word (and node tests read it whole).
 */
export const LATER_WORDS = Object.freeze(["map.", "reconcile.", "review.", "coverage.", "notes.", "share.", "invite."]);
export const LOCALES = Object.freeze(["en", "fr"]);

/** @returns {Promise<Record<string, string>>} each locale's catalogue split in two, by its path under widget/ */
export async function buildCatalogues() {
  const built = {};
  for (const locale of LOCALES) {
    const words = JSON.parse(await readFile(new URL(`src/i18n/${locale}.json`, ROOT), "utf8"));
    const later = (key) => LATER_WORDS.some((prefix) => key.startsWith(prefix));
    const part = (keep) => `${JSON.stringify(Object.fromEntries(Object.entries(words).filter(([k]) => keep(k))))}\n`;
    built[`dist/i18n/${locale}.json`] = part((key) => !later(key));
    built[`dist/i18n/later/${locale}.json`] = part(later);
  }
  return built;
}

export const PAGES = Object.freeze({ receipt: "dist/receipt.js", accountant: "dist/accountant.js" });
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

const FRAME_DIR = fileURLToPath(new URL("src/frame/", ROOT));
const FIRST_ENTRY = "app.js";
/** The module of the steps after "connect", loaded with `import("./later.js")` when the owner first needs them. */
const LATER_ENTRY = "later.js";

const OPTIONS = Object.freeze({
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

/** An esbuild plugin that leaves the imports `rewrite` names (absolute path → specifier) to the browser. */
const externals = (rewrite) => ({
  name: "frame-externals",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, ({ path: spec, resolveDir }) => {
      const target = rewrite(join(resolveDir, spec));
      return target ? { path: target, external: true } : undefined;
    });
  },
});

/** The names each of `files` exports (one esbuild pass per file, not bundled). */
async function exportsOf(files) {
  const names = new Map();
  for (const file of files) {
    const { metafile } = await build({
      entryPoints: [file],
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    for (const name of Object.values(metafile.outputs)[0].exports) {
      if (names.has(name)) throw new Error(`${name} is exported by both ${names.get(name)} and ${file}`);
      names.set(name, file);
    }
  }
  return names;
}

/**
 * Build the frame's code as two ES modules: the bundle (entry src/frame/app.js, served as frame/bundle.js), all the
 * first step needs, and the later steps (entry src/frame/later.js, served as frame/later.js, loaded on demand). A
 * module both use is only in the bundle, which re-exports what the later steps import from it: the later module
 * imports it as "./bundle.js", the same URL and so the same module instance (one store, one `BrokerError`).
 * esbuild's own code splitting would put that shared code in a third file that the first step has to load.
 * @returns {Promise<{bundle: string, later: string}>}
 */
export async function buildFrame() {
  const entry = (name) => join(FRAME_DIR, name);
  const laterPlugin = externals((path) => (path === entry(LATER_ENTRY) ? `./${LATER_ENTRY}` : null));
  // What the first step's code is made of, so that the later module takes none of it again.
  const first = await build({ ...OPTIONS, entryPoints: [entry(FIRST_ENTRY)], metafile: true, plugins: [laterPlugin] });
  const inFirst = new Set(Object.keys(first.metafile.inputs).map((input) => resolve(input)));
  const buildLater = async (bundleUrl, shared = new Set()) => {
    const result = await build({
      ...OPTIONS,
      entryPoints: [entry(LATER_ENTRY)],
      plugins: [externals((path) => (inFirst.has(path) ? (shared.add(path), bundleUrl) : null))],
    });
    return { text: result.outputFiles[0].text, shared };
  };
  const { shared } = await buildLater("./bundle.js");
  const reexports = [...shared].sort();
  await exportsOf(reexports); // two shared modules exporting one name would make it ambiguous: fail the build
  const bundleBuild = await build({
    ...OPTIONS,
    stdin: {
      contents: [
        `import "./${FIRST_ENTRY}";`,
        ...reexports.map((file) => `export * from "./${relative(FRAME_DIR, file)}";`),
      ].join("\n"),
      resolveDir: FRAME_DIR,
      sourcefile: "frame-entry.js",
    },
    plugins: [laterPlugin],
  });
  const bundle = bundleBuild.outputFiles[0].text;
  // The frame page loads the bundle by the URL of its version (broker/widget/assets.py: `?v=` and the first 32 hex
  // digits of its SHA-256, its ETag); the later module must import that very URL, or the browser would run a second
  // instance of the bundle.
  const later = await buildLater(`./bundle.js?v=${bundleVersion(bundle)}`);
  return { bundle, later: later.text };
}

/** @param {string} text @returns {string} the version the broker names a served file by (its ETag) */
export const bundleVersion = (text) => createHash("sha256").update(text).digest("hex").slice(0, 32);

/**
 * One classic script of `entry` and only what it uses of its imports (esbuild, as an IIFE), minified by terser, which
 * drops the unused protocol tables once told that reading a property has no side effect: the loader and the frame's
 * inline boot script. Deterministic, so the loader's SRI hash changes only with its sources.
 * @param {string} entry the entry module's path
 * @param {{preamble?: string, compress?: Record<string, any>}} [options] a banner, and terser compress options added
 * @returns {Promise<string>}
 */
export async function classicScript(entry, { preamble, compress = {} } = {}) {
  const { outputFiles } = await build({ ...OPTIONS, minify: false, banner: {}, format: "iife", entryPoints: [entry] });
  const { code } = await minify(outputFiles[0].text, {
    ecma: 2020,
    compress: { passes: 3, pure_getters: true, ...compress },
    mangle: { toplevel: true },
    format: { ascii_only: true, ...(preamble ? { preamble } : {}) },
  });
  return code;
}

/** @returns {Promise<string>} src/frame/boot.js as one classic script (the frame page's inline script) */
export const buildBoot = () =>
  classicScript(join(FRAME_DIR, "boot.js"), { compress: { pure_funcs: ["Object.freeze"] } });

/** @returns {Promise<Record<string, string>>} each page's entry (src/pages/<name>.js) bundled, by its dist path */
export async function buildPages() {
  const built = await Promise.all(
    Object.keys(PAGES).map(async (name) => {
      const result = await build({ ...OPTIONS, entryPoints: [fileURLToPath(new URL(`src/pages/${name}.js`, ROOT))] });
      return result.outputFiles[0].text;
    }),
  );
  return Object.fromEntries(Object.values(PAGES).map((file, index) => [file, built[index]]));
}

/** @returns {Promise<string>} the frame's one style sheet: src/styles/ joined in STYLE_PARTS order */
export async function buildStyles() {
  const parts = await Promise.all(STYLE_PARTS.map((name) => readFile(new URL(`src/styles/${name}`, ROOT), "utf8")));
  const { code } = await transform(parts.join(""), { loader: "css", minify: true, legalComments: "inline" });
  return code;
}

/**
 * Write dist/frame.js (given), dist/widget.css and every served file's .gz and .br, reading the others from disk.
 * @param {{bundle: string, later: string}} frame the built modules (buildFrame)
 */
export async function writeBundle(frame) {
  await writeFile(FRAME_OUTPUT, frame.bundle);
  await writeFile(LATER_OUTPUT, frame.later);
  for (const [file, text] of Object.entries(await buildPages())) await writeFile(new URL(file, ROOT), text);
  await writeFile(STYLES_OUTPUT, await buildStyles());
  await writeFile(BOOT_OUTPUT, await buildBoot());
  for (const [file, text] of Object.entries(await buildCatalogues())) {
    await mkdir(dirname(fileURLToPath(new URL(file, ROOT))), { recursive: true });
    await writeFile(new URL(file, ROOT), text);
  }
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
 * @param {{bundle: string, later: string}} frame the built modules (buildFrame)
 * @returns {Promise<string[]>} the stale paths (empty when everything is current)
 */
export async function staleBundle(frame) {
  const stale = [];
  for (const [file, built] of [
    [FRAME_OUTPUT, frame.bundle],
    [LATER_OUTPUT, frame.later],
  ]) {
    if ((await readFile(file, "utf8").catch(() => "")) !== built) stale.push(`dist/${basename(file)}`);
  }
  if ((await readFile(STYLES_OUTPUT, "utf8").catch(() => "")) !== (await buildStyles())) stale.push("dist/widget.css");
  if ((await readFile(BOOT_OUTPUT, "utf8").catch(() => "")) !== (await buildBoot())) stale.push("dist/boot.js");
  for (const [file, text] of Object.entries(await buildCatalogues()))
    if ((await readFile(new URL(file, ROOT), "utf8").catch(() => "")) !== text) stale.push(file);
  for (const [file, text] of Object.entries(await buildPages()))
    if ((await readFile(new URL(file, ROOT), "utf8").catch(() => "")) !== text) stale.push(file);
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
