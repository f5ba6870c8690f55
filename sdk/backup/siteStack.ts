/**
 * A site stack as backup and restore see it: its config file (secrets encrypted), its state as
 * `pulumi stack export` writes it (secrets encrypted), and what its Migration resource says about
 * where its data lives (site name, serving datacenter, datacenters, state items, app control,
 * DNS zone), with the credentials from its decrypted config.
 */
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { Stack, type LocalWorkspace } from "@pulumi/pulumi/automation";
import type { MigrationOutputs } from "../../providers/migration/migrationProvider";
import { SiteData } from "../migration/siteData";
import { DATACENTER_SECRETS_CONFIG, type DatacenterSecrets } from "../migration/sides";

/** The stacks of one Pulumi project (a LocalWorkspace: the repo's, or a test's inline program). */
export class SiteStacks {
  constructor(readonly workspace: LocalWorkspace) {}

  async names(): Promise<string[]> {
    return (await this.workspace.listStacks()).map((s) => s.name);
  }

  async exists(name: string): Promise<boolean> {
    return (await this.names()).includes(name);
  }

  /** The stack, or a clear error listing the stacks there are. */
  async open(name: string): Promise<Stack> {
    const names = await this.names();
    if (!names.includes(name))
      throw new Error(`no stack named "${name}" (stacks here: ${names.join(", ") || "none"})`);
    return Stack.select(name, this.workspace);
  }

  create(name: string): Promise<Stack> {
    return Stack.create(name, this.workspace);
  }

  async configFile(name: string): Promise<string> {
    const settings = (await this.workspace.projectSettings()) as { stackConfigDir?: string };
    return path.join(this.workspace.workDir, settings.stackConfigDir ?? "", `Pulumi.${name}.yaml`);
  }

  async projectName(): Promise<string> {
    return (await this.workspace.projectSettings()).name;
  }

  /** `pulumi stack export` into a file, as a user runs it: secrets stay encrypted. */
  async exportTo(name: string, file: string): Promise<void> {
    await promisify(execFile)(
      this.workspace.pulumiCommand.command,
      ["stack", "export", "--stack", name, "--file", file],
      { cwd: this.workspace.workDir, env: { ...process.env, ...this.workspace.envVars } },
    );
  }
}

/** The stack's Migration resource outputs: where its data is. */
export async function siteLocation(stack: Stack): Promise<MigrationOutputs> {
  const deployment = (await stack.exportStack()).deployment as {
    resources?: { type: string; outputs?: MigrationOutputs }[];
  };
  const found = deployment.resources?.find((r) => r.type.endsWith(":Migration") && r.outputs?.servingAt);
  if (!found?.outputs)
    throw new Error(
      `stack ${stack.name} has no deployed Migration resource: a site's data is found through it (declare sovereign Migration and run up first)`,
    );
  return found.outputs;
}

/** The stack's decrypted config value (a credential), or a clear error naming the key. */
export async function configSecret(stack: Stack, key: string, what: string): Promise<string> {
  const all = await stack.getAllConfig();
  const value = all[key]?.value;
  if (!value)
    throw new Error(
      `stack ${stack.name} has no config ${key} (${what}); set it with pulumi config set --secret`,
    );
  return value;
}

/** The site's data at its serving datacenter, reached with the stack's credentials. */
export async function siteDataOf(stack: Stack, where: MigrationOutputs): Promise<SiteData> {
  const all = JSON.parse(
    await configSecret(stack, DATACENTER_SECRETS_CONFIG, "the datacenters' credentials"),
  ) as Record<string, DatacenterSecrets>;
  const secrets = all[where.servingAt];
  if (!secrets)
    throw new Error(
      `the stack config ${DATACENTER_SECRETS_CONFIG} has no entry for datacenter "${where.servingAt}"`,
    );
  return new SiteData(where.site, where.datacenters[where.servingAt], secrets);
}

export const dnsKeyConfig = (where: MigrationOutputs): string =>
  where.dns.apiKeyConfig ?? "sovereign:powerdnsApiKey";
