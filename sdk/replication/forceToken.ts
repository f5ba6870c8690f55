/**
 * `force` as a one-run token: a run forces (rolls back or replaces a diverged target) only when
 * it carries a token that the target host has not seen yet, and the token is recorded there after
 * the run. The same token on a later run (the next `pulumi up`, a rerun with a new runId) is not
 * forced again, so one decision to overwrite a target never silently overwrites it a second time.
 * The record lives on the target host (not in Pulumi state), so the component's runners and the
 * CLI all honour it.
 */
import { createHash } from "crypto";
import type { ZfsEndpoint } from "./zfsRunner";

const TOKEN_DIR = "/var/lib/sovereign/zfs-force-tokens";

function tokenFile(dataset: string): string {
  return `${TOKEN_DIR}/${createHash("sha256").update(dataset).digest("hex").slice(0, 16)}`;
}

/** The last token a run into `target` used, if any. */
export async function usedForceToken(target: ZfsEndpoint): Promise<string | undefined> {
  const result = await target.executor.run(["cat", tokenFile(target.dataset)], { allowFailure: true });
  return result.code === 0 ? result.stdout.trim() || undefined : undefined;
}

/** Whether a run with `token` may force: a token given and not used before on this target. */
export async function forceAllowed(target: ZfsEndpoint, token: string | undefined): Promise<boolean> {
  return token !== undefined && (await usedForceToken(target)) !== token;
}

/** Records the token as used (after the run that carried it). */
export async function recordForceToken(target: ZfsEndpoint, token: string): Promise<void> {
  await target.executor.run([
    "sh",
    "-c",
    'mkdir -p "$1" && printf "%s\\n" "$2" > "$3"',
    "sh",
    TOKEN_DIR,
    token,
    tokenFile(target.dataset),
  ]);
}
