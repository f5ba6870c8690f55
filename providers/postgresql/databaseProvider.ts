/**
 * PostgresDatabase: a database owned by a role, its owner marker in the database's comment. A
 * database owned by another stack (or by no one) is refused without `adopt`; an adopted one keeps
 * the server's encoding and locale when none are given. Delete drops it only while the comment
 * still names this resource (the resource class protects databases unless the caller opts out).
 */
import type * as pulumi from "@pulumi/pulumi";
import { decideClaim, decideWrite, ownIds } from "../shared/ownership";
import { withAdmin, type DatabaseInfo } from "./client";
import { adminConnection, dropIfOurs } from "./connection";
import {
  connectionProblems,
  encodingProblem,
  identifierProblem,
  localeProblem,
  ownerFailures,
  type PostgresConnectionInputs,
} from "./validate";

export interface PostgresDatabaseInputs extends PostgresConnectionInputs {
  name: string;
  /** The role that owns it (a PostgresRole's name). */
  ownerRole: string;
  /** Default "UTF8" for a new database. */
  encoding?: string;
  lcCollate?: string;
  lcCtype?: string;
  owner: string;
  adopt?: boolean;
}

export interface PostgresDatabaseOutputs extends PostgresDatabaseInputs {
  adopted: boolean;
  /** What the server holds (after refresh: what it holds now). */
  actualOwnerRole: string;
  actualEncoding: string;
  actualLcCollate: string;
  actualLcCtype: string;
}

/** Settings fixed at creation: a different value means a new database. */
const FIXED = ["encoding", "lcCollate", "lcCtype"] as const;

export async function check(
  _olds: unknown,
  news: PostgresDatabaseInputs,
): Promise<pulumi.dynamic.CheckResult> {
  const failures = [
    ...connectionProblems(news),
    identifierProblem("name", news.name),
    identifierProblem("ownerRole", news.ownerRole),
    encodingProblem("encoding", news.encoding),
    localeProblem("lcCollate", news.lcCollate),
    localeProblem("lcCtype", news.lcCtype),
    ...ownerFailures(news.owner),
  ].filter((f) => f !== undefined);
  return failures.length > 0 ? { failures } : { inputs: news };
}

/** Given settings that differ from what the server has (adopt keeps what was not given). */
function fixedMismatches(i: PostgresDatabaseInputs, found: DatabaseInfo): string[] {
  const actual = { encoding: found.encoding, lcCollate: found.lcCollate, lcCtype: found.lcCtype };
  return FIXED.filter((k) => i[k] !== undefined && actual[k] !== undefined && i[k] !== actual[k]).map(
    (k) => `${k} is "${actual[k]}" on the server, not "${i[k]}"`,
  );
}

function outputs(i: PostgresDatabaseInputs, found: DatabaseInfo, adopted: boolean): PostgresDatabaseOutputs {
  return {
    ...i,
    adopted,
    actualOwnerRole: found.ownerRole ?? i.ownerRole,
    actualEncoding: found.encoding ?? "",
    actualLcCollate: found.lcCollate ?? "",
    actualLcCtype: found.lcCtype ?? "",
  };
}

export async function diff(
  _id: string,
  olds: PostgresDatabaseOutputs,
  news: PostgresDatabaseInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces: string[] = (["name", "host", "port"] as const).filter((k) => olds[k] !== news[k]);
  const actual = {
    encoding: olds.actualEncoding,
    lcCollate: olds.actualLcCollate,
    lcCtype: olds.actualLcCtype,
  };
  for (const k of FIXED) if (news[k] !== undefined && news[k] !== actual[k]) replaces.push(k);
  const changes =
    replaces.length > 0 ||
    news.ownerRole !== olds.actualOwnerRole ||
    olds.ownerRole !== news.ownerRole ||
    olds.owner !== news.owner ||
    olds.adminUser !== news.adminUser ||
    olds.passwordConfig !== news.passwordConfig;
  return { changes, replaces, deleteBeforeReplace: true };
}

export async function create(i: PostgresDatabaseInputs): Promise<pulumi.dynamic.CreateResult> {
  return withAdmin(adminConnection(i), async (admin) => {
    const where = `PostgreSQL database "${i.name}" on ${admin.where}`;
    const found = await admin.database(i.name);
    const claim = decideClaim(found, i.owner, i.adopt === true);
    if (claim.action === "refuse") throw new Error(`${where}: ${claim.reason}`);
    if (claim.action === "create") {
      await admin.createDatabase({ ...i, encoding: i.encoding ?? "UTF8" });
    } else {
      const mismatches = fixedMismatches(i, found);
      if (mismatches.length > 0)
        throw new Error(
          `${where}: ${mismatches.join("; ")}; these are fixed when a database is made: leave them unset to keep the server's, or use another name`,
        );
      if (found.ownerRole !== i.ownerRole) await admin.setDatabaseOwner(i.name, i.ownerRole);
    }
    await admin.markDatabase(i.name, i.owner);
    return {
      id: `${i.host}:${i.port}/database/${i.name}`,
      outs: outputs(i, await admin.database(i.name), claim.action === "adopt"),
    };
  });
}

export async function read(id: string, props: PostgresDatabaseOutputs): Promise<pulumi.dynamic.ReadResult> {
  return withAdmin(adminConnection(props), async (admin) => {
    const found = await admin.database(props.name);
    if (!found.exists) return { id: "", props: {} };
    return { id, props: outputs(props, found, props.adopted) };
  });
}

export async function update(
  _id: string,
  olds: PostgresDatabaseOutputs,
  news: PostgresDatabaseInputs,
): Promise<pulumi.dynamic.UpdateResult> {
  return withAdmin(adminConnection(news), async (admin) => {
    const found = await admin.database(news.name);
    const decision = decideWrite(found, ownIds(news.owner, olds.owner));
    if (decision.action === "refuse")
      throw new Error(`PostgreSQL database "${news.name}" on ${admin.where}: ${decision.reason}`);
    if (!found.exists) await admin.createDatabase({ ...news, encoding: news.encoding ?? "UTF8" });
    else if (found.ownerRole !== news.ownerRole) await admin.setDatabaseOwner(news.name, news.ownerRole);
    await admin.markDatabase(news.name, news.owner);
    return { outs: outputs(news, await admin.database(news.name), olds.adopted) };
  });
}

async function remove(_id: string, props: PostgresDatabaseOutputs): Promise<void> {
  await dropIfOurs(
    props,
    "database",
    (admin) => admin.database(props.name),
    (admin) => admin.dropDatabase(props.name),
  );
}
export { remove as delete };

export { configure } from "../shared/credentials";
