/**
 * What the migration engine tests share: a harness datacenter described as a migration side (and
 * its credentials), and the site's stand-in app: a web server on the datacenter's address serving
 * the site's datasets, started and stopped over SSH.
 */
import * as assert from "assert";
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { Stack } from "@pulumi/pulumi/automation";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { DatacenterService } from "../harness/datacenter";
import type { MigrationItem } from "../../sdk/migration/plan";
import { DATACENTER_SECRETS_CONFIG, type DatacenterSide } from "../../sdk/migration/sides";
import { SiteData, type AppControl } from "../../sdk/migration/siteData";
import { shellQuote } from "../../sdk/replication/executor";
import { s3Client } from "../../sdk/storage/s3Sync";
import { PowerDnsRecordSet, PowerDnsZone } from "../../providers/powerdns";
import { parseSiteConfig, type SiteConfig } from "../../sdk/config";
import { appDefinition } from "../../sdk/apps/catalog";

export function sideOf(dc: DatacenterService, site: string): DatacenterSide {
  return {
    name: dc.datacenter,
    address: dc.address,
    ssh: {
      host: dc.sshd.host,
      port: dc.sshd.port,
      user: dc.sshd.user,
      knownHostsPath: dc.sshd.knownHostsPath,
    },
    zfsRoot: `${dc.pool.name}/${site}`,
    postgres: { host: dc.postgres.host, port: dc.postgres.port, user: dc.postgres.user },
    garage: { s3Endpoint: dc.garage.s3Endpoint, adminUrl: dc.garage.adminUrl, region: dc.garage.region },
  };
}

export function secretsOf(dc: DatacenterService) {
  return {
    sshPrivateKey: dc.sshd.privateKey,
    postgresPassword: dc.postgres.password,
    garageAdminToken: dc.garage.adminToken,
  };
}

/**
 * A shell script that stops the process in `pidFile` and returns once it has exited, polled every
 * 50 ms (KILL after `graceSeconds`). An exited process counts as gone while it waits to be reaped (state Z):
 * a daemon's parent here is the machine's init, which reaps about every 2 s, and start-stop-daemon
 * --retry (or `kill -0` alone) waits for that, which every move's downtime would count.
 */
export function stopByPidFile(pidFile: string, graceSeconds = 5): string {
  return `p=${shellQuote(pidFile)}; [ -f "$p" ] || exit 0; pid=$(cat "$p")
kill "$pid" 2>/dev/null || { rm -f "$p"; exit 0; }
i=0; while kill -0 "$pid" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null; do
  i=$((i+1)); [ $i -lt ${graceSeconds * 20} ] || kill -9 "$pid" 2>/dev/null; sleep 0.05
done; rm -f "$p"`;
}

/** `python3 -m http.server` on `{address}:port` serving `{root}`; its pid in `pidFile` ({datacenter} expanded). */
export function webApp(pidFile: string, port: number): AppControl {
  return {
    start: [
      "start-stop-daemon",
      "--start",
      "--background",
      "--make-pidfile",
      "--pidfile",
      pidFile,
      "--exec",
      "/usr/bin/python3",
      "--",
      "-m",
      "http.server",
      "--bind",
      "{address}",
      String(port),
      "--directory",
      "{root}",
    ],
    stop: ["sh", "-c", stopByPidFile(pidFile)],
  };
}

/** Stops every app a test run started (pid files matching the glob) on the side's host. */
export function stopAllApps(pidGlob: string): AppControl {
  return {
    start: [],
    stop: ["sh", "-c", `for f in ${pidGlob}; do [ -f "$f" ] && kill "$(cat "$f")"; rm -f "$f"; done; true`],
  };
}

/** The site's zone and its app's A record, which follows the address the Migration serves from. */
export function servedRecord(
  pdnsApiUrl: string,
  domain: string,
  name: string,
  ttl: number,
  address: pulumi.Input<string>,
): void {
  const zone = new PowerDnsZone("zone", {
    apiUrl: pdnsApiUrl,
    name: `${domain}.`,
    nameservers: [`ns1.${domain}.`],
    forceDelete: true,
  });
  // The declared record follows the serving datacenter: it changes only after the migration's switch.
  new PowerDnsRecordSet("app-record", {
    apiUrl: pdnsApiUrl,
    zone: zone.name,
    name,
    type: "A",
    ttl,
    records: [address],
  });
}

/** Stack config for two harness datacenters: their descriptions and (secret) credentials. */
export async function configureDatacenters(
  stack: Stack,
  site: string,
  dcs: readonly DatacenterService[],
): Promise<{ [name: string]: SiteData }> {
  const by = <T>(f: (dc: DatacenterService) => T) =>
    Object.fromEntries(dcs.map((dc) => [dc.datacenter, f(dc)]));
  await stack.setConfig(DATACENTER_SECRETS_CONFIG, { value: JSON.stringify(by(secretsOf)), secret: true });
  await stack.setConfig("sovereign:datacenters", { value: JSON.stringify(by((dc) => sideOf(dc, site))) });
  return by((dc) => new SiteData(site, sideOf(dc, site), secretsOf(dc)));
}

const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Asserts that the side's copy of the bucket holds each object with its sha256. */
export async function assertObjects(
  d: SiteData,
  item: MigrationItem,
  objects: Record<string, string>,
): Promise<void> {
  const location = await d.bucket(item);
  const client = s3Client(location);
  try {
    for (const [key, digest] of Object.entries(objects)) {
      const got = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
      assert.strictEqual(sha(await got.Body!.transformToByteArray()), digest, key);
    }
  } finally {
    client.destroy();
  }
}

/** What a site program reads from the stack config: the site, the datacenters, the apps' state. */
export function readSiteConfig() {
  const config = new pulumi.Config("sovereign");
  const site = parseSiteConfig(config.requireObject("site"));
  const datacenters = config.requireObject<Record<string, DatacenterSide>>("datacenters");
  const items = site.apps.flatMap((a) => appDefinition(a.app).state.map((state) => ({ app: a.name, state })));
  return { config, site, datacenters, items, appName: `pixelfed.${site.domain}.` };
}

/** The Migration's DNS switch of the site's app name at the local PowerDNS. */
export function dnsSwitchOf(
  pdnsApiUrl: string,
  site: SiteConfig,
  appName: string,
  ttlWaitCapSeconds: number,
) {
  return {
    apiUrl: pdnsApiUrl,
    serverId: "localhost",
    zone: `${site.domain}.`,
    names: [appName],
    ttl: site.dns.ttl,
    switchTtl: site.migration?.switchTtl ?? 60,
    ttlWaitCapSeconds,
  };
}

/** A site's config as the tests write it: `<site>.coop.test`, the apps on one existing host. */
export function siteConfigFor(site: string, datacenter: string, apps: readonly object[], standby?: string) {
  return {
    name: site,
    domain: `${site}.coop.test`,
    datacenter,
    ...(standby ? { standby } : {}),
    protect: false,
    dns: { endpoint: "local", ttl: 60 },
    hosts: [{ name: "web1", kind: "existing", address: "127.0.10.1" }],
    apps,
    externalServices: ["postgresql", "redis", "smtp", "objectStorage", "oidc"],
    migration: { keepSource: false, switchTtl: 5 },
  };
}
