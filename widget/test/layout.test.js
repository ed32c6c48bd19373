import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { describe, it } from "node:test";

const FRAME = new URL("../src/frame/", import.meta.url);
const STEPS = ["connect", "map", "reconcile", "resume", "review"];
const SHARED = readdirSync(FRAME).filter((name) => name.endsWith(".js"));
const files = [
  ...SHARED,
  ...STEPS.flatMap((step) => readdirSync(new URL(`${step}/`, FRAME)).map((name) => `${step}/${name}`)),
];
const source = (file) => readFileSync(new URL(file, FRAME), "utf8");
/** The frame files a file imports, as paths under src/frame/ ("../messages.js" stays as it is). */
const imports = (file) =>
  [...source(file).matchAll(/from "([^"]+)"/g)].map(([, spec]) => {
    const resolved = new URL(spec, new URL(file, FRAME)).href;
    return resolved.startsWith(FRAME.href) ? resolved.slice(FRAME.href.length) : spec;
  });

describe("the frame's layout (widget/README.md)", () => {
  it("has each step's state, view and effects in its folder, and no file over 350 lines", () => {
    for (const step of STEPS)
      for (const part of ["state", "view", "effects"]) assert.ok(files.includes(`${step}/${part}.js`), step);
    for (const file of files) assert.ok(source(file).split("\n").length <= 351, file);
  });
  it("keeps steps apart: a step imports shared modules and its own folder, never another step", () => {
    for (const file of files.filter((f) => f.includes("/"))) {
      const step = file.split("/")[0];
      for (const target of imports(file)) {
        const other = STEPS.find((s) => target.startsWith(`${s}/`) && s !== step);
        assert.equal(other, undefined, `${file} imports ${target}`);
      }
    }
  });
  it("keeps shared modules below the steps: only app.js, state.js, view.js and later.js assemble the steps", () => {
    for (const file of SHARED.filter((f) => !["app.js", "state.js", "view.js", "later.js"].includes(f)))
      assert.deepEqual(
        imports(file).filter((target) => target.includes("/") && !target.startsWith("../")),
        [],
        file,
      );
  });
  it("gives state and effects no DOM or window of their own (they get what they need as arguments)", () => {
    for (const file of files.filter((f) => /\/(state|effects)\.js$/.test(f)))
      assert.doesNotMatch(source(file), /(?<![\w.])(window|document|location|navigator)\./, file);
  });
  it("keeps the broker's own pages (src/pages/) small, and off the frame's entry (they import its parts)", () => {
    const pages = new URL("../src/pages/", import.meta.url);
    for (const name of readdirSync(pages).filter((n) => n.endsWith(".js"))) {
      const text = readFileSync(new URL(name, pages), "utf8");
      assert.ok(text.split("\n").length <= 351, name);
      assert.doesNotMatch(text, /from "\.\.\/frame\/app\.js"/, name);
    }
  });
});
