/**
 * Renders a replication job into host configuration: the job file, a systemd service + timer, and
 * the same as a NixOS module. Pure: text in, text out. The job runs on the source host (source
 * local, target over SSH with a key file that the host's secret management provides), so private
 * keys never appear in the rendered text.
 */
import { assertValidJobSpec, DEFAULT_RETENTION, type JobSpec } from "./jobSpec";
import type { RetentionPolicy } from "./zfsPlan";

/** A periodic replication job, run by a systemd timer on the source host. */
export interface ScheduleSpec {
  /** Unit-name-safe job name, e.g. `nextcloud-data`. */
  readonly name: string;
  /** The dataset replicated, on the source host. */
  readonly sourceDataset: string;
  /** Where it goes. */
  readonly target: {
    /** The target dataset. */
    readonly dataset: string;
    /** The target host's name or address. */
    readonly host: string;
    /** The target's SSH port; default 22. */
    readonly port?: number;
    /** The user to log in as on the target; default "root". */
    readonly user?: string;
    /** Path of the SSH key on the source host (never the key itself). */
    readonly privateKeyPath: string;
    /** Pinned host key line of the target (`ssh-ed25519 AAAA...`), or a known_hosts file on the source host. */
    readonly hostKey?: string;
    /** A known_hosts file on the source host that pins the target's key. */
    readonly knownHostsPath?: string;
    /** Accept the target's first key (unsafe). */
    readonly trustOnFirstUse?: boolean;
  };
  /** systemd OnCalendar expression; default `hourly`. */
  readonly onCalendar?: string;
  /** Snapshots kept on both sides; default {@link DEFAULT_RETENTION}. */
  readonly retention?: RetentionPolicy;
  /** Prefix of the snapshots the job takes and prunes. */
  readonly snapshotPrefix?: string;
  /** Command that runs the job CLI; default `sovereign-zfs-replicate`. */
  readonly command?: string;
}

/** The files that schedule a replication job on its host. */
export interface RenderedSchedule {
  /** The systemd unit's name, "sovereign-zfs-<job name>". */
  readonly unitName: string;
  /** Where the job's JSON spec is written on the host, "/etc/sovereign/zfs-<job name>.json". */
  readonly configPath: string;
  /** The JobSpec the timer runs, as JSON (no secrets in it). */
  readonly jobConfig: string;
  /** The systemd service unit's text. */
  readonly systemdService: string;
  /** The systemd timer unit's text. */
  readonly systemdTimer: string;
  /** The same as a NixOS module, for NixOS hosts. */
  readonly nixosModule: string;
}

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CALENDAR_RE = /^[A-Za-z0-9 ,:*/.~-]+$/;

/** The job spec a scheduled run executes (action "replicate", with the schedule's retention). Pure. */
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

/** A systemd timer unit that starts its service on `onCalendar`, catching up missed runs. */
export function systemdTimerUnit(description: string, onCalendar: string): string {
  return [
    "[Unit]",
    `Description=${description}`,
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
}

/**
 * The systemd units (and the NixOS module) that run the job on its schedule. Pure; throws on an invalid
 * spec.
 */
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
  const systemdTimer = systemdTimerUnit(`Schedule for ${unitName}`, onCalendar);
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
