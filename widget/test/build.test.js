import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { describe, it } from "node:test";
import vm from "node:vm";
import { OUTPUT, buildLoader } from "../scripts/build.js";
import { fakeWindow } from "./fake_dom.js";

describe("dist/loader.js", () => {
  it("is what the sources build to (run `npm run build` after editing src/)", async () => {
    assert.equal(await readFile(OUTPUT, "utf8"), await buildLoader());
  });
  it("is under 3 KB gzipped", async () => {
    const size = gzipSync(await readFile(OUTPUT), { level: 9 }).length;
    assert.ok(size < 3072, `${size} bytes gzipped`);
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
