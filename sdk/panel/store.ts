/**
 * The panel's own data in PostgreSQL (schema: migrations.ts): users and their bearer tokens
 * (stored as SHA-256 hashes only), proposed changes with their previews, the running operation of
 * each site, and the audit log of who did what.
 */
import * as crypto from "crypto";
import { Pool, type PoolClient } from "pg";
import { PanelError } from "./errors";
import { migrate } from "./migrations";

/** What a user may do: viewers read and preview, operators also apply. */
export type Role = "viewer" | "operator";

/** A user the panel knows. */
export interface PanelUser {
  /** The user's database id. */
  readonly id: number;
  /** The user's name, as shown in locks and the audit log. */
  readonly name: string;
  /** What the user may do: "viewer" reads and previews, "operator" also applies. */
  readonly role: Role;
}

/** A change proposed for a site, with its preview. */
export interface StoredChange {
  /** The change's id (a UUID). */
  readonly id: string;
  /** The site it changes. */
  readonly site: string;
  /** Who proposed it. */
  readonly proposedBy: string;
  /** The whole proposed `sovereign:site` config. */
  readonly siteConfig: unknown;
  /** Its preview: change summary and per-resource diff. */
  readonly preview: unknown;
  /** Where it is: proposed, being applied, applied, or failed. */
  readonly status: "proposed" | "applying" | "applied" | "failed";
  /** When it was proposed (ISO 8601). */
  readonly createdAt: string;
}

/** One line of the audit log. */
export interface AuditEntry {
  /** When it happened (ISO 8601). */
  readonly at: string;
  /** Who did it. */
  readonly user: string;
  /** The site it concerns. */
  readonly site: string;
  /** What was done: "propose" or "apply". */
  readonly action: string;
  /** The change it concerns, when any. */
  readonly changeId: string | null;
  /** How it ended: "previewed", "succeeded", "failed", ... */
  readonly result: string;
}

/** The site's operation lock, held until `release`. */
export interface SiteLease {
  /** The id of the operation row the lease recorded (who holds the site, since when). */
  readonly operationId: number;
  /** Ends the operation with `result` and frees the site. Idempotent. */
  release(result: string): Promise<void>;
}

/** SHA-256 of a token, hex: the only form in which tokens are stored. */
export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token, "utf8").digest("hex");
}

const ignoreError = (): void => undefined;

/** The panel's data access; one per panel process. */
export class PanelStore {
  private constructor(private readonly pool: Pool) {}

  /** Connects and brings the schema up to date. */
  static async open(connectionString: string): Promise<PanelStore> {
    const pool = new Pool({ connectionString, max: 10 });
    // An idle client whose server went away must not crash the process.
    pool.on("error", () => undefined);
    await migrate(pool);
    return new PanelStore(pool);
  }

  /** Closes every connection (releases every site lock this process holds). */
  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Creates a user (or changes its role) and returns a new bearer token, shown only this once. */
  async addUser(
    name: string,
    role: Role,
  ): Promise<{
    /** The user as stored. */
    user: PanelUser;
    /** The user's new bearer token: shown once, stored only as its hash. */
    token: string;
  }> {
    const { rows } = await this.pool.query<PanelUser>(
      `INSERT INTO panel_user (name, role) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role RETURNING id, name, role`,
      [name, role],
    );
    const token = `svp_${crypto.randomBytes(32).toString("base64url")}`;
    await this.pool.query("INSERT INTO panel_token (user_id, token_sha256) VALUES ($1, $2)", [
      rows[0].id,
      hashToken(token),
    ]);
    return { user: rows[0], token };
  }

  /** The user a bearer token belongs to, or undefined for an unknown or revoked token. */
  async authenticate(token: string): Promise<PanelUser | undefined> {
    const { rows } = await this.pool.query<PanelUser>(
      `SELECT u.id, u.name, u.role FROM panel_token t JOIN panel_user u ON u.id = t.user_id
       WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL`,
      [hashToken(token)],
    );
    return rows[0];
  }

