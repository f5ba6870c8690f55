/**
 * `npm run state -- bootstrap [--bucket NAME]`: makes the state bucket and key on a Garage (the
 * one `npm run env -- up garage` started, or the one named by GARAGE_ADMIN_URL, GARAGE_ADMIN_TOKEN,
 * GARAGE_S3_ENDPOINT and GARAGE_REGION), writes the key to a root-only env file and prints the
 * `pulumi login` URL to use.
 */
import * as fs from "fs";
import * as path from "path";
import { bootstrapStateBackend, type StateBucketTarget } from "./stateBackend";

interface EnvRecord {
  services?: { garage?: { endpoints: Record<string, string>; credentials: Record<string, string> } };
}

function garageTarget(root: string, bucket: string | undefined): StateBucketTarget {
  const e = process.env;
  if (e.GARAGE_ADMIN_URL && e.GARAGE_ADMIN_TOKEN && e.GARAGE_S3_ENDPOINT)
    return { adminUrl: e.GARAGE_ADMIN_URL, adminToken: e.GARAGE_ADMIN_TOKEN, s3Endpoint: e.GARAGE_S3_ENDPOINT, region: e.GARAGE_REGION ?? "garage", bucket };
  const file = path.join(root, ".state", "env.json");
  const garage = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as EnvRecord).services?.garage : undefined;
  if (!garage)
    throw new Error(
      "no Garage given: start one with `npm run env -- up garage`, or set GARAGE_ADMIN_URL, GARAGE_ADMIN_TOKEN (secret), GARAGE_S3_ENDPOINT and GARAGE_REGION",
    );
  return {
    adminUrl: garage.endpoints.adminUrl,
    adminToken: garage.credentials.adminToken,
    s3Endpoint: garage.endpoints.s3Endpoint,
    region: garage.endpoints.region,
    bucket,
  };
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== "bootstrap") throw new Error("usage: npm run state -- bootstrap [--bucket NAME]");
  const i = rest.indexOf("--bucket");
  const bucket = i >= 0 ? rest[i + 1] : undefined;
  const root = process.cwd();
  const target = garageTarget(root, bucket);
  const workDir = path.join(root, ".state", "state-bootstrap");
  fs.mkdirSync(workDir, { recursive: true });
  const backend = await bootstrapStateBackend(target, { workDir, envVars: { PULUMI_BACKEND_URL: `file://${path.join(root, ".state", "backend")}` } });
  const envFile = path.join(root, ".state", "garage-state.env");
  fs.writeFileSync(
    envFile,
    `export AWS_ACCESS_KEY_ID=${backend.accessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${backend.secretAccessKey}\nexport PULUMI_BACKEND_URL='${backend.loginUrl}'\n`,
    { mode: 0o600 },
  );
  console.log(`state bucket "${backend.bucket}" is ready on ${target.s3Endpoint}; its key is in ${envFile} (readable by you only).`);
  console.log(`use it with:\n  source ${envFile}\n  pulumi login '${backend.loginUrl}'`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`state: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
