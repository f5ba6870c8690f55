/**
 * The shape of `sovereign:site` in `stacks/Pulumi.<site>.yaml`, as a zod schema: structure,
 * types, enums, ranges and unknown keys. `npm run gen:site-schema` turns it into
 * `stacks/site.schema.json`, which editors use to complete and check the YAML. What needs more
 * than the shape (names normalised as the PowerDNS provider does, app catalog, cross-references,
 * duplicates) is checked in siteConfig.ts after this.
 *
 * Adding a section (storage, host placements, netbox, ...):
 *   1. write it below as `const fooSection = section({ ... })`, every field with `.describe()`
 *      (editors show it) and a message that says how to fix a wrong value;
 *   2. add `foo: fooSection.optional()` (or required) to `siteSchema`'s shape;
 *   3. in siteConfig.ts, add the typed result to `SiteConfig` and map it in `parseSiteConfig`
 *      (with any checks that need other sections or the providers' normalisers);
 *   4. run `npm run gen:site-schema` and commit stacks/site.schema.json (a unit test compares it).
 * Use `section()`, never `z.object()`: it refuses unknown keys and suggests the closest known one.
 */
import { z } from "zod";
import { appIds } from "../apps/catalog";
import { DEPENDENCIES } from "../apps/types";
import { HOOK_POINTS } from "../migration/hooks";

/**
 * A config mapping whose unknown keys are errors (siteConfig.ts words them, with a suggestion).
 * `missing` is the message when the mapping is absent or not a mapping: say what to write.
 */
export function section<Shape extends z.ZodRawShape>(
  shape: Shape,
  missing = "must be a mapping",
): z.ZodObject<Shape, z.core.$strict> {
  return z.strictObject(shape, { error: (issue) => (issue.code === "invalid_type" ? missing : undefined) });
}

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const nameField = (what: string) =>
  z
    .string({ error: `is required: ${what}` })
    .regex(NAME_PATTERN, { error: 'must be lowercase letters, digits and "-", starting with a letter' })
    .describe(`${what} (lowercase letters, digits and "-", starting with a letter)`);

/** Host kinds a component creates today; the others are known and refused with a message. */
export const IMPLEMENTED_HOST_KINDS = ["existing"] as const;
export const PLANNED_HOST_KINDS = ["lxc", "vm"] as const;

const dnsSection = section(
  {
    provider: z
      .literal("powerdns", { error: 'only "powerdns" is supported' })
      .optional()
      .describe('The DNS server software. Only "powerdns".'),
    endpoint: z
      .string({
        error:
          'is required: write `endpoint: local` for the PowerDNS that `npm run env -- up powerdns` starts, or the URL of your PowerDNS API (e.g. "https://ns1.coop.example:8081")',
      })
      .describe(
        '"local" (the PowerDNS that `npm run env -- up powerdns` starts on this machine) or the base URL of the PowerDNS HTTP API, e.g. "https://ns1.coop.example:8081". Its API key is the stack secret `sovereign:powerdnsApiKey`.',
      ),
    serverId: z
      .string({ error: 'must be a string (usually "localhost")' })
      .min(1, { error: 'must not be empty (usually "localhost")' })
      .optional()
      .describe('PowerDNS server id; default "localhost".'),
    ttl: z
      .number({ error: "must be a number of seconds, e.g. 3600" })
      .int({ error: "must be a whole number of seconds" })
      .min(60, { error: "must be at least 60 seconds" })
      .max(604800, { error: "must be at most 604800 seconds (a week)" })
      .optional()
      .describe("Default TTL of the site's records, in seconds (60 to 604800); default 3600."),
    nameservers: z
      .array(z.string({ error: 'must be a host name such as "ns1.coop.example."' }), {
        error: 'must be a list of host names such as ["ns1.coop.example."]',
      })
      .optional()
      .describe(
        'The zone\'s NS records, fully qualified (e.g. ["ns1.coop.example."]); default ns1.<domain>.',
      ),
  },
  "is required: write `endpoint: local` under it for the PowerDNS that `npm run env -- up powerdns` starts, or the URL of your PowerDNS API",
);

