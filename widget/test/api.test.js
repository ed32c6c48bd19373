import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrokerError, RETRY_DELAYS_MS, createBroker } from "../src/frame/api.js";

const FAST = [1, 1, 1, 1, 1];

/**
 * A fetch that answers from `script` in order: a number is a status with a small JSON body, "down" throws, and "cut"
 * answers 200 whose body then fails to arrive (a broker killed mid-answer).
 */
function scripted(script) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push([init.method, url]);
    const next = script.shift();
    if (next === "down") throw new TypeError("Failed to fetch");
    if (next === "cut") {
      const body = new ReadableStream({ pull: (controller) => controller.error(new TypeError("network error")) });
      return new Response(body, { status: 200 });
    }
    return new Response(JSON.stringify(next === 200 ? { ok: true } : { error: { code: `e${next}` } }), {
      status: next,
    });
  };
  return { calls, fetchImpl };
}

describe("the frame's broker client", () => {
  it("starts with one bootstrap call that carries the token", async () => {
    const seen = [];
    const fetchImpl = async (url, init) => {
      seen.push([init.method, url, init.headers.Authorization]);
      return new Response(JSON.stringify({ session: {}, integrations: [] }), { status: 200 });
    };
    assert.deepEqual(await createBroker("tok", fetchImpl, FAST).bootstrap(), { session: {}, integrations: [] });
    assert.deepEqual(seen, [["GET", "/v1/link/bootstrap", "Bearer tok"]]);
  });
  it("retries a read through a broker restart", async () => {
    const { calls, fetchImpl } = scripted(["down", 503, 200]);
    const answer = await createBroker("tok", fetchImpl, FAST).connections();
    assert.deepEqual(answer, { ok: true });
    assert.equal(calls.length, 3);
  });
  it("never repeats a POST", async () => {
    const { calls, fetchImpl } = scripted([503, 200]);
    await assert.rejects(
      createBroker("tok", fetchImpl, FAST).complete(),
      (e) => e instanceof BrokerError && e.status === 503,
    );
    assert.equal(calls.length, 1);
  });
  it("repeats a save whose answer was cut off mid-body", async () => {
    const { calls, fetchImpl } = scripted(["cut", 200]);
    const answer = await createBroker("tok", fetchImpl, FAST).saveMapping({ mappings: [] });
    assert.deepEqual(answer, { ok: true });
    assert.deepEqual(calls, [
      ["PUT", "/v1/link/mapping"],
      ["PUT", "/v1/link/mapping"],
    ]);
  });
  it("reports a POST whose answer was cut off as network_error, never as an empty success", async () => {
    const { calls, fetchImpl } = scripted(["cut", 200]);
    await assert.rejects(createBroker("tok", fetchImpl, FAST).complete(), (e) => e.code === "network_error");
    assert.equal(calls.length, 1);
  });
  it("does not retry client errors", async () => {
    const { calls, fetchImpl } = scripted([401, 200]);
    await assert.rejects(createBroker("tok", fetchImpl, FAST).session(), (e) => e.code === "e401");
    assert.equal(calls.length, 1);
  });
  it("gives up with network_error after its last retry", async () => {
    const { calls, fetchImpl } = scripted(["down", "down", "down", "down", "down", "down"]);
    await assert.rejects(createBroker("tok", fetchImpl, FAST).integrations(), (e) => e.code === "network_error");
    assert.equal(calls.length, 6);
  });
  it("waits about fifteen seconds in all by default, enough for a broker restart", () => {
    const total = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    assert.ok(total >= 10_000 && total <= 20_000, String(total));
  });
});
