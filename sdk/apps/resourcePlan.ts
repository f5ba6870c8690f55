/**
 * What one app instance gets from the site's shared services, decided from its catalog entry and
 * state declarations: a PostgreSQL role and database per database it keeps, a Garage bucket per
 * bucket, and an SMTP sender account when it sends mail. Pure; AppService makes the resources.
 */
import type { StateDeclaration } from "./deployment";
import type { AppDefinition } from "./types";

/** A PostgreSQL database an app instance needs, with the role that owns it. */
export interface DatabasePlan {
  /** Database name, also the name of the role that owns it and logs in to it. */
  readonly name: string;
  /** The owning role's name (equal to the database name). */
  readonly role: string;
  /** Collation and ctype, when the app requires one. */
  readonly locale?: string;
}

/** The SMTP sender account an app instance needs when it sends mail. */
export interface SmtpAccountPlan {
  /** The sender's mailbox in the mail domain ("matrix-noreply"): what a MailDomain lists. */
  readonly localPart: string;
  /** The SMTP (SASL) user name and the envelope sender: "matrix-noreply@coop.example". */
  readonly username: string;
}

/** What an app instance gets from the site's shared services (databases, buckets, SMTP sender). */
export interface AppResourcePlan {
  /** The PostgreSQL databases (with their roles) to create for it. */
  readonly databases: readonly DatabasePlan[];
  /** Bucket names (the state declarations' names, "<instance>-<suffix>"). */
  readonly buckets: readonly string[];
  /** The sender account, for apps that send mail. */
  readonly smtp?: SmtpAccountPlan;
}

/** Apps only send: their sender mailbox needs little room (bounces, replies to no-reply). */
export const SENDER_QUOTA = "64M";

/** The local part of an app instance's sender account. */
export const senderLocalPart = (instance: string): string => `${instance}-noreply`;

/**
 * The shared-service resources an app instance needs, from its catalog entry and state declarations.
 * Pure.
 */
export function planAppResources(
  def: AppDefinition,
  instance: string,
  state: readonly StateDeclaration[],
  mailDomain?: string,
): AppResourcePlan {
  const databases = state
    .filter((s) => s.kind === "database" && s.engine === "postgresql")
    .map((s): DatabasePlan => ({ name: s.name, role: s.name, ...(s.locale ? { locale: s.locale } : {}) }));
  const buckets = state.filter((s) => s.kind === "bucket").map((s) => s.name);
  const sends = def.dependencies.includes("smtp");
  const localPart = senderLocalPart(instance);
  return {
    databases,
    buckets,
    ...(sends && mailDomain ? { smtp: { localPart, username: `${localPart}@${mailDomain}` } } : {}),
  };
}

/**
 * The sender mailboxes a site's MailDomain must list for its apps (pass them in `mailboxes`, beside
 * the people's): one per app instance that sends mail. The quota is small: apps only send.
 */
export function appSenderMailboxes(apps: readonly { instance: string; definition: AppDefinition }[]): {
  /** The sender mailbox's full address. */
  address: string;
  /** The mailbox quota, e.g. "64M". */
  quota: string;
}[] {
  return apps
    .filter((a) => a.definition.dependencies.includes("smtp"))
    .map((a) => ({ address: senderLocalPart(a.instance), quota: SENDER_QUOTA }));
}
