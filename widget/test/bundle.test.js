import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { describe, it } from "node:test";
import { readFileSync, readdirSync } from "node:fs";
import {
  FRAME_OUTPUT,
  LATER_OUTPUT,
  LATER_WORDS,
  SERVED,
  bundleVersion,
  STYLE_PARTS,
  buildFrame,
  staleBundle,
} from "../scripts/bundle.js";

const FIRST_STEP_BUDGET = 30 * 1024;

describe("dist/frame.js and dist/precompressed/", () => {
  it("are what the sources build to (run `npm run build` after editing src/)", async () => {
    assert.deepEqual(await staleBundle(await buildFrame()), []);
  });
  it("joins every style sheet of src/styles/ into the one the frame loads", () => {
    const sheets = readdirSync(new URL("../src/styles/", import.meta.url)).filter((name) => name.endsWith(".css"));
    assert.deepEqual([...STYLE_PARTS].sort(), sheets.sort());
  });
  it("is one module for the first step, which imports nothing before it runs (one request for its code)", async () => {
    const code = await readFile(FRAME_OUTPUT, "utf8");
    assert.doesNotMatch(code, /(^|[;}])\s*import\s*[\w{*"']/);
    assert.deepEqual(code.match(/\bimport\([^)]*\)/g), ['import("./later.js")']);
  });
  it("loads the later steps from one module that takes the shared code from the bundle, not a copy", async () => {
    const later = await readFile(LATER_OUTPUT, "utf8");
    const imported = [...later.matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]);
    // The very URL the frame page loads the bundle by (its version): one instance of the bundle in the browser.
    assert.deepEqual([...new Set(imported)], [`./bundle.js?v=${bundleVersion(await readFile(FRAME_OUTPUT, "utf8"))}`]);
    assert.doesNotMatch(later, /class \w+ extends Error/); // BrokerError is the bundle's one class
    const bundle = await readFile(FRAME_OUTPUT, "utf8");
    for (const names of later.matchAll(/import\s*\{([^}]*)\}\s*from\s*"\.\/bundle\.js[^"]*"/g)) {
      for (const name of names[1].split(",").map((part) => part.trim().split(/\s+as\s+/)[0])) {
        assert.match(bundle, new RegExp(`export\\s*\\{[^}]*\\b${name}\\b`), `the bundle exports ${name}`);
      }
    }
  });
  it("keeps the first step's static files well under 30 KB compressed", async () => {
    const files = ["frame/bundle.js", "styles/widget.css", "i18n/en.json"].map((served) => SERVED[served]);
    const bodies = await Promise.all(files.map((file) => readFile(new URL(`../${file}`, import.meta.url))));
    const gzip = bodies.reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0);
    const brotli = bodies.reduce((sum, body) => sum + brotliCompressSync(body).length, 0);
    // Room for the frame page and the bootstrap call, headers included (1,088 and 976 bytes on the wire in
    // e2e/test_widget_weight.py, which measures the whole first step in Chromium against the same 30 KB).
    assert.ok(gzip < FIRST_STEP_BUDGET - 3072, `${gzip} bytes gzipped`);
    assert.ok(brotli < gzip, `${brotli} bytes with brotli`);
  });
  it("gives the first step's screens only words of the first step's catalogue (the others come with later.js)", () => {
    const frame = new URL("../src/frame/", import.meta.url);
    const files = ["app.js", "view.js", "parts.js", "host.js", "i18n.js"]
      .concat(readdirSync(new URL("connect/", frame)).map((name) => `connect/${name}`))
      .concat(readdirSync(new URL("resume/", frame)).map((name) => `resume/${name}`));
    const later = new RegExp(`t\\(\\s*["'\`](${LATER_WORDS.map((p) => p.replace(".", "\\.")).join("|")})`);
    for (const file of files) assert.doesNotMatch(readFileSync(new URL(file, frame), "utf8"), later, file);
  });
});
