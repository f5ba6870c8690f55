/**
 * The admin side of one PostgreSQL server, on the `pg` driver: read, create, change and drop roles
 * and databases, and the owner markers kept in their comments (COMMENT ON ROLE / DATABASE, read
 * back with shobj_description). DDL takes no bind parameters, so every name and literal goes
 * through the driver's own escaping. Errors carry the server's message, never a password.
 */
import { Client, escapeIdentifier, escapeLiteral, type ClientConfig } from "pg";
import { encodeOwner, parseOwner, type Found } from "../shared/ownership";

export interface AdminConnection {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface RoleInfo extends Found {
  canLogin?: boolean;
}

export interface DatabaseInfo extends Found {
  ownerRole?: string;
  encoding?: string;
  lcCollate?: string;
  lcCtype?: string;
}

/** What the engine should tell the user: where, what failed, and the server's own words. */
export class PostgresError extends Error {
  constructor(where: string, what: string, cause: unknown) {
    const e = cause as { message?: string; code?: string };
    super(
      `PostgreSQL ${where}: ${what} failed: ${e.message ?? String(cause)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`,
    );
    this.name = "PostgresError";
  }
}

export class PostgresAdmin {
  private constructor(
    private readonly client: Client,
    readonly where: string,
  ) {}

  /** Connects to the server's maintenance database "postgres" as the admin role. */
  static async connect(c: AdminConnection): Promise<PostgresAdmin> {
    const where = `${c.user}@${c.host}:${c.port}`;
    const config: ClientConfig = {
      host: c.host,
      port: c.port,
      user: c.user,
      password: c.password,
      database: "postgres",
      connectionTimeoutMillis: 10_000,
      application_name: "sovereign",
    };
    let lastError: unknown;
    // Connection refused or reset: the server may be restarting; a few tries with backoff.
    for (let attempt = 0; attempt < 4; attempt++) {
      const client = new Client(config);
      try {
        await client.connect();
        return new PostgresAdmin(client, where);
      } catch (e) {
        lastError = e;
        await client.end().catch(() => undefined);
        const code = (e as { code?: string }).code ?? "";
        if (!["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "57P03"].includes(code)) break;
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
    throw new PostgresError(where, "connecting", lastError);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async sql(what: string, text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
    try {
      return (await this.client.query(text, values)).rows as Record<string, unknown>[];
    } catch (e) {
      throw new PostgresError(this.where, what, e);
    }
  }

  async role(name: string): Promise<RoleInfo> {
    const rows = await this.sql(
      `reading role ${name}`,
      "SELECT rolcanlogin, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1",
      [name],
    );
    if (rows.length === 0) return { exists: false };
    return {
      exists: true,
      owner: parseOwner((rows[0].comment as string | null) ?? undefined),
      canLogin: rows[0].rolcanlogin === true,
    };
  }

  async createRole(name: string, password: string): Promise<void> {
    await this.sql(
      `creating role ${name}`,
      `CREATE ROLE ${escapeIdentifier(name)} LOGIN PASSWORD ${escapeLiteral(password)}`,
    );
  }

  async setRolePassword(name: string, password: string): Promise<void> {
    await this.sql(
      `setting the password of role ${name}`,
      `ALTER ROLE ${escapeIdentifier(name)} LOGIN PASSWORD ${escapeLiteral(password)}`,
    );
  }

  async markRole(name: string, owner: string): Promise<void> {
    await this.sql(
      `marking role ${name}`,
      `COMMENT ON ROLE ${escapeIdentifier(name)} IS ${escapeLiteral(encodeOwner(owner))}`,
    );
  }

  async dropRole(name: string): Promise<void> {
    await this.sql(`dropping role ${name}`, `DROP ROLE IF EXISTS ${escapeIdentifier(name)}`);
  }

  async database(name: string): Promise<DatabaseInfo> {
    const rows = await this.sql(
      `reading database ${name}`,
      `SELECT pg_get_userbyid(datdba) AS owner_role, pg_encoding_to_char(encoding) AS encoding, datcollate, datctype,
              shobj_description(oid, 'pg_database') AS comment
         FROM pg_database WHERE datname = $1`,
      [name],
    );
    if (rows.length === 0) return { exists: false };
    const r = rows[0];
    return {
      exists: true,
      owner: parseOwner((r.comment as string | null) ?? undefined),
      ownerRole: r.owner_role as string,
      encoding: r.encoding as string,
      lcCollate: r.datcollate as string,
      lcCtype: r.datctype as string,
    };
  }

  async createDatabase(d: {
    name: string;
    ownerRole: string;
    encoding: string;
    lcCollate?: string;
    lcCtype?: string;
  }): Promise<void> {
    const parts = [
      `CREATE DATABASE ${escapeIdentifier(d.name)} OWNER ${escapeIdentifier(d.ownerRole)}`,
      `ENCODING ${escapeLiteral(d.encoding)}`,
      d.lcCollate ? `LC_COLLATE ${escapeLiteral(d.lcCollate)}` : "",
      d.lcCtype ? `LC_CTYPE ${escapeLiteral(d.lcCtype)}` : "",
      // template0: the only template that accepts another encoding or locale.
      "TEMPLATE template0",
    ];
    await this.sql(`creating database ${d.name}`, parts.filter(Boolean).join(" "));
  }

  async setDatabaseOwner(name: string, ownerRole: string): Promise<void> {
    await this.sql(
      `changing the owner of database ${name}`,
      `ALTER DATABASE ${escapeIdentifier(name)} OWNER TO ${escapeIdentifier(ownerRole)}`,
    );
  }

  async markDatabase(name: string, owner: string): Promise<void> {
    await this.sql(
      `marking database ${name}`,
      `COMMENT ON DATABASE ${escapeIdentifier(name)} IS ${escapeLiteral(encodeOwner(owner))}`,
    );
  }

  async dropDatabase(name: string): Promise<void> {
    await this.sql(`dropping database ${name}`, `DROP DATABASE IF EXISTS ${escapeIdentifier(name)}`);
  }
}

/** Runs `fn` with an admin session and always closes it. */
export async function withAdmin<T>(c: AdminConnection, fn: (admin: PostgresAdmin) => Promise<T>): Promise<T> {
  const admin = await PostgresAdmin.connect(c);
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}
