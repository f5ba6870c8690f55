/**
 * Per provider process: one client per NetBox (URL + token config key), the token from the stack
 * config (providers/shared/credentials), a memoized "is it there and is the token good" probe, and
 * the `sovereign_owner` custom field that carries every object's owner marker, made before the
 * first write.
 */
import { requireCredential } from "../shared/credentials";
import { ApiError } from "../shared/http";
import { apiBase, NetboxClient, type Kind } from "./client";
import { DEFAULT_TOKEN_CONFIG } from "./validate";

export const OWNER_FIELD = "sovereign_owner";

/** The object types that carry the owner custom field (tags keep it in their description). */
export const OWNER_FIELD_TYPES: Record<Exclude<Kind, "tag">, string> = {
  site: "dcim.site",
  clusterType: "virtualization.clustertype",
  cluster: "virtualization.cluster",
  virtualMachine: "virtualization.virtualmachine",
  vmInterface: "virtualization.vminterface",
  prefix: "ipam.prefix",
  ipAddress: "ipam.ipaddress",
  service: "ipam.service",
};

export interface Connection {
  url: string;
  tokenConfig?: string;
}

interface Session {
  client: NetboxClient;
  /** The status probe (reachable, token good). */
  answers?: Promise<void>;
  /** The probe and the owner custom field (before writes). */
  ready?: Promise<void>;
}

const sessions = new Map<string, Session>();

function sessionFor(conn: Connection): Session {
  const configKey = conn.tokenConfig ?? DEFAULT_TOKEN_CONFIG;
  const token = requireCredential(configKey, "the NetBox API token");
  const key = `${apiBase(conn.url)} ${configKey} ${token}`;
  let session = sessions.get(key);
  if (!session) {
    session = {
      client: new NetboxClient({ url: conn.url, token }, { tokenSource: `stack config "${configKey}"` }),
    };
    sessions.set(key, session);
  }
  return session;
}

/** The client for a resource's connection inputs (the token comes from the stack config). */
export function clientFor(conn: Connection): NetboxClient {
  return sessionFor(conn).client;
}

async function ensureOwnerField(client: NetboxClient): Promise<void> {
  const wanted = Object.values(OWNER_FIELD_TYPES);
  for (let attempt = 0; ; attempt++) {
    const [field] = await client.customFields(OWNER_FIELD);
    if (field) {
      const have = (field.object_types ?? []) as string[];
      const missing = wanted.filter((t) => !have.includes(t));
      if (missing.length > 0)
        await client.updateCustomField(field.id, { object_types: [...have, ...missing] });
      return;
    }
    try {
      await client.createCustomField({
        name: OWNER_FIELD,
        label: "Sovereign owner",
        type: "text",
        object_types: wanted,
        description: "The sovereign stack resource (<project>/<stack>/<resource>) that manages this object",
        required: false,
      } as Parameters<NetboxClient["createCustomField"]>[0]);
      return;
    } catch (e) {
      // Another provider process made it at the same moment: read it again.
      if (!(e instanceof ApiError && e.status === 400) || attempt > 0) throw e;
    }
  }
}

/** Runs a memoized step of a session once; a failure lets a later call try again. */
async function once(session: Session, step: "answers" | "ready", run: () => Promise<void>): Promise<void> {
  session[step] ??= run();
  try {
    await session[step];
  } catch (e) {
    session[step] = undefined;
    throw e;
  }
}

/**
 * Once per process and NetBox: the server answers and the token is good (a 401 says "check the
 * NetBox token"). Enough for reads (`check`, `read`): a preview writes nothing, not even the owner
 * custom field.
 */
export async function answeringClient(conn: Connection): Promise<NetboxClient> {
  const session = sessionFor(conn);
  await once(session, "answers", async () => {
    await session.client.status();
  });
  return session.client;
}

/**
 * Before writes, once per process and NetBox: as `answeringClient`, and the owner custom field
 * exists (made on first use).
 */
export async function readyClient(conn: Connection): Promise<NetboxClient> {
  const session = sessionFor(conn);
  const client = await answeringClient(conn);
  await once(session, "ready", () => ensureOwnerField(client));
  return client;
}

/** Drops cached sessions (tests that restart NetBox in one process). */
export function resetSessions(): void {
  sessions.clear();
}
