/** The admin connection of a resource's inputs, with its password from the stack config. */
import { requireCredential } from "../shared/credentials";
import type { AdminConnection } from "./client";
import { DEFAULT_PASSWORD_CONFIG, type PostgresConnectionInputs } from "./validate";

export function adminConnection(c: PostgresConnectionInputs): AdminConnection {
  const key = c.passwordConfig ?? DEFAULT_PASSWORD_CONFIG;
  return {
    host: c.host,
    port: c.port,
    user: c.adminUser,
    password: requireCredential(
      key,
      `the password of PostgreSQL admin role "${c.adminUser}" (${c.host}:${c.port})`,
    ),
  };
}

/** Endpoint fields that, when changed, mean another server: the object is made there anew. */
export const SERVER_FIELDS = ["host", "port"] as const;
