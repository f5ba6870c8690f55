import * as assert from "assert";
import { generateKeyPairSync } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type * as DnsModule from "../../../sdk/dns/dnsZone";
import type * as MailModule from "../../../sdk/mail/mailDomain";
import type * as SecretsModule from "../../../sdk/secrets/pluginSecrets";

const promiseOf = <T>(output: pulumi.Output<T>): Promise<T> =>
  new Promise((resolve) => output.apply(resolve));

describe("MailDomain DKIM keys from @pulumi/tls by default (mocks)", () => {
  const created: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  let dns: typeof DnsModule;
  let mail: typeof MailModule;
  let secrets: typeof SecretsModule;

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          created.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
          const state: Record<string, unknown> = { ...args.inputs };
          if (args.type === "tls:index/privateKey:PrivateKey")
            Object.assign(state, {
              privateKeyPemPkcs8: pair.privateKey.export({ type: "pkcs8", format: "pem" }),
              publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }),
            });
          return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
      },
      "project",
      "stack",
      false,
    );
    dns = await import("../../../sdk/dns/dnsZone");
    mail = await import("../../../sdk/mail/mailDomain");
    secrets = await import("../../../sdk/secrets/pluginSecrets");
  });

  it("asks tls.PrivateKey for one RSA key of the configured size per selector, and signs with a secret", async () => {
    const zone = new dns.DnsZone("z", {
      connection: { apiUrl: "http://127.0.0.1:8081" },
      zone: "example.org.",
      nameservers: ["ns1.example.org."],
    });
    const m = new mail.MailDomain("m", {
      zone,
      mailHost: "mail",
      dkim: {
        bits: 3072,
        selectors: [{ selector: "old", retired: true }, { selector: "new" }],
        signWith: "new",
      },
      secrets: secrets.pluginSecrets(),
    });
    assert.match(await promiseOf(m.signingKeyPem), /^-----BEGIN PRIVATE KEY-----/);
    const keys = created.filter((c) => c.type === "tls:index/privateKey:PrivateKey");
    assert.deepStrictEqual(
      keys.map((k) => [k.name, k.inputs.algorithm, k.inputs.rsaBits]),
      [
        ["m-dkim-old", "RSA", 3072],
        ["m-dkim-new", "RSA", 3072],
      ],
    );
    assert.strictEqual(await pulumi.isSecret(m.signingKeyPem), true);
    assert.deepStrictEqual(m.publishedSelectors, ["new"]);
  });
});
