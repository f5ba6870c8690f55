import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import {
  agenixDeclarations,
  deliveryScript,
  hostPublicKeyFrom,
  hostSecretProblems,
  shellQuote,
  type HostSecretSpec,
} from "../../../sdk/secrets/hostSecretPlan";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk0nS6cG0aB8hD0zTqZb9QeI0sKZ0lqf4X2r0v0lL9x";
const spec: HostSecretSpec = {
  name: "forgejo-db",
  host: { address: "web1.example.org", hostPublicKey: KEY },
  path: "/run/secrets/forgejo-db",
  owner: "forgejo",
  minLength: 20,
};
const problemsOf = (s: Partial<HostSecretSpec>, value: unknown) =>
  hostSecretProblems(s, value).map((p) => `${p.property}: ${p.reason}`);

describe("secrets on hosts: plan", () => {
  it("accepts a complete secret and reads host keys from known_hosts lines", () => {
    assert.deepStrictEqual(problemsOf(spec, "a-long-enough-secret-value"), []);
    assert.strictEqual(hostPublicKeyFrom(`[127.0.0.1]:2222 ${KEY}`), KEY);
    assert.strictEqual(hostPublicKeyFrom(`${KEY} root@web1`), KEY);
    assert.strictEqual(hostPublicKeyFrom("nothing here"), undefined);
  });

  it("refuses a host without a known host key, naming the field and how to get it", () => {
    const [problem] = problemsOf(
      { ...spec, host: { address: "web1.example.org" } },
      "a-long-enough-secret-value",
    );
    assert.match(
      problem,
      /^host\.hostPublicKey: host "web1.example.org" has no known SSH host key.*ssh-keyscan/,
    );
    assert.match(
      problemsOf(
        { ...spec, host: { address: "x", hostPublicKey: "not a key" } },
        "a-long-enough-secret-value",
      )[0],
      /is not an SSH host public key/,
    );
  });

  it("refuses hosts and users that ssh would read as options, as every SSH connection does", () => {
    const value = "a-long-enough-secret-value";
    assert.match(
      problemsOf({ ...spec, host: { ...spec.host, address: "-oProxyCommand=touch /tmp/x" } }, value)[0],
      /^host\.address: "-oProxyCommand=touch \/tmp\/x" starts with "-": ssh would read it as an option/,
    );
    assert.match(
      problemsOf({ ...spec, host: { ...spec.host, user: "-oProxyCommand=x" } }, value)[0],
      /^host\.user: "-oProxyCommand=x" is not a login name/,
    );
    assert.match(
      problemsOf({ ...spec, host: { ...spec.host, address: "web1 -p 2" } }, value)[0],
      /^host\.address: .*contains whitespace/,
    );
    assert.match(
      problemsOf({ ...spec, host: { ...spec.host, port: 70000 } }, value)[0],
      /^host\.port: 70000 is not a TCP port/,
    );
  });

  it("refuses a secret shorter than the app's minimum without ever repeating it (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 19 }), (value) => {
        const problems = problemsOf(spec, value);
        assert.strictEqual(problems.length, 1);
        assert.match(
          problems[0],
          /^value: the secret "forgejo-db" has \d+ characters but its app needs at least 20/,
        );
        // The message depends on the secret's length only: any other secret of the same length
        // gives the same words, so nothing of the value itself can be in them.
        assert.deepStrictEqual(
          problems,
          problemsOf(spec, "\u2022".repeat(value.length)),
          "the message does not depend on the secret's content",
        );
      }),
    );
  });

  it("refuses world-readable modes, relative paths and bad names", () => {
    assert.deepStrictEqual(
      problemsOf(
        { ...spec, name: "Bad Name", path: "relative", mode: "0644" },
        "a-long-enough-secret-value",
      ).map((p) => p.split(":")[0]),
      ["name", "path", "mode"],
    );
  });

  it("delivers only age ciphertext, decrypting on plain Linux with owner and mode; NixOS gets ciphertext only", () => {
    const armored = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n";
    const linux = deliveryScript(spec, armored);
    assert.match(
      linux,
      /age -d -i '\/etc\/ssh\/ssh_host_ed25519_key' '\/var\/lib\/sovereign\/secrets\/forgejo-db.age' > "\$tmp"/,
    );
    assert.match(
      linux,
      /chown 'forgejo:forgejo' "\$tmp"\nchmod '0400' "\$tmp"\nmv -f "\$tmp" '\/run\/secrets\/forgejo-db'/,
    );
    const nixos = deliveryScript({ ...spec, host: { ...spec.host, os: "nixos" } }, armored);
    assert.ok(!nixos.includes("age -d"), "NixOS hosts decrypt with agenix at activation");
    assert.throws(
      () => deliveryScript(spec, "plain text secret"),
      /refusing to deliver something that is not age ciphertext/,
    );
    assert.deepStrictEqual(agenixDeclarations([spec]), {
      age: {
        secrets: {
          "forgejo-db": {
            file: "/var/lib/sovereign/secrets/forgejo-db.age",
            path: "/run/secrets/forgejo-db",
            owner: "forgejo",
            group: "forgejo",
            mode: "0400",
          },
        },
      },
    });
  });

  it("quotes any word for the host's shell (property, checked by sh itself)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }).filter((s) => !s.includes("\0")),
        (word) => {
          assert.strictEqual(
            execFileSync("sh", ["-c", `printf %s ${shellQuote(word)}`], { encoding: "utf8" }),
            word,
          );
        },
      ),
      { numRuns: 40 },
    );
  });
  it("on plain Linux, stops before writing anything when the owner does not exist, naming the field, the user and the fix", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-secret-plan-"));
    try {
      const armored = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n";
      const script = deliveryScript(
        {
          ...spec,
          owner: "sovereign-no-such-user",
          host: { ...spec.host, storeDir: path.join(dir, "store") },
          path: path.join(dir, "out", "secret"),
        },
        armored,
      );
      const run = spawnSync("sh", [], { input: script, encoding: "utf8" });
      assert.strictEqual(run.status, 3);
      assert.match(
        run.stderr,
        /^owner: the user "sovereign-no-such-user" that secret "forgejo-db" is delivered to does not exist on this host: install the app first \(its package makes the account\) or create it \(useradd --system --user-group --no-create-home --shell \/usr\/sbin\/nologin sovereign-no-such-user\); for a site's app, owner is the catalog entry's systemUser\.user/,
      );
      assert.deepStrictEqual(fs.readdirSync(dir), [], "nothing was written");
      const groupRun = spawnSync("sh", [], {
        input: deliveryScript(
          {
            ...spec,
            owner: "root",
            group: "sovereign-no-such-group",
            host: { ...spec.host, storeDir: path.join(dir, "store") },
            path: path.join(dir, "out", "secret"),
          },
          armored,
        ),
        encoding: "utf8",
      });
      assert.strictEqual(groupRun.status, 3);
      assert.match(
        groupRun.stderr,
        /^group: the group "sovereign-no-such-group" .* \(groupadd --system sovereign-no-such-group\)/,
      );
      assert.deepStrictEqual(fs.readdirSync(dir), [], "nothing was written");
      // An existing account (root's group "root" exists everywhere) passes the check.
      assert.ok(!deliveryScript({ ...spec, owner: "root" }, armored).includes("getent"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
