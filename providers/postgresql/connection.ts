/** The admin connection of a resource's inputs, with its password from the stack config. */
import { requireCredential } from "../shared/credentials";
import { decideDelete, ownIds, type Found } from "../shared/ownership";
import { withAdmin, type AdminConnection, type PostgresAdmin } from "./client";
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

/**
 * Delete for both kinds: drop the object only while its marker still names this resource; warn
 * (and forget it) when someone else took it over.
 */
export async function dropIfOurs(
  props: PostgresConnectionInputs & { name: string; owner: string },
  what: "role" | "database",
  find: (admin: PostgresAdmin) => Promise<Found>,
  drop: (admin: PostgresAdmin) => Promise<void>,
): Promise<void> {
  await withAdmin(adminConnection(props), async (admin) => {
    const decision = decideDelete(await find(admin), ownIds(props.owner));
    if (decision.action === "leave")
      console.warn(`warning: PostgreSQL ${what} "${props.name}" on ${admin.where}: ${decision.warning}`);
    else if (decision.action === "delete") await drop(admin);
  });
}
