/**
 * SSHFP records (RFC 4255, RFC 6594, RFC 7479) from OpenSSH public host keys: the way to pin a
 * host's SSH key in (signed) DNS instead of trusting it on first use. Pure.
 */
import { createHash } from "crypto";

/** SSHFP algorithm numbers by OpenSSH key type. */
export const SSHFP_ALGORITHMS: Readonly<Record<string, number>> = {
  "ssh-rsa": 1,
  "ssh-dss": 2,
  "ecdsa-sha2-nistp256": 3,
  "ecdsa-sha2-nistp384": 3,
  "ecdsa-sha2-nistp521": 3,
  "ssh-ed25519": 4,
  "ssh-ed448": 6,
};

/**
 * The SSHFP contents for one public key line ("ssh-ed25519 AAAA... comment", as in
 * /etc/ssh/ssh_host_ed25519_key.pub): SHA-1 (type 1) and SHA-256 (type 2) fingerprints of the key
 * blob. Throws with a message that says what is wrong with the line.
 */
export function sshfpRecords(publicKeyLine: string): string[] {
  const [type, data] = publicKeyLine.trim().split(/\s+/);
  const algorithm = type === undefined ? undefined : SSHFP_ALGORITHMS[type];
  if (algorithm === undefined) {
    throw new Error(
      `SSH host key ${JSON.stringify(publicKeyLine.slice(0, 40))}: unknown key type ${JSON.stringify(type)}; give a line of a host's *.pub file, e.g. "ssh-ed25519 AAAAC3Nza... root@host" (types: ${Object.keys(SSHFP_ALGORITHMS).join(", ")})`,
    );
  }
  const blob = Buffer.from(data ?? "", "base64");
  // The blob starts with the key type as an SSH string (uint32 length + bytes): it must match.
  const inner = blob.length >= 4 ? blob.subarray(4, 4 + blob.readUInt32BE(0)).toString("latin1") : "";
  if (inner !== type) {
    throw new Error(
      `SSH host key of type ${type}: its base64 data is not a ${type} key (it says ${JSON.stringify(inner.slice(0, 30))}); copy the whole line of the .pub file`,
    );
  }
  const sha1 = createHash("sha1").update(blob).digest("hex");
  const sha256 = createHash("sha256").update(blob).digest("hex");
  return [`${algorithm} 1 ${sha1}`, `${algorithm} 2 ${sha256}`];
}
