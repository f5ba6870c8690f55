import type { AppDefinition } from "../types";
import { rsyncDirectory } from "./state";

// No NixOS module exists for Edumeet: it runs from a plain Linux (LXC) recipe.
const REPO = "https://github.com/edumeet/edumeet/";
const DOCKER = "https://www.github.com/edumeet/edumeet-docker";
const ORG = "https://github.com/edumeet";
const STOP = ["edumeet-room-server.service", "edumeet-media-node.service"];

export const edumeet: AppDefinition = {
  id: "edumeet",
  title: "Edumeet",
  purpose: "video meetings (WebRTC SFU on mediasoup)",
  category: "app",
  homepage: "https://edumeet.org/",
  licence: {
    spdx: "MIT",
    openCore: false,
    reason: "MIT-licensed components with no paid edition",
    source: REPO,
  },
  swot: {
    strengths: [
      { text: "screen, file sharing, chat and local recording in the browser", source: REPO },
      { text: "OIDC and SAML login, so it can use the cooperative's identity provider", source: REPO },
    ],
    weaknesses: [
      { text: "upstream only documents Docker installs: the cooperative keeps its own recipe", source: REPO },
      { text: "split into several services (client, room server, media nodes, management)", source: ORG },
    ],
    opportunities: [
      { text: "research and education networks run it", source: ORG },
      { text: "a separate media node can scale meetings independently", source: DOCKER },
    ],
    threats: [
      { text: "needs public UDP/TCP port ranges at every provider the site moves to", source: REPO },
      { text: "real meetings need a large host (8 cores, 8 GB suggested)", source: DOCKER },
    ],
  },
  plainLinux: {
    distribution: "Debian 12 (bookworm) LXC container",
    packages: ["nodejs", "npm", "python3", "build-essential", "git", "nginx"],
    steps: [
      "clone edumeet-client, edumeet-room-server and edumeet-media-node at one release tag into /opt/edumeet",
      "yarn install && yarn build in each (mediasoup compiles its worker; needs python3 and build-essential)",
      "write /etc/edumeet/{server,media-node}.json: listen addresses, public IP, RTC port range 40000-40249",
      "systemd units edumeet-room-server.service and edumeet-media-node.service running as user edumeet",
      "nginx serves the client build and proxies the room server's websocket on 443",
    ],
    source: REPO,
  },
  ports: [
    { port: 443, protocol: "tcp", purpose: "web client and signalling websocket", public: true },
    { port: 40000, to: 40249, protocol: "udp", purpose: "WebRTC media", public: true },
    { port: 40000, to: 40249, protocol: "tcp", purpose: "WebRTC media fallback", public: true },
  ],
  requirements: { cpus: 8, memoryMiB: 8192, diskGiB: 100, source: DOCKER },
  dependencies: ["oidc"],
  federation: [],
  state: [rsyncDirectory("/etc/edumeet", "configuration only: meetings keep no state", STOP)],
  secrets: [{ name: "session-secret", kind: "random", purpose: "room server session cookies" }],
  defaultSubdomain: "meet",
  systemUser: { user: "edumeet", group: "edumeet", source: REPO },
  oidc: { redirectPaths: ["/auth/callback"], source: "https://github.com/edumeet/edumeet" },
};
