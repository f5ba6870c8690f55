import * as assert from "assert";
import { parse } from "yaml";
import { renderHomeserverYaml } from "../../../sdk/apps";
import { checkServiceInputs } from "../../../providers/localservice/spec";

describe("Synapse install pieces", () => {
  const config = () =>
    parse(
      renderHomeserverYaml({
        serverName: "coop.example",
        publicBaseUrl: "http://127.0.0.11:8008/",
        bindAddress: "127.0.0.11",
        port: 8008,
        dataDir: "/srv/matrix",
        signingKeyFile: "/srv/matrix/signing.key",
        database: { host: "127.0.0.1", port: 5432, name: "synapse", user: "synapse", password: "pw" },
        registrationSharedSecret: "r",
        macaroonSecretKey: "m",
        formSecret: "f",
      }),
    ) as Record<string, unknown>;

  it("homeserver.yaml: the stack's key file, no trusted key servers, PostgreSQL, loopback listener", () => {
    const c = config();
    assert.strictEqual(c.server_name, "coop.example");
    assert.strictEqual(c.signing_key_path, "/srv/matrix/signing.key");
    assert.deepStrictEqual(c.trusted_key_servers, []);
    assert.deepStrictEqual((c.database as { name: string }).name, "psycopg2");
    assert.deepStrictEqual((c.listeners as { bind_addresses: string[] }[])[0].bind_addresses, ["127.0.0.11"]);
    assert.strictEqual(c.enable_registration, false);
  });

  it("the local installer refuses a shallow dir, escaping files and a bad health URL", () => {
    const problems = checkServiceInputs({
      name: "x",
      dir: "/tmp",
      files: [{ path: "../etc/passwd", content: "" }],
      start: { command: "true", args: [] },
      healthUrl: "ftp://x",
    });
    assert.deepStrictEqual(
      problems.map((p) => p.property),
      ["dir", "files[0].path", "healthUrl"],
    );
  });
});
