/**
 * The panel API: an HTTP service over the Automation API for the cooperative's panel (the seed's
 * "Nix-Panel API"). Sites are the stacks of one Pulumi project; the panel's own data (users,
 * hashed tokens, proposed changes, operations and audit log) is in PostgreSQL (store.ts). The
 * routes and their answers are described in openapi.json, served at GET /openapi.json.
 *
 * Every request but GET /openapi.json needs `Authorization: Bearer <token>`. Viewers read and
 * preview; operators also apply. One operation per site at a time (409 names who holds it).
 */
import * as crypto from "crypto";
import * as http from "http";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { readSiteInventory } from "../../providers/netbox/inventory";
import { parseInventory } from "../config/inventoryConfig";
import { ConfigProblems } from "../config/problems";
import { errorResponse, PanelError } from "./errors";
import { panelEvent } from "./engineEvents";
import { readJsonBody, sendJson, DEFAULT_BODY_LIMIT } from "./httpBody";
import { Sites, type SitesOptions } from "./sites";
import { siteConfigErrors } from "./siteView";
import type { PanelStore, PanelUser } from "./store";
import openapi from "./openapi.json";

/** How a panel is set up. */
export interface PanelOptions extends SitesOptions {
  /** The panel's own data (users, tokens, changes, operations, audit log) in PostgreSQL. */
  readonly store: PanelStore;
  /** NetBox URL for sites whose inventory `url` is `local`. */
  readonly localNetboxUrl?: string;
  /** Largest request body, in bytes (default 64 KiB). */
  readonly bodyLimit?: number;
  /** Where request lines and errors go (default: stderr). Never given tokens or secrets. */
  readonly log?: (line: string) => void;
}

interface Context {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly user: PanelUser;
  readonly params: Record<string, string>;
}

type Handler = (ctx: Context) => Promise<void>;

const SITE = "(?<site>[a-z0-9][a-z0-9._-]{0,99})";
const CHANGE = "(?<change>[^/]+)";

