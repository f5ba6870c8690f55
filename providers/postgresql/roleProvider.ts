/**
 * PostgresRole: a login role with a password (a secret input, kept encrypted in the state). Its
 * owner marker is the role's comment. A role owned by another stack (or by no one) is refused
 * without `adopt`; delete drops it only while the comment still names this resource.
 */
import type * as pulumi from "@pulumi/pulumi";
import { decideClaim, decideWrite, ownIds } from "../shared/ownership";
import { withAdmin } from "./client";
import { adminConnection, dropIfOurs } from "./connection";
import {
  connectionProblems,
  identifierProblem,
  ownerFailures,
  passwordProblem,
  type PostgresConnectionInputs,
} from "./validate";

export interface PostgresRoleInputs extends PostgresConnectionInputs {
  name: string;
  password: string;
  owner: string;
  adopt?: boolean;
}

export interface PostgresRoleOutputs extends PostgresRoleInputs {
  adopted: boolean;
  canLogin: boolean;
}

export async function check(_olds: unknown, news: PostgresRoleInputs): Promise<pulumi.dynamic.CheckResult> {
  const failures = [
    ...connectionProblems(news),
    identifierProblem("name", news.name),
    passwordProblem(news.password),
    ...ownerFailures(news.owner),
  ].filter((f) => f !== undefined);
  return failures.length > 0 ? { failures } : { inputs: news };
}

export async function diff(
  _id: string,
  olds: PostgresRoleOutputs,
  news: PostgresRoleInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces = (["name", "host", "port"] as const).filter((k) => olds[k] !== news[k]);
  const changes =
    replaces.length > 0 ||
    olds.password !== news.password ||
    olds.owner !== news.owner ||
    olds.adminUser !== news.adminUser ||
    olds.passwordConfig !== news.passwordConfig ||
    olds.canLogin !== true;
  return { changes, replaces, deleteBeforeReplace: true };
}

export async function create(i: PostgresRoleInputs): Promise<pulumi.dynamic.CreateResult> {
  return withAdmin(adminConnection(i), async (admin) => {
    const claim = decideClaim(await admin.role(i.name), i.owner, i.adopt === true);
    if (claim.action === "refuse")
      throw new Error(`PostgreSQL role "${i.name}" on ${admin.where}: ${claim.reason}`);
    if (claim.action === "create") await admin.createRole(i.name, i.password);
    else await admin.setRolePassword(i.name, i.password);
    await admin.markRole(i.name, i.owner);
    const outs: PostgresRoleOutputs = { ...i, adopted: claim.action === "adopt", canLogin: true };
    return { id: `${i.host}:${i.port}/role/${i.name}`, outs };
  });
}

export async function read(id: string, props: PostgresRoleOutputs): Promise<pulumi.dynamic.ReadResult> {
  return withAdmin(adminConnection(props), async (admin) => {
    // A successful connection means the server answers: "no such role" is then really gone.
    const role = await admin.role(props.name);
    if (!role.exists) return { id: "", props: {} };
    return { id, props: { ...props, canLogin: role.canLogin === true } };
  });
}

export async function update(
  _id: string,
  olds: PostgresRoleOutputs,
  news: PostgresRoleInputs,
): Promise<pulumi.dynamic.UpdateResult> {
  return withAdmin(adminConnection(news), async (admin) => {
    const found = await admin.role(news.name);
    const decision = decideWrite(found, ownIds(news.owner, olds.owner));
    if (decision.action === "refuse")
      throw new Error(`PostgreSQL role "${news.name}" on ${admin.where}: ${decision.reason}`);
    if (found.exists) await admin.setRolePassword(news.name, news.password);
    else await admin.createRole(news.name, news.password);
    await admin.markRole(news.name, news.owner);
    return { outs: { ...news, adopted: olds.adopted, canLogin: true } };
  });
}

async function remove(_id: string, props: PostgresRoleOutputs): Promise<void> {
  await dropIfOurs(
    props,
    "role",
    (admin) => admin.role(props.name),
    (admin) => admin.dropRole(props.name),
  );
}
export { remove as delete };

export { configure } from "../shared/credentials";
