/**
 * The catalog's licence policy and placement rules at `pulumi preview`, through the real engine: the
 * site program (parseSiteConfig + Site) refuses each bad input before anything changes, naming the
 * field and the fix, and severe SWOT threats appear as preview warnings.
 */
import * as assert from "assert";
import { parseSiteConfig } from "../../sdk/config";
import { Site } from "../../sdk/site";
import { builtinSecrets } from "../../sdk/secrets";
import { startPowerDns, useService } from "../harness";
import { createTestStack, TestStack } from "../harness/workspace";
import { setPowerDnsKey } from "../providers/powerdns/helpers";

const quiet = { color: "never" as const };

type Raw = Record<string, unknown>;

const validSite = (): Raw => ({
  name: "policy",
  domain: "policy.test",
  datacenter: "local",
  protect: false,
  dns: { endpoint: "local" },
  hosts: [
    { name: "web1", address: "127.0.0.20", memoryMiB: 4096 },
    { name: "tiny", address: "127.0.0.21", memoryMiB: 256 },
  ],
  apps: [
    { app: "postgresql", host: "web1" },
    { app: "mail", host: "web1" },
    { app: "webmail", host: "web1" },
    { app: "forgejo", host: "web1" },
  ],
});

describe("app policy at preview (real engine)", function () {
  this.timeout(600_000);
  let t: TestStack;
  let raw: Raw = validSite();
  after(async () => {
    await t?.dispose();
  });
  const pdns = useService(() => startPowerDns());

  before(async () => {
    t = await createTestStack("apps-policy", async () => {
      const site = parseSiteConfig(raw);
      const s = pdns();
      new Site(site.name, {
        config: site,
        dns: { apiUrl: s.apiUrl, serverId: s.serverId },
        secrets: builtinSecrets(),
      });
    });
    // The providers read the PowerDNS API key from the stack config (a secret).
    await setPowerDnsKey(t, pdns().apiKey);
  });

  /** Previews `site` and returns the engine's error text (fails the test if the preview passes). */
  async function refusedPreview(site: Raw): Promise<string> {
    raw = site;
    try {
      await t.stack.preview(quiet);
    } catch (e) {
      return String(e instanceof Error ? e.message : e);
    }
    assert.fail("the preview should have failed");
  }

  const withApps = (...apps: Raw[]): Raw => ({
    ...validSite(),
    apps: [...(validSite().apps as Raw[]), ...apps],
  });

  it("refuses an open-core app, naming the app, the reason and the catalog's alternative", async () => {
    const text = await refusedPreview(withApps({ app: "gitlab", host: "web1" }));
    assert.match(
      text,
      /site\.apps\[4\]\.app: "gitlab" \(GitLab\) is refused: open core: .*\[https:\/\/about\.gitlab\.com\/stewardship\/\]; use app "forgejo" instead/,
    );
    const zimbra = await refusedPreview(withApps({ app: "zimbra", host: "web1" }));
    assert.match(
      zimbra,
      /"zimbra" \(Zimbra\) is refused: open core.*use apps "mail", "webmail" and "nextcloud"/,
    );
  });

  it("suggests the nearest catalog id for an unknown app", async () => {
    const text = await refusedPreview(withApps({ app: "matrx", host: "web1", domain: "policy.test" }));
    assert.match(text, /site\.apps\[4\]\.app: "matrx" is not in the catalog; did you mean "matrix"\?/);
  });

  it("refuses two apps on one subdomain", async () => {
    const text = await refusedPreview(withApps({ app: "hedgedoc", host: "web1", subdomain: "git" }));
    assert.match(
      text,
      /site\.apps: subdomain "git" is used by apps "forgejo" and "hedgedoc"; give each its own subdomain/,
    );
  });

  it("refuses an app on a host with less memory than its minimum", async () => {
    const text = await refusedPreview(
      withApps({ app: "nextcloud", host: "tiny" }, { app: "garage", host: "web1" }),
    );
    assert.match(
      text,
      /site\.apps\[4\]\.host: "tiny" has 256 MiB of memory but Nextcloud needs at least 1024 MiB; place it on a larger host/,
    );
  });

  it("refuses a federating app without a domain", async () => {
    const text = await refusedPreview(withApps({ app: "matrix", host: "web1" }));
    assert.match(text, /site\.apps\[4\]\.domain: Matrix \(Synapse\) federates \(matrix\) and needs a domain/);
  });

  it("refuses an app whose dependency the site lacks (object storage without Garage)", async () => {
    const text = await refusedPreview(
      withApps({ app: "peertube", host: "web1", domain: "video.policy.test" }),
    );
    assert.match(
      text,
      /site\.apps\[4\]\.app: PeerTube needs objectStorage but the site has none; add app "garage" or list "objectStorage" under site\.externalServices/,
    );
  });

  it("warns at preview about severe threats of the apps the site runs, and the preview passes", async () => {
    raw = withApps(
      { app: "peertube", host: "web1", domain: "video.policy.test" },
      { app: "garage", host: "web1" },
    );
    let output = "";
    const preview = await t.stack.preview({ ...quiet, onOutput: (o) => (output += o) });
    assert.ok((preview.changeSummary.create ?? 0) > 0);
    assert.match(
      output,
      /warning: app "peertube" \(PeerTube\): severe threat: storage is the dominant, permanent cost/,
    );
    assert.match(
      output,
      /warning: app "webmail" \(Roundcube\): severe threat: actively exploited vulnerabilities/,
    );
    assert.doesNotMatch(output, /app "forgejo" \(Forgejo\): severe threat/);
  });
});
