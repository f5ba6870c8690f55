/**
 * PlainHost: a plain Linux machine (Debian family) described as data — packages, files, systemd
 * services — applied over SSH. For apps that do not run on NixOS, and for the local site.
 */
import * as pulumi from "@pulumi/pulumi";
import { resourceOwner as ownerId } from "../../providers/shared/resourceOwner";
import type { PlainFile, PlainProcess, PlainService } from "../../providers/hosts/plainHostProvider";
import { PlainHostState } from "../../providers/hosts/resources";
import type { SshTarget } from "./ssh";

export type { PlainFile, PlainProcess, PlainService };

/** Inputs of a {@link PlainHost}: a non-NixOS Linux host managed over SSH. */
export interface PlainHostArgs {
  /** The host's name (used in resource names and owner markers). */
  readonly hostName: string;
  /** How to reach it; the host key is required (pinned or known_hosts). */
  readonly target: pulumi.Input<SshTarget>;
  /** Pass a secret. */
  readonly privateKey?: pulumi.Input<string>;
  /** Distribution packages to install. */
  readonly packages?: string[];
  /** Files to write, with their owner and mode. */
  readonly files?: pulumi.Input<
    {
      /** The file's absolute path on the host. */
      path: pulumi.Input<string>;
      /** The file's text. */
      content: pulumi.Input<string>;
      /** Octal mode, e.g. "0644". */
      mode: pulumi.Input<string>;
      /** Owner as "user" or "user:group"; default "root". */
      owner?: pulumi.Input<string>;
    }[]
  >;
  /** Services (systemd units) to install and keep running. */
  readonly services?: PlainService[];
  /** Take over files or a host another stack (or a person) wrote. */
  readonly adopt?: boolean;
  /** When several PlainHosts configure one machine: this one's part (its own manifest and owner). */
  readonly part?: string;
}

/**
 * A plain Linux host (Debian and the like) managed over SSH: packages installed, files written
 * with owner and mode, services enabled and running. For hosts that do not run NixOS.
 *
 * @example
 * ```ts
 * const mail = new PlainHost("mail1", {
 *   hostName: "mail1.coop.example",
 *   target: { host: "192.0.2.20", user: "root" },
 *   privateKey: config.requireSecret("sshKey"),
 *   packages: ["postfix"],
 *   files: [{ path: "/etc/mailname", content: "coop.example\n", mode: "0644" }],
 * });
 * ```
 */
export class PlainHost extends pulumi.ComponentResource {
  /** What the host's provider last applied (packages, files, services), as recorded in state. */
  readonly state: PlainHostState;
  /** path → sha256 of each file as applied. */
  readonly fileHashes: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PlainHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:hosts:PlainHost", name, {}, opts);
    this.state = new PlainHostState(
      `${name}-state`,
      {
        hostName: args.hostName,
        target: args.target,
        privateKey: args.privateKey,
        owner: ownerId(`${name}-state`),
        packages: args.packages,
        files: args.files,
        services: args.services,
        adopt: args.adopt,
        part: args.part,
      },
      { parent: this },
    );
    this.fileHashes = this.state.fileHashes;
    this.registerOutputs({ fileHashes: this.fileHashes });
  }
}
