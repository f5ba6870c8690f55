/**
 * The sites (stacks) of one Pulumi project, through the Automation API: their config and outputs,
 * previews and updates of a proposed site config, and the update history. A proposal is written
 * to a copy of the stack's config file and passed with `--config-file`; the stack's own file is
 * replaced by it only once an update with it has succeeded.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  ConcurrentUpdateError,
  LocalWorkspace,
  type EngineEvent,
  type PulumiCommand,
  type Stack,
} from "@pulumi/pulumi/automation";
import { parse, parseDocument } from "yaml";
import { PanelError } from "./errors";
import { engineRejections, plannedChanges, type ResourceChange } from "./engineEvents";
import { configView, outputsView } from "./siteView";

/** Where the sites live and how the engine is run. */
export interface SitesOptions {
  /** The Pulumi project's directory (Pulumi.yaml; stack files in its stackConfigDir). */
  readonly workDir: string;
  /** Environment of every engine run: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, ... */
  readonly envVars: Record<string, string>;
  /** The CLI to run (default: `pulumi` on PATH). */
  readonly pulumiCommand?: PulumiCommand;
}

/** A site as the panel lists it. */
export interface SiteSummary {
  /** The site's (stack's) name. */
  readonly name: string;
  /** Its stack config, key to value (secrets shown as "[secret]", objects parsed). */
  readonly config: Record<string, unknown>;
  /** Its stack outputs (secret outputs shown as "[secret]"). */
  readonly outputs: Record<string, unknown>;
}

/** What a preview of a proposal would change. */
export interface PreviewResult {
  /** Operation (create, update, delete, same, ...) to the number of resources. */
  readonly changeSummary: Record<string, number>;
  /** Every resource that would change, in the engine's order. */
  readonly resources: readonly ResourceChange[];
}

/** One entry of a site's update history. */
export interface HistoryEntry {
  /** The update's number in the stack's history (1 is the first). */
  readonly version: number;
  /** What ran: "update", "preview", "refresh", "destroy", ... */
  readonly kind: string;
  /** "succeeded", "failed" or "in-progress". */
  readonly result: string;
  /** When it started (ISO 8601). */
  readonly startTime: string;
  /** When it ended (ISO 8601), once it has. */
  readonly endTime?: string;
  /** Operation (create, update, delete, same, ...) to the number of resources. */
  readonly resourceChanges: Record<string, number>;
}

/** The site config key in a stack's config. */
export const SITE_CONFIG_KEY = "sovereign:site";

/** Access to one project's sites. */
export class Sites {
  constructor(private readonly options: SitesOptions) {}

  private workspace(): Promise<LocalWorkspace> {
    return LocalWorkspace.create({
      workDir: this.options.workDir,
      envVars: this.options.envVars,
      ...(this.options.pulumiCommand ? { pulumiCommand: this.options.pulumiCommand } : {}),
    });
  }

  /** The names of the project's stacks. */
  async names(): Promise<string[]> {
    const stacks = await (await this.workspace()).listStacks();
    return stacks.map((s) => s.name.slice(s.name.lastIndexOf("/") + 1)).sort();
  }

  /** The stack of a site; a 404 PanelError when there is none. */
  async stack(name: string): Promise<Stack> {
    if (!(await this.names()).includes(name))
      throw new PanelError(404, "unknown_site", `there is no site "${name}"; GET /api/sites lists them`);
    return LocalWorkspace.selectStack(
      { stackName: name, workDir: this.options.workDir },
      {
        envVars: this.options.envVars,
        ...(this.options.pulumiCommand ? { pulumiCommand: this.options.pulumiCommand } : {}),
      },
    );
  }

  /** A site's config (secrets hidden) and outputs (secret outputs hidden). */
  async summary(name: string): Promise<SiteSummary> {
    const stack = await this.stack(name);
    const [config, outputs] = await Promise.all([stack.getAllConfig(), stack.outputs()]);
    return { name, config: configView(config), outputs: outputsView(outputs) };
  }

  /** A config value with secrets decrypted, for the panel's own use (never for a response). */
  async secretConfig(name: string, key: string): Promise<string | undefined> {
    const config = await (await this.stack(name)).getAllConfig();
    return config[key]?.value;
  }

