/**
 * Pure checks of the PostgreSQL resources' inputs: identifiers, the admin connection, locales.
 * Each problem names its field and what to write instead (the provider's `check` returns them).
 */
import { configKeyProblem } from "../shared/credentials";
import { ownerProblem } from "../shared/ownership";

/** Lower-case identifiers only: they need no quoting in psql, config files or connection URLs. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** Names PostgreSQL itself uses; a stack must never create, adopt or drop them. */
const RESERVED = new Set(["postgres", "template0", "template1", "public"]);

export interface Failure {
  property: string;
  reason: string;
}

/** The admin connection every resource carries (its password comes from the stack config). */
export interface PostgresConnectionInputs {
  host: string;
  port: number;
  /** A role that may create roles and databases. */
  adminUser: string;
  /** The stack config key holding adminUser's password; default "sovereign:postgresAdminPassword". */
  passwordConfig?: string;
}

export const DEFAULT_PASSWORD_CONFIG = "sovereign:postgresAdminPassword";

export function identifierProblem(field: string, name: unknown): Failure | undefined {
  if (typeof name !== "string" || !IDENTIFIER.test(name))
    return {
      property: field,
      reason: `${JSON.stringify(name)} must be a lower-case identifier (a-z, 0-9, "_", not starting with a digit, at most 63 characters), e.g. "synapse"`,
    };
  if (RESERVED.has(name) || name.startsWith("pg_"))
    return {
      property: field,
      reason: `"${name}" is PostgreSQL's own; choose another name (e.g. the app's id)`,
    };
  return undefined;
}

export function connectionProblems(c: Partial<PostgresConnectionInputs>): Failure[] {
  const out: Failure[] = [];
  if (typeof c.host !== "string" || c.host === "" || /[\s/]/.test(c.host))
    out.push({ property: "host", reason: `${JSON.stringify(c.host)} must be a host name or IP address` });
  if (!Number.isInteger(c.port) || (c.port as number) < 1 || (c.port as number) > 65535)
    out.push({
      property: "port",
      reason: `${JSON.stringify(c.port)} must be a TCP port (1-65535), e.g. 5432`,
    });
  if (typeof c.adminUser !== "string" || !/^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/.test(c.adminUser))
    out.push({
      property: "adminUser",
      reason: `${JSON.stringify(c.adminUser)} must name the role that creates roles and databases, e.g. "postgres"`,
    });
  const key = configKeyProblem("passwordConfig", c.passwordConfig ?? DEFAULT_PASSWORD_CONFIG);
  if (key) out.push({ property: "passwordConfig", reason: key });
  return out;
}

export function ownerFailures(owner: unknown): Failure[] {
  const problem = ownerProblem(owner);
  return problem ? [{ property: "owner", reason: problem }] : [];
}

/** A libc locale name such as "C", "C.UTF-8" or "en_US.UTF-8". */
export function localeProblem(field: string, locale: unknown): Failure | undefined {
  if (locale === undefined) return undefined;
  if (typeof locale !== "string" || !/^[A-Za-z0-9_.@-]{1,64}$/.test(locale))
    return {
      property: field,
      reason: `${JSON.stringify(locale)} must be a locale name such as "C" or "en_US.UTF-8"`,
    };
  return undefined;
}

export function encodingProblem(field: string, encoding: unknown): Failure | undefined {
  if (encoding === undefined) return undefined;
  if (typeof encoding !== "string" || !/^[A-Za-z0-9_]{1,32}$/.test(encoding))
    return { property: field, reason: `${JSON.stringify(encoding)} must be an encoding name such as "UTF8"` };
  return undefined;
}

/** A role password: long enough, and text PostgreSQL can store (the reason never holds the value). */
export function passwordProblem(password: unknown): Failure | undefined {
  if (typeof password !== "string" || password.length < 16)
    return {
      property: "password",
      reason: `must be at least 16 characters (give it a generated secret, e.g. a SecretGenerator's random(); its length was ${typeof password === "string" ? password.length : "not a string"})`,
    };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000]/.test(password)) return { property: "password", reason: "must not contain NUL characters" };
  return undefined;
}
