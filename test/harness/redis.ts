import * as net from "net";
import * as path from "path";
import { waitUntilHealthy } from "./health";
import { idempotent, startOrClean, stopAndRemove } from "./lifecycle";
import { chownTree, unprivilegedUser } from "./osuser";
import { retryOnPortClash } from "./port-clash";
import { freePort } from "./ports";
import { randomSecret } from "./secrets";
import { spawnDetached } from "./spawn";
import { makeServiceDir } from "./tempdir";
import type { RedisService } from "./types";

export interface RedisOptions {
  timeoutMs?: number;
}

/** Sends AUTH + PING over a plain socket and resolves true on "+OK" "+PONG". */
function pingRedis(port: number, password: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let answer = "";
    socket.setTimeout(2_000, () => socket.destroy(new Error("no answer to PING within 2 s")));
    socket.on("connect", () => socket.write(`AUTH ${password}\r\nPING\r\n`));
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
      if (answer.includes("\r\n", answer.indexOf("\r\n") + 2)) {
        socket.end();
        if (answer === "+OK\r\n+PONG\r\n") resolve(true);
        else reject(new Error(`Redis answered ${JSON.stringify(answer)}`));
      }
    });
    socket.on("error", reject);
  });
}

/** Starts redis-server (no persistence, a random password) on 127.0.0.1:<free port>. */
export function startRedis(options: RedisOptions = {}): Promise<RedisService> {
  return retryOnPortClash(() => startRedisOnce(options));
}

async function startRedisOnce(options: RedisOptions): Promise<RedisService> {
  const osUser = unprivilegedUser("redis");
  const dir = makeServiceDir("redis");
  const logFile = path.join(dir, "redis.log");
  const pids: number[] = [];
  const stop = idempotent(() => stopAndRemove({ pids, dir }));

  return startOrClean(async () => {
    chownTree(dir, osUser);
    const password = randomSecret();
    const port = await freePort();
    const server = spawnDetached({
      command: "redis-server",
      // The password on the command line is visible in ps to local users: this is a throwaway
      // server on loopback, started for one test run.
      args: [
        "--bind",
        "127.0.0.1",
        "--port",
        String(port),
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
      ].concat(["--requirepass", password, "--daemonize", "no"]),
      cwd: dir,
      logFile,
      uid: osUser?.uid,
      gid: osUser?.gid,
    });
    pids.push(server.pid);
    await waitUntilHealthy({
      what: `Redis on 127.0.0.1:${port}`,
      logFile,
      exited: server.exitDescription,
      timeoutMs: options.timeoutMs,
      check: () => pingRedis(port, password),
    });
    const service: RedisService = {
      name: "redis",
      dir,
      logFile,
      pids,
      host: "127.0.0.1",
      port,
      password,
      stop,
    };
    return service;
  }, stop);
}
