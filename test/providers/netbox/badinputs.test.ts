/**
 * Bad inputs fail at preview (the providers' `check`), naming the field and the fix, with nothing
 * made in NetBox; through the real engine against a real NetBox.
 */
import * as assert from "assert";
import { useService } from "../../harness";
import { freePort } from "../../harness/ports";
import type { TestStack } from "../../harness/workspace";
import {
  NetboxCluster,
  NetboxIpAddress,
  NetboxIpAllocation,
  NetboxPrefix,
  NetboxSite,
  NetboxVirtualMachine,
} from "../../../providers/netbox";
import { addressesIn, clientFor, expectFailure, netboxStack, quiet } from "./helpers";

describe("NetBox providers: bad inputs fail at preview", function () {
  this.timeout(600_000);
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks) await t.dispose();
  });
  const netbox = useService("netbox", { timeoutMs: 30 * 60_000 });

  /** Previews a program expected to fail; returns the message; checks that NetBox got no new site. */
  async function previewFails(
    name: string,
    program: (url: string) => void,
    patterns: RegExp[],
    token?: string,
  ) {
    const nb = netbox();
    const sitesBefore = (await clientFor(nb).list("site")).length;
    const t = await netboxStack(name, netbox, async () => program(nb.url), token);
    stacks.push(t);
    const message = await expectFailure(() => t.stack.preview(quiet), ...patterns);
    await expectFailure(() => t.stack.up(quiet), ...patterns);
    assert.strictEqual((await clientFor(nb).list("site")).length, sitesBefore, "nothing was made in NetBox");
    return message;
  }

  it("bad CIDR, host bits, address outside its prefix", async () => {
    await previewFails("nb-bad-cidr", (url) => new NetboxPrefix("p", { url, prefix: "10.1.2.0/33" }), [
      /prefix "10.1.2.0\/33" is not a CIDR prefix such as "10.0.0.0\/24"/,
    ]);
    await previewFails("nb-host-bits", (url) => new NetboxPrefix("p", { url, prefix: "10.1.2.7/24" }), [
      /prefix 10.1.2.7\/24 has host bits set: write 10.1.2.0\/24/,
    ]);
    await previewFails(
      "nb-outside",
      (url) => new NetboxIpAddress("ip", { url, address: "10.9.9.9/24", withinPrefix: "10.1.2.0/24" }),
      [/address 10.9.9.9\/24 is outside its prefix 10.1.2.0\/24/],
    );
  });

  it("slug with invalid characters, VM with no cluster, unknown site and cluster references", async () => {
    await previewFails("nb-slug", (url) => new NetboxSite("s", { url, name: "Bad", slug: "bad slug!" }), [
      /slug "bad slug!" may contain only letters, digits, "-" and "_" \(e.g. "bad-slug"\)/,
    ]);
    await previewFails(
      "nb-no-cluster",
      (url) =>
        new NetboxVirtualMachine("vm", { url, name: "lonely" } as unknown as ConstructorParameters<
          typeof NetboxVirtualMachine
        >[1]),
      [/cluster is required: a virtual machine must belong to a cluster/],
    );
    await previewFails(
      "nb-unknown-site",
      (url) => new NetboxCluster("c", { url, name: "c", type: 1, site: "no-such-site" }),
      [/site: NetBox has no site with slug "no-such-site"; create it first, or pass the netboxId output/],
    );
    await previewFails(
      "nb-unknown-cluster",
      (url) => new NetboxVirtualMachine("vm", { url, name: "vm", cluster: "no-such-cluster" }),
      [/cluster: NetBox has no cluster with name "no-such-cluster"/],
    );
  });

  it("duplicate slug: an object that belongs to someone else is refused unless adopted", async () => {
    const c = clientFor(netbox());
    const taken = await c.create("site", { name: "Taken", slug: "taken" });
    await previewFails("nb-dup", (url) => new NetboxSite("s", { url, name: "Mine", slug: "taken" }), [
      /a NetBox site with slug "taken" \(id \d+\) already exists and belongs to no one/,
      /Set "adopt: true"/,
    ]);
    const t = await netboxStack("nb-adopt", netbox, async () => {
      new NetboxSite("s", {
        url: netbox().url,
        name: "Taken",
        slug: "taken",
        adopt: true,
        description: "adopted",
      });
    });
    stacks.push(t);
    await t.stack.up(quiet);
    assert.strictEqual((await c.get("site", taken.id))?.description, "adopted");
  });

  it("exhausted prefix: a clear error naming the prefix, nothing half-made", async () => {
    const c = clientFor(netbox());
    const prefix = await c.create("prefix", { prefix: "10.66.0.0/30" });
    await c.allocateIps(prefix.id, [{}, {}]); // a /30 holds two usable addresses
    const before = (await addressesIn(c, "10.66.0.0/30")).length;
    await previewFails(
      "nb-exhausted",
      (url) => new NetboxIpAllocation("a", { url, prefix: "10.66.0.0/30" }),
      [/prefix 10.66.0.0\/30 is exhausted: NetBox has no free address left in it/],
    );
    assert.strictEqual((await addressesIn(c, "10.66.0.0/30")).length, before);
  });

  it("wrong token (check the NetBox token) and NetBox unreachable", async () => {
    await previewFails(
      "nb-token",
      (url) => new NetboxSite("s", { url, name: "T", slug: "t" }),
      [/check the NetBox token \(stack config "sovereign:netboxToken"\)/, /HTTP 40[13]/],
      "nbt_AAAAAAAAAAAA.wrongwrongwrongwrongwrongwrongwrongwrong",
    );
    const closed = await freePort();
    const message = await previewFails(
      "nb-unreachable",
      () => new NetboxSite("s", { url: `http://127.0.0.1:${closed}`, name: "U", slug: "u" }),
      [
        /NetBox API GET http:\/\/127.0.0.1:\d+\/api\/status\/ did not answer: ECONNREFUSED/,
        /Is NetBox running at/,
      ],
    );
    assert.ok(!message.includes(netbox().token.split(".")[1]), "no token in errors");
  });
});
