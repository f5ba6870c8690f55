import { createHmac, randomInt } from "crypto";
import * as path from "path";
import { runCommand } from "./commands";
import type { PostgresServiceWithBin } from "./postgres";

const TOKEN_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomToken(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += TOKEN_CHARSET[randomInt(TOKEN_CHARSET.length)];
  return out;
}

export interface TokenOptions {
  /** The API_TOKEN_PEPPERS entry of this run's configuration. */
  pepperId: number;
  pepper: string;
  username: string;
}

/**
 * Makes a fresh v2 API token for a user straight in the database, the way NetBox stores one (a
 * 12-char key, HMAC-SHA256 of the 40-char secret with the configured pepper): a `netbox shell`
 * would cost ~7 s per run. Returns the header value's token, `nbt_<key>.<secret>`.
 */
export async function createNetboxToken(pg: PostgresServiceWithBin, options: TokenOptions): Promise<string> {
  const key = randomToken(12);
  const secret = randomToken(40);
  const digest = createHmac("sha256", options.pepper).update(secret).digest("hex");
  if (!/^[A-Za-z0-9_.-]+$/.test(options.username)) throw new Error(`bad user name ${options.username}`);
  const sql = `INSERT INTO users_token (version, user_id, description, created, enabled, write_enabled, key, pepper_id, hmac_digest)
    SELECT 2, id, 'sovereign test harness', now(), true, true, '${key}', ${options.pepperId}, '${digest}'
    FROM users_user WHERE username = '${options.username}' RETURNING id`;
  const { stdout } = await runCommand(
    path.join(pg.binDir, "psql"),
    [
      "-h",
      pg.host,
      "-p",
      String(pg.port),
      "-U",
      pg.user,
      "-d",
      pg.database,
      "-v",
      "ON_ERROR_STOP=1",
      "-tAc",
      sql,
    ],
    { env: { ...process.env, PGPASSWORD: pg.password } },
  );
  if (!/^\d+/.test(stdout.trim()))
    throw new Error(`no NetBox user "${options.username}" to make a token for`);
  return `nbt_${key}.${secret}`;
}
