import * as fs from "fs";

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** Looks an OS user up in /etc/passwd; undefined when there is none. */
export function findOsUser(name: string): OsUser | undefined {
  for (const line of fs.readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [userName, , uid, gid] = line.split(":");
    if (userName === name) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * The unprivileged user to run a server as: as root, the named system user (servers such as
 * PostgreSQL refuse root); otherwise the current user.
 */
export function unprivilegedUser(name: string): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = findOsUser(name);
  if (!user)
    throw new Error(`running as root needs an OS user "${name}" to run the server: run scripts/services.sh`);
  return user;
}

/** Gives a tree to the user (recursively), so that the server can write its own dir. */
export function chownTree(target: string, user: OsUser | undefined): void {
  if (!user) return;
  fs.chownSync(target, user.uid, user.gid);
  if (!fs.statSync(target).isDirectory()) return;
  for (const entry of fs.readdirSync(target)) chownTree(`${target}/${entry}`, user);
}
