import * as assert from "assert";

/** The message a promise fails with; a test failure when it succeeds. */
export async function fails(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => assert.fail("expected a failure"),
    (e: Error) => e.message,
  );
}
