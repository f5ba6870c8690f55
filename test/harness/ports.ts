import * as dgram from "dgram";
import * as net from "net";

/** Ports handed out by this process, so that two services started together never get the same one. */
const handedOut = new Set<number>();

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: "127.0.0.1", port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

function ephemeralTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("could not read the port the OS chose"))));
    });
  });
}

/** Whether nothing listens on 127.0.0.1:port (TCP and, with `udp`, UDP too). */
export async function isPortFree(port: number, udp = false): Promise<boolean> {
  return (await tcpPortFree(port)) && (!udp || (await udpPortFree(port)));
}

/**
 * A port on 127.0.0.1 that is free right now (TCP, and with `udp` UDP as well, as DNS needs both).
 * There is a window between this check and the service binding it; services fail fast with their
 * log when they lose that race.
 */
export async function freePort(udp = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await ephemeralTcpPort();
    if (handedOut.has(port)) continue;
    if (udp && !(await udpPortFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("no free port found on 127.0.0.1 after 50 attempts");
}