const hostSection = section({
  name: nameField("the host's name, unique in the site"),
  kind: z
    .enum([...IMPLEMENTED_HOST_KINDS, ...PLANNED_HOST_KINDS], {
      error: `must be one of ${[...IMPLEMENTED_HOST_KINDS, ...PLANNED_HOST_KINDS].join(", ")}`,
    })
    .optional()
    .describe(
      `How the host exists. "existing": a machine that already runs (default). ${PLANNED_HOST_KINDS.join(", ")}: not implemented yet.`,
    ),
  address: z
    .string({ error: "is required: the host's public IPv4 address (e.g. 192.0.2.10)" })
    .describe(
      'Public IPv4 address: what the site\'s A record for the host points at; "netbox" takes the next free address of inventory.prefix.',
    ),
  address6: z
    .string({ error: "must be an IPv6 address (e.g. 2001:db8::10)" })
    .optional()
    .describe("Public IPv6 address (AAAA record)."),
  proxmoxNode: z
    .string({ error: "must be the name of a Proxmox node" })
    .optional()
    .describe("Proxmox node for lxc/vm hosts."),
  // Host placements (issue 10): checked field by field in hostPlacement.ts, with NixOSHost's rules.
  placement: z
    .record(z.string(), z.unknown(), {
      error: "must be a mapping with kind: proxmox-lxc, proxmox-vm, lxc or existing",
    })
    .optional()
    .describe(
      "How the host is made and reached (NixOSHost): kind proxmox-lxc | proxmox-vm | lxc | existing and its settings. Without it the host's NixOS configuration is only rendered.",
    ),
  sshKeys: z
    .array(z.string({ error: 'must be a public key line ("ssh-ed25519 AAAA... comment")' }), {
      error: 'must be a list of public key lines ("ssh-ed25519 AAAA... comment")',
    })
    .optional()
    .describe("SSH public keys for root on the host (needed with a placement)."),
  timeZone: z
    .string({ error: 'must be a time zone name such as "Europe/Amsterdam"' })
    .optional()
    .describe('The host\'s time zone (time.timeZone); default "UTC".'),
  modules: z
    .array(z.record(z.string(), z.unknown()), {
      error: "must be a list of { name, inline } or { name, file }",
    })
    .optional()
    .describe(
      "Extra NixOS modules, imported as they are: { name, inline: <Nix text> } or { name, file: <path relative to the project dir> }. They receive the host's facts as the module argument `hostFacts`.",
    ),
  memoryMiB: z
    .number({ error: "must be a whole number of MiB, e.g. 4096" })
    .int({ error: "must be a whole number of MiB, e.g. 4096" })
    .positive({ error: "must be a whole number of MiB, e.g. 4096" })
    .optional()
    .describe("Memory the host gives its apps, in MiB; apps whose catalog minimum is larger are refused."),
});

const hookSection = section(
  {
    name: nameField("the hook's name, unique at its point"),
    at: z
      .enum(HOOK_POINTS, { error: `must be one of ${HOOK_POINTS.join(", ")}` })
      .describe(
        "When it runs: before-stop, before-backup (apps stopped, before the final copy), after-restore (data verified at the target, before the DNS switch), after-switch, after-start.",
      ),
    on: z
      .enum(["source", "target"], { error: 'must be "source" or "target"' })
      .optional()
      .describe(
        "Whose site host runs it; default the source for before-stop/before-backup, else the target.",
      ),
    run: z
      .array(z.string({ error: "must be text" }), {
        error: 'must be an argv list such as ["sh", "-c", "sync"]',
      })
      .min(1, { error: 'must not be empty: an argv list such as ["sh", "-c", "sync"]' })
      .describe("argv run on the host; {address}, {datacenter} and {root} are replaced."),
    app: z
      .string({ error: "must name one of the site's apps" })
      .optional()
      .describe("The app instance it belongs to (its state items are in the document); default the site."),
    secrets: z
      .array(
        z.string({ error: "must be text" }).regex(/^[A-Za-z][\w.-]*:[A-Za-z][\w.-]*$/, {
          error: 'must name a stack config key such as "sovereign:matrixAdminToken"',
        }),
        { error: "must be a list of stack config keys" },
      )
      .optional()
      .describe(
        "Stack config keys (secrets) the hook receives under `secrets` on stdin; nothing else is secret.",
      ),
  },
  "must be a mapping such as { name: flush, at: before-backup, run: [sync] }",
);

