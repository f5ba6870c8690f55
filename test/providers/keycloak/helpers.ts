/**
 * Helpers for the Keycloak tests: stack config with the admin credentials, an admin client on
 * the harness's Keycloak, and a real OpenID Connect client (discovery, token grants, signature
 * verification against the realm's JWKS with Node's crypto).
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { KeycloakAdmin, KEYCLOAK_CONFIG_KEYS } from "../../../providers/keycloak";
import { runCommand } from "../../harness/commands";
import type { KeycloakService, SshdService } from "../../harness/types";

export async function configureKeycloak(stack: Stack, keycloak: KeycloakService): Promise<void> {
  await stack.setAllConfig({
    [KEYCLOAK_CONFIG_KEYS.url]: { value: keycloak.url },
    [KEYCLOAK_CONFIG_KEYS.adminUser]: { value: keycloak.adminUser },
    [KEYCLOAK_CONFIG_KEYS.adminPassword]: { value: keycloak.adminPassword, secret: true },
  });
}

export function adminFor(keycloak: KeycloakService): KeycloakAdmin {
  return new KeycloakAdmin({
    url: keycloak.url,
    adminUser: keycloak.adminUser,
    adminPassword: keycloak.adminPassword,
  });
}

export interface Discovery {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
}

export async function discover(issuerUrl: string): Promise<Discovery> {
  const response = await fetch(`${issuerUrl}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`discovery at ${issuerUrl} answered ${response.status}`);
  return (await response.json()) as Discovery;
}

/** A token grant at the token endpoint; returns the access token (a JWT). */
export async function grant(discovery: Discovery, form: Record<string, string>): Promise<string> {
  const response = await fetch(discovery.token_endpoint, { method: "POST", body: new URLSearchParams(form) });
  const body = (await response.json()) as {
    access_token?: string;
    error_description?: string;
    error?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new Error(
      `token grant refused (${response.status}): ${body.error_description ?? body.error ?? "no token"}`,
    );
  }
  return body.access_token;
}

type Jwk = crypto.JsonWebKey & { kid?: string; use?: string; alg?: string };

/**
 * Verifies the JWT's RS256 signature with the key of its `kid` from the JWKS, and returns its
 * claims; throws if the signature does not verify.
 */
export async function verifiedClaims(jwt: string, discovery: Discovery): Promise<Record<string, unknown>> {
  const [headerPart, payloadPart, signaturePart] = jwt.split(".");
  const header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8")) as {
    kid: string;
    alg: string;
  };
  if (header.alg !== "RS256") throw new Error(`unexpected token algorithm ${header.alg}`);
  const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Jwk[] };
  const jwk = keys.find((key) => key.kid === header.kid);
  if (!jwk) throw new Error(`no key ${header.kid} in the JWKS at ${discovery.jwks_uri}`);
  const key = crypto.createPublicKey({ key: jwk, format: "jwk" });
  const valid = crypto.verify(
    "RSA-SHA256",
    Buffer.from(`${headerPart}.${payloadPart}`),
    key,
    Buffer.from(signaturePart, "base64url"),
  );
  if (!valid) throw new Error("the token's signature does not verify against the realm's JWKS");
  return JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** A JWT with one byte of its payload changed (a forgery that must not verify). */
export function tampered(jwt: string): string {
  const [h, p, s] = jwt.split(".");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
  claims.azp = `${String(claims.azp)}x`;
  return [h, Buffer.from(JSON.stringify(claims)).toString("base64url"), s].join(".");
}

/**
 * The file on the host is age ciphertext that the host's own key opens and a freshly made other
 * host key does not; returns what it holds (for comparison with Keycloak's secret).
 */
export async function openedOnlyByHostKey(stored: string, hostKeyPath: string): Promise<string> {
  const ciphertext = fs.readFileSync(stored, "utf8");
  assert.match(ciphertext, /^-----BEGIN AGE ENCRYPTED FILE-----/);
  const opened = (await runCommand("age", ["-d", "-i", hostKeyPath, stored])).stdout;
  assert.ok(!ciphertext.includes(opened), "the stored file does not hold the secret in plain text");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-other-host-key-"));
  try {
    const otherKey = path.join(scratch, "other_host_key");
    await runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]);
    await assert.rejects(
      runCommand("age", ["-d", "-i", otherKey, stored]),
      /no identity matched any of the recipients/,
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return opened;
}

/** A site config's host "web": the harness's sshd as an existing machine, its host key pinned. */
export function sshdSiteHost(s: SshdService, hostKey: string, os: "nixos" | "linux", site: string) {
  return {
    name: "web",
    address: "127.0.0.1",
    sshKeys: [`${hostKey} admin@${site}`],
    placement: {
      kind: "existing",
      os,
      ssh: { host: "127.0.0.1", port: s.port, user: s.user, hostKey },
      // The harness's sshd keeps its host key in its own dir, not in /etc/ssh.
      hostKeyPath: path.join(s.dir, "ssh_host_ed25519_key"),
    },
  };
}
