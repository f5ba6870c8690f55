/**
 * Runs a migration's hook steps (hooks.ts decides where they go and what they read): each on its
 * datacenter's site host over SSH, with its JSON document on stdin. A non-zero exit fails the step
 * with the hook's own output (secret values masked), so the executor stops the run there.
 */
import { CommandError } from "../replication/executor";
import { hookDocument, hookSide, hookStepId, maskSecrets, type MigrationHook } from "./hooks";
import type { MigrationItem, MigrationPlan } from "./plan";
import type { SiteData } from "./siteData";

export interface HookRunnerArgs {
  readonly site: string;
  readonly plan: Pick<MigrationPlan, "source" | "target">;
  readonly hooks: readonly MigrationHook[];
  readonly items: readonly MigrationItem[];
  readonly dns: { readonly zone: string; readonly names: readonly string[] };
  readonly outputs?: Record<string, unknown>;
  readonly source: SiteData;
  readonly target: SiteData;
  /** The value of a stack config key a hook named in `secrets`. */
  readonly secret: (configKey: string) => string;
}

export function hookRunner(args: HookRunnerArgs): (stepId: string) => Promise<string> {
  return async (stepId) => {
    const hook = args.hooks.find((h) => hookStepId(h) === stepId);
    if (!hook) throw new Error(`step ${stepId} names a hook the site no longer declares`);
    const secrets = Object.fromEntries((hook.secrets ?? []).map((key) => [key, args.secret(key)] as const));
    const document = hookDocument({
      site: args.site,
      hook,
      plan: args.plan,
      source: args.source.side,
      target: args.target.side,
      items: args.items,
      dns: args.dns,
      outputs: args.outputs,
      secrets,
    });
    const host = hookSide(hook) === "source" ? args.source : args.target;
    try {
      const result = await host.runOnHost(hook.run, JSON.stringify(document));
      const said = maskSecrets(result.stdout.trim().split("\n").pop() ?? "", secrets);
      return `hook ${hook.name} ran at ${host.side.name}${said ? `: ${said.slice(0, 200)}` : ""}`;
    } catch (error) {
      const output =
        error instanceof CommandError
          ? `exited with ${error.result.code}: ${error.result.stderr.trim() || error.result.stdout.trim()}`
          : (error as Error).message;
      // Masked whole first, then shortened (a cut could split a secret and leave part of it).
      const masked = maskSecrets(output, secrets);
      const detail = masked.length > 700 ? `${masked.slice(0, 300)} [...] ${masked.slice(-400)}` : masked;
      throw new Error(`hook ${hook.name} (${hook.at}) at ${host.side.name} ${detail}`);
    }
  };
}