  /** The site config (`sovereign:site`) as the stack holds it. */
  async siteConfig(name: string): Promise<unknown> {
    const value = (await (await this.stack(name)).getAllConfig())[SITE_CONFIG_KEY]?.value;
    return value === undefined ? undefined : (JSON.parse(value) as unknown);
  }

  private async stackFile(name: string): Promise<string> {
    // The Automation API's ProjectSettings type lacks stackConfigDir: read it from Pulumi.yaml.
    const project = parse(fs.readFileSync(path.join(this.options.workDir, "Pulumi.yaml"), "utf8")) as {
      stackConfigDir?: string;
    };
    return path.join(this.options.workDir, project.stackConfigDir ?? "", `Pulumi.${name}.yaml`);
  }

  /** Runs `fn` with a copy of the stack's config file in which `sovereign:site` is `site`. */
  private async withProposal<T>(
    name: string,
    site: unknown,
    fn: (configFile: string) => Promise<T>,
  ): Promise<T> {
    const file = await this.stackFile(name);
    const doc = parseDocument(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "config: {}\n");
    doc.setIn(["config", SITE_CONFIG_KEY], site);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-panel-"));
    const proposal = path.join(dir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(proposal, doc.toString(), { mode: 0o600 });
    try {
      return await fn(proposal);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** What an update with `site` as the site config would change. */
  async preview(name: string, site: unknown): Promise<PreviewResult> {
    const stack = await this.stack(name);
    return this.withProposal(name, site, async (configFile) => {
      const events: EngineEvent[] = [];
      const result = await engineCall(name, () =>
        stack.preview({ color: "never", configFile, onEvent: (e) => events.push(e) }),
      ).catch((e: unknown) => {
        if (e instanceof PanelError) throw e;
        // The engine refused the proposal (a provider's check, the site program): its own words.
        const errors = engineRejections(events);
        if (errors.length === 0) throw e;
        throw new PanelError(
          422,
          "preview_failed",
          `the engine refused the proposed config at preview: ${errors[0].key}: ${errors[0].message}`,
          { errors },
        );
      });
      return { changeSummary: { ...result.changeSummary }, resources: plannedChanges(events) };
    });
  }

  /**
   * Updates the site with `site` as its site config, passing every engine event to `onEvent`; on
   * success the stack's config file takes the proposal.
   */
  async apply(
    name: string,
    site: unknown,
    onEvent: (e: EngineEvent) => void,
  ): Promise<{
    /** The update's result, "succeeded" (a failed update throws). */
    result: string;
    /** Operation (create, update, delete, same, ...) to the number of resources. */
    resourceChanges: Record<string, number>;
    /** The stack's outputs after the update (secret outputs shown as "[secret]"). */
    outputs: Record<string, unknown>;
  }> {
    const stack = await this.stack(name);
    const file = await this.stackFile(name);
    return this.withProposal(name, site, async (configFile) => {
      const up = await engineCall(name, () => stack.up({ color: "never", configFile, onEvent }));
      fs.copyFileSync(configFile, `${file}.panel-tmp`);
      fs.renameSync(`${file}.panel-tmp`, file);
      return {
        result: up.summary.result,
        resourceChanges: { ...(up.summary.resourceChanges ?? {}) },
        outputs: outputsView(up.outputs),
      };
    });
  }

  /** The site's updates, newest first. */
  async history(name: string): Promise<HistoryEntry[]> {
    const updates = await (await this.stack(name)).history();
    return updates.map((u) => ({
      version: u.version,
      kind: u.kind,
      result: u.result,
      startTime: new Date(u.startTime).toISOString(),
      ...(u.endTime ? { endTime: new Date(u.endTime).toISOString() } : {}),
      resourceChanges: { ...(u.resourceChanges ?? {}) },
    }));
  }
}

/** An engine call whose "stack is locked" refusal becomes a 409 that says so. */
async function engineCall<T>(site: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ConcurrentUpdateError) {
      const line = /the stack is currently locked[^\n]*|Another update is currently in progress[^\n]*/.exec(
        e.message,
      );
      throw new PanelError(
        409,
        "engine_locked",
        `the Pulumi engine holds a lock on site "${site}" (an update outside the panel is running, or one was interrupted): ${line?.[0] ?? "the stack is locked"}. Wait for it, or run \`pulumi cancel\` if it was interrupted.`,
        { heldBy: { user: "pulumi engine", operation: "update", since: null } },
      );
    }
    throw e;
  }
}
