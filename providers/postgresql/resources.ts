/**
 * The PostgreSQL resources: a login role and a database. The admin password is NOT an input: it
 * comes from the stack config (`pulumi config set --secret sovereign:postgresAdminPassword ...`, or
 * the key named by `passwordConfig`) through the provider's `configure`. A role's own password is
 * a secret input and output (encrypted in the state). Databases are protected unless the caller
 * passes `protect: false`.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier } from "../shared/moduleLocation";
import { resourceOwner } from "../shared/resourceOwner";
import { withSecretOutputs } from "../shared/secretOutputs";

const roleProvider = providerAt(providerSpecifier("postgresql/roleProvider"));
const databaseProvider = providerAt(providerSpecifier("postgresql/databaseProvider"));

/** Where the server is and who administers it (the password: stack config, see above). */
export interface PostgresConnectionArgs {
  host: pulumi.Input<string>;
  port: pulumi.Input<number>;
  adminUser: pulumi.Input<string>;
  /** The stack config key of adminUser's password; default "sovereign:postgresAdminPassword". */
  passwordConfig?: pulumi.Input<string>;
}

interface OwnedArgs {
  /** Take over an object of this name that another stack (or no one) made. */
  adopt?: pulumi.Input<boolean>;
  /** Default "<project>/<stack>/<resource name>"; set only to keep ownership across a rename. */
  owner?: pulumi.Input<string>;
}

export interface PostgresRoleArgs extends OwnedArgs {
  connection: PostgresConnectionArgs;
  name: pulumi.Input<string>;
  /** At least 16 characters; pass a generated secret. */
  password: pulumi.Input<string>;
}

export class PostgresRole extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly canLogin: pulumi.Output<boolean>;
  declare readonly adopted: pulumi.Output<boolean>;
  constructor(name: string, args: PostgresRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      roleProvider,
      name,
      {
        ...args.connection,
        name: args.name,
        password: pulumi.secret(args.password),
        owner: args.owner ?? resourceOwner(name),
        adopt: args.adopt,
        canLogin: undefined,
        adopted: undefined,
      },
      withSecretOutputs(opts, ["password"]),
      "sovereign/postgresql",
      "PostgresRole",
    );
  }
}

export interface PostgresDatabaseArgs extends OwnedArgs {
  connection: PostgresConnectionArgs;
  name: pulumi.Input<string>;
  /** The role that owns the database (e.g. a PostgresRole's `name`). */
  ownerRole: pulumi.Input<string>;
  /** Default "UTF8" for a new database; fixed at creation (a change replaces it). */
  encoding?: pulumi.Input<string>;
  lcCollate?: pulumi.Input<string>;
  lcCtype?: pulumi.Input<string>;
}

export class PostgresDatabase extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly actualOwnerRole: pulumi.Output<string>;
  declare readonly actualEncoding: pulumi.Output<string>;
  declare readonly actualLcCollate: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean>;
  constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      databaseProvider,
      name,
      {
        ...args.connection,
        name: args.name,
        ownerRole: args.ownerRole,
        encoding: args.encoding,
        lcCollate: args.lcCollate,
        lcCtype: args.lcCtype,
        owner: args.owner ?? resourceOwner(name),
        adopt: args.adopt,
        adopted: undefined,
        actualOwnerRole: undefined,
        actualEncoding: undefined,
        actualLcCollate: undefined,
        actualLcCtype: undefined,
      },
      // A database holds an app's data: protected unless the caller says otherwise.
      { ...opts, protect: opts?.protect ?? true },
      "sovereign/postgresql",
      "PostgresDatabase",
    );
  }
}
