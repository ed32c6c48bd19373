import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { describe, it } from "node:test";
import vm from "node:vm";
import { LOADER_BUDGET, OUTPUT, buildLoader } from "../scripts/build.js";
import { fakeWindow } from "./fake_dom.js";

describe("dist/loader.js", () => {
  it("is what the sources build to (run `npm run build` after editing src/)", async () => {
    assert.equal(await readFile(OUTPUT, "utf8"), await buildLoader());
  });
  it("is under 2,048 bytes gzipped (issue 16: every lender page pays for it)", async () => {
    assert.equal(LOADER_BUDGET, 2048);
    const size = gzipSync(await readFile(OUTPUT), { level: 9 }).length;
    assert.ok(size < LOADER_BUDGET, `${size} bytes gzipped, the budget is under ${LOADER_BUDGET}`);
  });
  it("carries only what the loader uses of messages.js", async () => {
    const code = await readFile(OUTPUT, "utf8");
    for (const unused of ["ledgerlink:v1:attempt", 'app_selected","connected","mapping_saved', "acceptMessage"])
      assert.ok(!code.includes(unused), unused);
    assert.ok(code.includes('"ledgerlink:v1:"'));
  });
  it("defines only LinkWidget, once, even when run twice", async () => {
    const code = await readFile(OUTPUT, "utf8");
    const win = fakeWindow();
    const context = vm.createContext({ window: win, URL });
    vm.runInContext(code, context);
    const first = win.LinkWidget;
    vm.runInContext(code, context);
    assert.equal(win.LinkWidget, first);
    assert.deepEqual(Object.keys(context).sort(), ["URL", "window"]);
    assert.throws(() => first.create({}), /Expected \{token: string/);
  });
});
