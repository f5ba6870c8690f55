import { randomBytes } from "crypto";

/** A random secret (hex), fresh for every service start. */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString("hex");
}

/** A short random suffix for names that must be unique on the machine (pools, users). */
export function randomSuffix(): string {
  return randomBytes(4).toString("hex");
}