const appSection = section({
  app: z
    .string({ error: `is required: one of ${appIds.join(", ")}` })
    .describe(`The app, from the catalog: ${appIds.join(", ")}.`),
  host: z.string({ error: "is required: the name of one of site.hosts" }).describe("The host it runs on."),
  name: nameField("instance name, unique in the site; default the app id").optional(),
  subdomain: z
    .string({ error: 'must be a DNS label such as "cloud"' })
    .optional()
    .describe("Where it is published under the site's domain; default from the catalog (e.g. cloud, git)."),
  domain: z
    .string({ error: 'must be a domain name such as "coop.example"' })
    .optional()
    .describe(
      "Federating apps only (Matrix, ActivityPub): the federated identity's domain (Matrix server_name, acct:user@domain). It can never change.",
    ),
  hooks: z
    .array(hookSection.omit({ app: true }), { error: "must be a list of { name, at, run }" })
    .optional()
    .describe(
      "Scripts this app instance runs at points of the site's migrations, on its host; they run after the app's catalog hooks and before the site's migration.hooks at each point.",
    ),
});

const inventorySection = section(
  {
    provider: z
      .enum(["netbox"], { error: 'must be "netbox"' })
      .optional()
      .describe('The inventory service; "netbox" (the default).'),
    url: z
      .string({ error: 'must be "local" or NetBox\'s URL, e.g. "https://netbox.coop.example"' })
      .optional()
      .describe(
        'NetBox\'s base URL, or "local" (default): the NetBox that `npm run env -- up netbox` starts.',
      ),
    tokenConfig: z
      .string({ error: 'must name a stack config key such as "sovereign:netboxToken"' })
      .optional()
      .describe(
        'The stack config key (a secret) holding the NetBox API token; default "sovereign:netboxToken".',
      ),
    prefix: z
      .string({ error: 'must be an IPv4 prefix such as "10.0.0.0/24"' })
      .optional()
      .describe('Hosts whose address is "netbox" get the next free address of this prefix (IPv4 CIDR).'),
  },
  'must be a mapping such as { provider: netbox, url: local, prefix: "10.0.0.0/24" }',
);

const identityAdmin = section(
  {
    username: z
      .string({ error: 'is required: the admin\'s user name, e.g. "alice"' })
      .describe("User name in the realm (lower-case letters, digits, ., _, @, -)."),
    email: z.string({ error: 'must be an email address such as "alice@coop.example"' }).optional(),
    firstName: z.string({ error: "must be text" }).optional(),
    lastName: z.string({ error: "must be text" }).optional(),
  },
  'must be a mapping such as { username: alice, email: "alice@coop.example" }',
);

const identitySection = section(
  {
    enabled: z
      .boolean({ error: "must be true or false" })
      .optional()
      .describe("Run the site's identity realm (default true when the section is present)."),
    realm: z
      .string({ error: 'must be a realm name such as "coop-example"' })
      .optional()
      .describe("The Keycloak realm (lower-case letters, digits, ., _, -); default the site's name."),
    displayName: z.string({ error: "must be text" }).optional().describe("The realm's display name."),
    emailRequired: z
      .boolean({ error: "must be true or false" })
      .optional()
      .describe("Every user needs an email address (default true)."),
    admins: z
      .array(identityAdmin, { error: "must be a list of { username, email }" })
      .optional()
      .describe(
        "People in the realm's admins group (realm role admin); they choose a password at first sign-in.",
      ),
    serviceAccounts: z
      .array(z.string({ error: "must be an app instance name" }), { error: "must be a list of app names" })
      .optional()
      .describe(
        "App instances whose OIDC client may also call APIs as itself (OAuth client-credentials grant).",
      ),
  },
  "must be a mapping such as { realm: coop-example, admins: [{ username: alice, email: alice@coop.example }] }",
);

const migrationSection = section(
  {
    keepSource: z
      .boolean({ error: "must be true or false" })
      .optional()
      .describe(
        "After a migration, keep the old datacenter's copy (stopped) until an explicit retire instead of deleting it; default false.",
      ),
    switchTtl: z
      .number({ error: "must be a number of seconds, e.g. 60" })
      .int({ error: "must be a whole number of seconds" })
      .min(5, { error: "must be at least 5 seconds" })
      .max(3600, { error: "must be at most 3600 seconds; a long TTL keeps clients at the old datacenter" })
      .optional()
      .describe("The DNS TTL used around the switch of datacenters, in seconds; default 60."),
    hooks: z
      .array(hookSection, { error: "must be a list of { name, at, run }" })
      .optional()
      .describe(
        "Scripts run at points of a migration (sdk/migration/hooks.ts), on the site host of the datacenter they name, with the migration's resources as JSON on stdin; a failing hook stops the migration.",
      ),
  },
  "must be a mapping such as { keepSource: true, switchTtl: 60, hooks: [] }",
);

