/**
 * Renders a replication job into host configuration: the job file, a systemd service + timer, and
 * the same as a NixOS module. Pure: text in, text out. The job runs on the source host (source
 * local, target over SSH with a key file that the host's secret management provides), so private
 * keys never appear in the rendered text.
 */
import { assertValidJobSpec, DEFAULT_RETENTION, type JobSpec } from "./jobSpec";
import type { RetentionPolicy } from "./zfsPlan";

export interface ScheduleSpec {
  /** Unit-name-safe job name, e.g. `nextcloud-data`. */
  readonly name: string;
  readonly sourceDataset: string;
  readonly target: {
    readonly dataset: string;
    readonly host: string;
    readonly port?: number;
    readonly user?: string;
    /** Path of the SSH key on the source host (never the key itself). */
    readonly privateKeyPath: string;
    /** Pinned host key line of the target (`ssh-ed25519 AAAA...`), or a known_hosts file on the source host. */
    readonly hostKey?: string;
    readonly knownHostsPath?: string;
    readonly trustOnFirstUse?: boolean;
  };
  /** systemd OnCalendar expression; default `hourly`. */
  readonly onCalendar?: string;
  readonly retention?: RetentionPolicy;
  readonly snapshotPrefix?: string;
  /** Command that runs the job CLI; default `sovereign-zfs-replicate`. */
  readonly command?: string;
}

export interface RenderedSchedule {
  readonly unitName: string;
  readonly configPath: string;
  /** The JobSpec the timer runs, as JSON (no secrets in it). */
  readonly jobConfig: string;
  readonly systemdService: string;
  readonly systemdTimer: string;
  readonly nixosModule: string;
}

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CALENDAR_RE = /^[A-Za-z0-9 ,:*/.~-]+$/;

export function scheduleJobSpec(spec: ScheduleSpec): JobSpec {
  return {
    action: "replicate",
    source: { dataset: spec.sourceDataset },
    target: {
      dataset: spec.target.dataset,
      ssh: {
        host: spec.target.host,
        port: spec.target.port,
        user: spec.target.user,
        privateKeyPath: spec.target.privateKeyPath,
        hostKey: spec.target.hostKey,
        knownHostsPath: spec.target.knownHostsPath,
        trustOnFirstUse: spec.target.trustOnFirstUse,
      },
    },
    snapshotPrefix: spec.snapshotPrefix,
    retention: spec.retention ?? DEFAULT_RETENTION,
  };
}

/** A Nix double-quoted string literal for any text (escapes `"`, `\`, `${` and control characters). */
export function nixString(text: string): string {
  return `"${text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\$\{/g, "\\${")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")}"`;
}

export function renderSchedule(spec: ScheduleSpec): RenderedSchedule {
  const errors: string[] = [];
  if (!NAME_RE.test(spec.name))
    errors.push(`name ${JSON.stringify(spec.name)} must be lowercase letters, digits and dashes`);
  const onCalendar = spec.onCalendar ?? "hourly";
  if (!CALENDAR_RE.test(onCalendar))
    errors.push(`onCalendar ${JSON.stringify(onCalendar)} is not a systemd calendar expression`);
  const command = spec.command ?? "sovereign-zfs-replicate";
  if (/\s/.test(command.trim()) || command.trim() === "") {
    errors.push(`command ${JSON.stringify(command)} must be one executable path without spaces`);
  }
  if (errors.length > 0)
    throw new Error(`invalid replication schedule; please fix:\n  - ${errors.join("\n  - ")}`);
  const job = scheduleJobSpec(spec);
  assertValidJobSpec(job, `replication schedule ${spec.name}`);

  const unitName = `sovereign-zfs-${spec.name}`;
  const configPath = `/etc/sovereign/zfs-${spec.name}.json`;
  const jobConfig = `${JSON.stringify(job, null, 2)}\n`;
  const description = `sovereign ZFS replication ${spec.sourceDataset} -> ${spec.target.host}:${spec.target.dataset}`;
  const execStart = `${command} --config ${configPath}`;
  const systemdService = [
    "[Unit]",
    `Description=${description}`,
    "Wants=network-online.target",
    "After=network-online.target zfs.target",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${execStart}`,
    "",
  ].join("\n");
  const systemdTimer = [
    "[Unit]",
    `Description=Schedule for ${unitName}`,
    "",
    "[Timer]",
    `OnCalendar=${onCalendar}`,
    "Persistent=true",
    "RandomizedDelaySec=60",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
  const nixosModule = [
    "{ ... }:",
    "{",
    `  environment.etc.${nixString(configPath.replace(/^\/etc\//, ""))}.text = ${nixString(jobConfig)};`,
    `  systemd.services.${nixString(unitName)} = {`,
    `    description = ${nixString(description)};`,
    `    wants = [ "network-online.target" ];`,
    `    after = [ "network-online.target" "zfs.target" ];`,
    `    serviceConfig.Type = "oneshot";`,
    `    serviceConfig.ExecStart = ${nixString(execStart)};`,
    "  };",
    `  systemd.timers.${nixString(unitName)} = {`,
    `    wantedBy = [ "timers.target" ];`,
    `    timerConfig.OnCalendar = ${nixString(onCalendar)};`,
    "    timerConfig.Persistent = true;",
    "    timerConfig.RandomizedDelaySec = 60;",
    "  };",
    "}",
    "",
  ].join("\n");
  return { unitName, configPath, jobConfig, systemdService, systemdTimer, nixosModule };
}