  /**
   * Takes the site's operation lock: a PostgreSQL advisory lock held by one connection for the
   * whole operation, so a panel process that dies frees it with its connection. A busy site is a
   * 409 that names who holds it, what they run and since when.
   */
  async lockSite(site: string, kind: string, user: PanelUser): Promise<SiteLease> {
    const client = await this.pool.connect();
    // A leased connection the server ends (restart, admin) frees the lock; it must not crash the panel.
    client.on("error", ignoreError);
    let held = false;
    try {
      const got = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS ok", [
        `sovereign-panel-site:${site}`,
      ]);
      held = got.rows[0].ok;
      if (!held) {
        // The holder records its operation just after taking the lock: a request that arrives in
        // between waits for that row (briefly) so the 409 can name who holds the site.
        let holder: { name: string; kind: string; started_at: Date } | undefined;
        for (let attempt = 0; !holder && attempt < 30; attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
          const { rows } = await client.query<{ name: string; kind: string; started_at: Date }>(
            `SELECT u.name, o.kind, o.started_at FROM panel_operation o JOIN panel_user u ON u.id = o.user_id
             WHERE o.site = $1 AND o.finished_at IS NULL ORDER BY o.started_at DESC LIMIT 1`,
            [site],
          );
          holder = rows[0];
        }
        throw new PanelError(
          409,
          "site_busy",
          holder
            ? `site "${site}" is busy: ${holder.kind} by ${holder.name} since ${holder.started_at.toISOString()}; try again when it has finished`
            : `site "${site}" is busy with another operation; try again when it has finished`,
          {
            heldBy: holder
              ? { user: holder.name, operation: holder.kind, since: holder.started_at.toISOString() }
              : null,
          },
        );
      }
      // Operations left running by a process that died: their lock went with their connection.
      await client.query(
        "UPDATE panel_operation SET finished_at = now(), result = 'crashed' WHERE site = $1 AND finished_at IS NULL",
        [site],
      );
      const { rows } = await client.query<{ id: number }>(
        "INSERT INTO panel_operation (site, kind, user_id) VALUES ($1, $2, $3) RETURNING id",
        [site, kind, user.id],
      );
      return this.lease(client, site, rows[0].id);
    } catch (e) {
      if (held)
        await client.query("SELECT pg_advisory_unlock(hashtext($1))", [`sovereign-panel-site:${site}`]);
      client.off("error", ignoreError);
      client.release();
      throw e;
    }
  }

  private lease(client: PoolClient, site: string, operationId: number): SiteLease {
    let released = false;
    return {
      operationId,
      release: async (result: string) => {
        if (released) return;
        released = true;
        try {
          await client.query("UPDATE panel_operation SET finished_at = now(), result = $2 WHERE id = $1", [
            operationId,
            result,
          ]);
          await client.query("SELECT pg_advisory_unlock(hashtext($1))", [`sovereign-panel-site:${site}`]);
          client.off("error", ignoreError);
          client.release();
        } catch (e) {
          // A broken connection frees the lock on the server: drop it rather than reuse it.
          client.off("error", ignoreError);
          client.release(e as Error);
        }
      },
    };
  }

  /** Stores a proposed change with its preview; returns its id. */
  async addChange(site: string, user: PanelUser, siteConfig: unknown, preview: unknown): Promise<string> {
    const id = crypto.randomUUID();
    await this.pool.query(
      "INSERT INTO panel_change (id, site, proposed_by, site_config, preview, status) VALUES ($1, $2, $3, $4, $5, 'proposed')",
      [id, site, user.id, JSON.stringify(siteConfig), JSON.stringify(preview)],
    );
    return id;
  }

  /** A change of `site` by id, or undefined. */
  async change(site: string, id: string): Promise<StoredChange | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    const { rows } = await this.pool.query<{
      id: string;
      site: string;
      name: string;
      site_config: unknown;
      preview: unknown;
      status: StoredChange["status"];
      created_at: Date;
    }>(
      `SELECT c.id, c.site, u.name, c.site_config, c.preview, c.status, c.created_at
       FROM panel_change c JOIN panel_user u ON u.id = c.proposed_by WHERE c.id = $1 AND c.site = $2`,
      [id, site],
    );
    const r = rows[0];
    return r
      ? {
          id: r.id,
          site: r.site,
          proposedBy: r.name,
          siteConfig: r.site_config,
          preview: r.preview,
          status: r.status,
          createdAt: r.created_at.toISOString(),
        }
      : undefined;
  }

  /** Sets a change's status. */
  async setChangeStatus(id: string, status: StoredChange["status"]): Promise<void> {
    await this.pool.query("UPDATE panel_change SET status = $2 WHERE id = $1", [id, status]);
  }

  /** Appends to the audit log. */
  async audit(
    user: PanelUser,
    site: string,
    action: string,
    changeId: string | null,
    result: string,
  ): Promise<void> {
    await this.pool.query(
      "INSERT INTO panel_audit (user_id, site, action, change_id, result) VALUES ($1, $2, $3, $4, $5)",
      [user.id, site, action, changeId, result],
    );
  }

  /** The audit log of a site, newest first. */
  async auditLog(site: string, limit = 100): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query<{
      at: Date;
      name: string;
      site: string;
      action: string;
      change_id: string | null;
      result: string;
    }>(
      `SELECT a.at, u.name, a.site, a.action, a.change_id, a.result FROM panel_audit a
       JOIN panel_user u ON u.id = a.user_id WHERE a.site = $1 ORDER BY a.id DESC LIMIT $2`,
      [site, limit],
    );
    return rows.map((r) => ({
      at: r.at.toISOString(),
      user: r.name,
      site: r.site,
      action: r.action,
      changeId: r.change_id,
      result: r.result,
    }));
  }
}