/** The whole `sovereign:site` mapping. */
const siteShape = section({
  name: nameField("the site's name"),
  domain: z
    .string({ error: 'is required: the site\'s DNS zone, e.g. "coop.example"' })
    .describe('The site\'s DNS zone, e.g. "coop.example" (IDN allowed).'),
  datacenter: nameField("the datacenter provider the site runs at; changing it starts a migration"),
  standby: nameField("a second datacenter kept as a warm standby (continuous replication)")
    .optional()
    .describe(
      "A second datacenter kept as a warm standby; promoting it is a migration with the pre-seed done.",
    ),
  migration: migrationSection
    .optional()
    .describe("How a change of `datacenter` moves the site (sdk/migration/plan.ts)."),
  protect: z
    .boolean({ error: "must be true or false" })
    .optional()
    .describe("Protect stateful resources (zones, datasets, buckets) from deletion; default true."),
  dns: dnsSection.describe("The site's authoritative DNS."),
  hosts: z
    .array(hostSection, { error: "must list at least one host" })
    .min(1, { error: "must list at least one host" })
    .describe("The machines of the site."),
  apps: z.array(appSection, { error: "must be a list" }).optional().describe("The apps the site runs."),
  externalServices: z
    .array(z.enum(DEPENDENCIES, { error: `must be one of ${DEPENDENCIES.join(", ")}` }), {
      error: `must be a list of services from ${DEPENDENCIES.join(", ")}`,
    })
    .optional()
    .describe("Services the site's apps use from outside the site (e.g. an SMTP relay)."),
  secrets: z
    .enum(["plugins", "builtin"], {
      error:
        'must be "plugins" (@pulumi/random and @pulumi/tls) or "builtin" (Node crypto, no plugin downloads)',
    })
    .optional()
    .describe('How apps\' identity secrets are generated: "plugins" (default) or "builtin".'),
  // Checked field by field in storageConfig.ts (parseStorage).
  storage: z
    .record(z.string(), z.unknown(), { error: "must be a mapping with garage and buckets" })
    .optional()
    .describe("The site's Garage (object storage) and its buckets: `garage` and `buckets`."),
  inventory: inventorySection
    .optional()
    .describe("Register the site's hosts and apps in NetBox (sdk/site/inventory.ts)."),
  identity: identitySection
    .optional()
    .describe(
      "The site's identity realm on Keycloak (sdk/identity/): an OIDC client for each catalog app that signs in with OpenID Connect; Keycloak's URL and admin credentials are the stack config keys sovereign:keycloakUrl, sovereign:keycloakAdminUser, sovereign:keycloakAdminPassword.",
    ),
});

/** A site config as written in the stack file, before validation (what `siteSchema` accepts). */
export type RawSiteConfig = z.input<typeof siteShape>;

/**
 * The zod schema of the `sovereign:site` config value: every section with its fields, defaults and
 * descriptions (the source of the editor JSON Schema, stacks/site.schema.json). `parseSiteConfig`
 * runs it first and then the checks that span fields; use that rather than this schema directly.
 */
export const siteSchema: z.ZodType<z.output<typeof siteShape>, RawSiteConfig> = siteShape;

/** The JSON Schema of a whole stack file (`config: sovereign:site: ...`), for editors. */
export function stackFileJsonSchema(): Record<string, unknown> {
  const site = z.toJSONSchema(siteSchema, { io: "input", target: "draft-7" });
  delete site.$schema;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "sovereign site stack (stacks/Pulumi.<site>.yaml)",
    description: "Generated from sdk/config/schema.ts by `npm run gen:site-schema`; do not edit.",
    type: "object",
    properties: {
      config: {
        type: "object",
        properties: { "sovereign:site": site },
        required: ["sovereign:site"],
      },
      encryptionsalt: { type: "string" },
      secretsprovider: { type: "string" },
      encryptedkey: { type: "string" },
    },
  };
}
