import * as assert from "assert";
import {
  appDefinition,
  appSenderMailboxes,
  planAppResources,
  planAppState,
  type AppId,
} from "../../../sdk/apps";

describe("what an app gets from the site's services (planAppResources)", () => {
  const plan = (app: AppId, instance: string, mailDomain?: string) => {
    const def = appDefinition(app);
    return planAppResources(def, instance, planAppState(def, instance, "host1"), mailDomain);
  };

  it("Matrix: its database with its own role and the C locale, its media bucket, a sender account", () => {
    assert.deepStrictEqual(plan("matrix", "matrix", "coop.example"), {
      databases: [{ name: "synapse", role: "synapse", locale: "C" }],
      buckets: ["matrix-media"],
      smtp: { localPart: "matrix-noreply", username: "matrix-noreply@coop.example" },
    });
  });

  it("a second instance gets databases and buckets named after it", () => {
    const p = plan("matrix", "chat-2");
    assert.deepStrictEqual(p.databases, [{ name: "chat_2", role: "chat_2", locale: "C" }]);
    assert.deepStrictEqual(p.buckets, ["chat-2-media"]);
    assert.strictEqual(p.smtp, undefined, "no sender account without a mail domain");
  });

  it("no SMTP account for an app that sends no mail; one sender mailbox per app that does", () => {
    assert.strictEqual(plan("edumeet", "meet", "coop.example").smtp, undefined);
    const apps = [
      { instance: "meet", definition: appDefinition("edumeet") },
      { instance: "video", definition: appDefinition("peertube") },
    ];
    assert.deepStrictEqual(appSenderMailboxes(apps), [{ address: "video-noreply", quota: "64M" }]);
  });
});
