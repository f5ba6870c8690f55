/**
 * The resources an app instance gets from the site's shared services (planAppResources decides):
 * its PostgreSQL roles and databases (passwords generated once, kept as secrets), its Garage
 * buckets (each with its own key) and its SMTP sender credentials.
 */
import * as pulumi from "@pulumi/pulumi";
import { PostgresDatabase, PostgresRole, type PostgresConnectionArgs } from "../../providers/postgresql";
import type { SecretGenerator } from "../secrets/generator";
import { GarageBucket, type GarageConnection } from "../storage/garageBucket";
import { SENDER_QUOTA, type AppResourcePlan } from "./resourcePlan";

/** What an app's config needs to reach one of its databases (the password is a secret). */
export interface AppDatabase {
  /** The database's name (also the role that owns it). */
  readonly name: string;
  /** The PostgreSQL role the app logs in as. */
  readonly user: string;
  /** The role's generated password (a secret output; never in plain text in state). */
  readonly password: pulumi.Output<string>;
  /** Host name or address of the PostgreSQL server the app connects to. */
  readonly host: pulumi.Input<string>;
  /** TCP port of the PostgreSQL server (usually 5432). */
  readonly port: pulumi.Input<number>;
  /** The role resource, for dependencies and `dependsOn`. */
  readonly role: PostgresRole;
  /** The database resource, for dependencies and `dependsOn`. */
  readonly database: PostgresDatabase;
}

/** The site's mail submission service, for apps that send mail. */
export interface AppSmtpArgs {
  /** Submission host, e.g. "mail.coop.example". */
  host: pulumi.Input<string>;
  /** Default 587 (submission with STARTTLS). */
  port?: pulumi.Input<number>;
  /** The mail domain the app sends from (a MailDomain's `domain`), e.g. "coop.example". */
  domain: string;
}

/** What an app's config needs to send mail: SASL user name and password (secret), envelope sender. */
export interface AppSmtp {
  /** Host name or address of the SMTP submission server. */
  readonly host: pulumi.Input<string>;
  /** TCP port of the SMTP submission server (587 with STARTTLS, or 465). */
  readonly port: pulumi.Input<number>;
  /** SMTP (SASL) user name: the sender's full address, e.g. "matrix-noreply@coop.example". */
  readonly username: string;
  /** The sender account's generated password (a secret output). */
  readonly password: pulumi.Output<string>;
  /** The envelope and header sender address the app sends as. */
  readonly from: string;
  /** The sender's mailbox, as a MailDomain's `mailboxes` takes it (see appSenderMailboxes). */
  readonly mailbox: {
    /** The sender mailbox's full address. */
    address: string;
    /** The mailbox quota, e.g. "64M". */
    quota: string;
  };
}

export interface AppResourceArgs {
  postgres?: PostgresConnectionArgs;
  garage?: GarageConnection;
  smtp?: AppSmtpArgs;
  secrets: SecretGenerator;
  /** Databases and buckets are protected unless false. */
  protect: boolean;
}

export interface AppResources {
  readonly databases: Readonly<Record<string, AppDatabase>>;
  readonly buckets: Readonly<Record<string, GarageBucket>>;
  readonly smtp?: AppSmtp;
}

export function declareAppResources(
  instance: string,
  plan: AppResourcePlan,
  args: AppResourceArgs,
  parent: pulumi.Resource,
): AppResources {
  const child = { parent };
  const databases: Record<string, AppDatabase> = {};
  const postgres = args.postgres;
  if (postgres) {
    for (const db of plan.databases) {
      const password = args.secrets.random(`${instance}-db-${db.name}-password`, child);
      const role = new PostgresRole(
        `${instance}-db-${db.name}-role`,
        { connection: postgres, name: db.role, password },
        child,
      );
      const database = new PostgresDatabase(
        `${instance}-db-${db.name}`,
        {
          connection: postgres,
          name: db.name,
          ownerRole: role.name,
          ...(db.locale ? { lcCollate: db.locale, lcCtype: db.locale } : {}),
        },
        { ...child, protect: args.protect },
      );
      databases[db.name] = {
        name: db.name,
        user: db.role,
        password,
        host: postgres.host,
        port: postgres.port,
        role,
        database,
      };
    }
  }
  const buckets: Record<string, GarageBucket> = {};
  if (args.garage) {
    for (const bucket of plan.buckets) {
      buckets[bucket] = new GarageBucket(
        `${instance}-bucket-${bucket}`,
        { garage: args.garage, name: bucket, protect: args.protect },
        child,
      );
    }
  }
  let smtp: AppSmtp | undefined;
  if (args.smtp && plan.smtp) {
    smtp = {
      host: args.smtp.host,
      port: args.smtp.port ?? 587,
      username: plan.smtp.username,
      password: args.secrets.random(`${instance}-smtp-password`, child),
      from: plan.smtp.username,
      mailbox: { address: plan.smtp.localPart, quota: SENDER_QUOTA },
    };
  }
  return { databases, buckets, ...(smtp ? { smtp } : {}) };
}
