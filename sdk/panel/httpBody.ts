/** Reading a request's JSON body with a size limit, and answering JSON. */
import type * as http from "http";
import { PanelError } from "./errors";

/** Largest request body the panel reads (a site config is a few KiB). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** The request's body parsed as JSON; 415, 413 or 400 PanelErrors for what is not acceptable. */
export async function readJsonBody(req: http.IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json")
    throw new PanelError(
      415,
      "unsupported_media_type",
      'send the body as JSON with "Content-Type: application/json"',
    );
  const declared = Number(req.headers["content-length"] ?? "0");
  const tooLarge = () =>
    new PanelError(
      413,
      "body_too_large",
      `the body is larger than ${limit} bytes; send only the site config`,
    );
  if (declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch (e) {
    throw new PanelError(400, "malformed_json", `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Sends `body` as JSON with `status`. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