/** Creates the panel's HTTP server (not yet listening). */
export function createPanelServer(options: PanelOptions): http.Server {
  const sites = new Sites(options);
  const store = options.store;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  const operator = (user: PanelUser, what: string) => {
    if (user.role !== "operator")
      throw new PanelError(
        403,
        "forbidden",
        `${what} needs the operator role; ${user.name} is a ${user.role}`,
      );
  };

  const routes: [string, RegExp, Handler][] = [
    [
      "GET",
      /^\/api\/sites$/,
      async ({ res }) => {
        const names = await sites.names();
        sendJson(res, 200, { sites: await Promise.all(names.map((n) => sites.summary(n))) });
      },
    ],
    [
      "GET",
      new RegExp(`^/api/sites/${SITE}$`),
      async ({ res, params }) => sendJson(res, 200, await sites.summary(params.site)),
    ],
    [
      "GET",
      new RegExp(`^/api/sites/${SITE}/inventory$`),
      async ({ res, params }) => sendJson(res, 200, await inventory(params.site)),
    ],
    [
      "POST",
      new RegExp(`^/api/sites/${SITE}/changes$`),
      async ({ req, res, user, params }) => {
        const body = await readJsonBody(req, options.bodyLimit ?? DEFAULT_BODY_LIMIT);
        await sites.stack(params.site);
        const site = (body as { site?: unknown } | null)?.site;
        if (typeof body !== "object" || body === null || Array.isArray(body) || site === undefined)
          throw new PanelError(400, "bad_request", 'send {"site": <the whole sovereign:site config>}');
        const errors = siteConfigErrors(site);
        if (errors.length > 0)
          throw new PanelError(422, "validation_failed", `the site config has ${errors.length} problem(s)`, {
            errors,
          });
        const current = await sites.siteConfig(params.site);
        if (
          current !== undefined &&
          (current as { name?: unknown }).name !== (site as { name?: unknown }).name
        )
          throw new PanelError(422, "validation_failed", "a change cannot rename the site", {
            errors: [
              { key: "site.name", message: `must stay "${String((current as { name?: unknown }).name)}"` },
            ],
          });
        const lease = await store.lockSite(params.site, "preview", user);
        try {
          const preview = await sites.preview(params.site, site);
          const id = await store.addChange(params.site, user, site, preview);
          await store.audit(user, params.site, "propose", id, "previewed");
          await lease.release("succeeded");
          sendJson(res, 201, { id, site: params.site, status: "proposed", proposedBy: user.name, preview });
        } finally {
          await lease.release("failed");
        }
      },
    ],
    [
      "GET",
      new RegExp(`^/api/sites/${SITE}/changes/${CHANGE}$`),
      async ({ res, params }) => {
        await sites.stack(params.site);
        const change = await store.change(params.site, params.change);
        if (!change)
          throw new PanelError(
            404,
            "unknown_change",
            `site "${params.site}" has no change "${params.change}"`,
          );
        sendJson(res, 200, change);
      },
    ],
    ["POST", new RegExp(`^/api/sites/${SITE}/changes/${CHANGE}/apply$`), (ctx) => apply(ctx)],
    [
      "GET",
      new RegExp(`^/api/sites/${SITE}/history$`),
      async ({ res, params }) => {
        const updates = await sites.history(params.site);
        sendJson(res, 200, { site: params.site, updates, audit: await store.auditLog(params.site) });
      },
    ],
  ];

  async function inventory(site: string): Promise<unknown> {
    const problems = new ConfigProblems();
    const section = parseInventory(
      problems,
      ((await sites.siteConfig(site)) as { inventory?: unknown } | undefined)?.inventory,
    );
    if (!section || problems.count > 0)
      throw new PanelError(404, "no_inventory", `site "${site}" has no inventory section in its config`);
    const url = section.endpoint === "local" ? options.localNetboxUrl : section.endpoint.url;
    if (!url)
      throw new PanelError(
        409,
        "no_inventory",
        `site "${site}" uses the local NetBox, which this panel does not know`,
      );
    const token = await sites.secretConfig(site, section.tokenConfig ?? "sovereign:netboxToken");
    if (!token)
      throw new PanelError(
        409,
        "no_inventory",
        `site "${site}" has no NetBox token in its config (${section.tokenConfig ?? "sovereign:netboxToken"})`,
      );
    const found = await readSiteInventory({ url, token }, site);
    if (!found)
      throw new PanelError(404, "not_in_inventory", `NetBox has no site "${site}" yet; apply the site first`);
    return found;
  }

  async function apply({ res, user, params }: Context): Promise<void> {
    operator(user, "applying a change");
    await sites.stack(params.site);
    const change = await store.change(params.site, params.change);
    if (!change)
      throw new PanelError(404, "unknown_change", `site "${params.site}" has no change "${params.change}"`);
    const lease = await store.lockSite(params.site, "apply", user);
    let result = "failed";
    let streaming = false;
    try {
      if (change.status !== "proposed")
        throw new PanelError(
          409,
          "change_not_proposed",
          `change ${change.id} is ${change.status}; propose a new one`,
        );
      await store.setChangeStatus(change.id, "applying");
      // The response stays a plain JSON answer until the engine's first event: a refusal before it
      // (the engine's own lock) is still a 409.
      const sink: { stream?: (e: EngineEvent) => void } = {};
      const early: EngineEvent[] = [];
      let started!: () => void;
      const firstEvent = new Promise<void>((resolve) => (started = resolve));
      const run = sites.apply(params.site, change.siteConfig, (e) => {
        if (sink.stream) sink.stream(e);
        else {
          early.push(e);
          started();
        }
      });
      await Promise.race([firstEvent, run.then(() => undefined)]);
      streaming = true;
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      const send = (event: string, data: unknown) =>
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      sink.stream = (e) => {
        const pe = panelEvent(e);
        if (pe) send("engine", pe);
      };
      early.forEach(sink.stream);
      try {
        const outcome = await run;
        result = outcome.result;
        send("result", { changeId: change.id, ...outcome });
      } catch (e) {
        const incident = crypto.randomUUID();
        log(`apply of ${change.id} on ${params.site} failed (incident ${incident}): ${(e as Error).message}`);
        send("failed", errorResponse(e, incident).body);
      }
      res.end();
    } finally {
      // Refused before the engine started (its own lock): the change can be applied again later.
      const status = result === "succeeded" ? "applied" : streaming ? "failed" : "proposed";
      if (change.status === "proposed") await store.setChangeStatus(change.id, status).catch(() => undefined);
      await store.audit(user, params.site, "apply", change.id, result).catch(() => undefined);
      await lease.release(result);
    }
  }

  return http.createServer((req, res) => {
    const started = Date.now();
    let who = "-";
    const url = new URL(req.url ?? "/", "http://panel");
    const done = (status: number) =>
      log(`${req.method} ${url.pathname} ${status} ${who} ${Date.now() - started}ms`);
    const fail = (e: unknown) => {
      const incident = crypto.randomUUID();
      const { status, body } = errorResponse(e, incident);
      if (status >= 500) log(`incident ${incident}: ${(e as Error)?.message ?? String(e)}`);
      if (!res.headersSent) sendJson(res, status, body);
      else res.end();
      done(status);
    };
    (async () => {
      if (req.method === "GET" && url.pathname === "/openapi.json") return sendJson(res, 200, openapi);
      const route = routes.find(([, pattern]) => pattern.test(url.pathname));
      if (!route) throw new PanelError(404, "not_found", `no route ${url.pathname}; see GET /openapi.json`);
      const [method, pattern, handler] = route;
      if (req.method !== method)
        throw new PanelError(405, "method_not_allowed", `use ${method} ${url.pathname}`);
      const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
      const user = auth ? await store.authenticate(auth[1]) : undefined;
      if (!user)
        throw new PanelError(401, "unauthorized", "send a valid token as `Authorization: Bearer <token>`");
      who = user.name;
      const params = { ...(pattern.exec(url.pathname)?.groups ?? {}) };
      await handler({ req, res, user, params });
    })().then(() => done(res.statusCode), fail);
  });
}
