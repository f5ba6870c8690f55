import * as assert from "assert";
import * as net from "net";
import fc from "fast-check";
import {
  ApiError,
  backoffMs,
  isGone,
  isRetryable,
  redact,
  requestJson,
  UnreachableError,
} from "../../../providers/shared/http";

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe("shared http", () => {
  it("backs off exponentially up to a cap, with jitter (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (n, r) => {
        const d = backoffMs(n, r);
        assert.ok(d >= 25 && d < 2400, `${d}`);
        assert.ok(backoffMs(n + 1, r) >= d);
      }),
    );
  });

  it("retries 5xx only when the request may be repeated; a refused connection always", () => {
    const e500 = new ApiError("X", "PUT", "/p", 500, "locked");
    assert.ok(isRetryable(e500, true));
    assert.ok(!isRetryable(e500, false), "a POST that got a 500 may have been applied");
    assert.ok(!isRetryable(new ApiError("X", "GET", "/p", 422, "bad"), true), "422 is never retried");
    assert.ok(!isRetryable(new ApiError("X", "GET", "/p", 404, "nf"), true));
    assert.ok(isRetryable(new UnreachableError("X", "POST", "u", "ECONNREFUSED", true, ""), false));
    assert.ok(
      !isRetryable(new UnreachableError("X", "POST", "u", "no answer within 5 ms", false, ""), false),
    );
  });

  it("never shows a secret", () => {
    assert.strictEqual(redact("bad key s3cr3t for s3cr3t", ["s3cr3t", ""]), "bad key *** for ***");
  });

  it("retries a refused connection with backoff, then names the URL, the cause and the hint, not the key", async () => {
    const port = await closedPort();
    const attempts: string[] = [];
    const waits: number[] = [];
    const err = await requestJson(
      {
        service: "PowerDNS",
        baseUrl: `http://127.0.0.1:${port}`,
        headers: { "X-API-Key": "the-key-123" },
        secrets: ["the-key-123"],
        unreachableHint: "Is pdns_server running?",
        retries: 3,
        onAttempt: (m, p) => attempts.push(`${m} ${p}`),
        sleep: async (ms) => void waits.push(ms),
      },
      "POST",
      "/api/v1/servers/localhost/zones",
      { name: "x." },
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.ok(err instanceof UnreachableError);
    assert.strictEqual(attempts.length, 4, "first attempt + 3 retries");
    assert.strictEqual(waits.length, 3);
    assert.match(
      err.message,
      new RegExp(
        `PowerDNS API POST http://127\\.0\\.0\\.1:${port}/api/v1/servers/localhost/zones did not answer: ECONNREFUSED`,
      ),
    );
    assert.match(err.message, /Is pdns_server running\? This request changed nothing/);
    assert.ok(!err.message.includes("the-key-123"));
  });

  it("a 404 is 'gone' only when the probe of the server succeeds; other errors never", async () => {
    const nf = new ApiError("X", "GET", "/z", 404, "Not Found");
    assert.strictEqual(await isGone(nf, async () => ({})), true);
    await assert.rejects(
      isGone(nf, async () => {
        throw new ApiError("X", "GET", "/servers/nope", 404, "Not Found");
      }),
      /servers\/nope/,
    );
    assert.strictEqual(await isGone(new ApiError("X", "GET", "/z", 422, "bad"), async () => ({})), false);
  });
});
