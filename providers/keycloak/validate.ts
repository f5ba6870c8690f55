/**
 * Pure checks of Keycloak resource inputs, run at preview (`check`). Each problem names the input
 * and says how to fix it; none repeats a secret value.
 */

export interface InputProblem {
  /** The input's name, e.g. "redirectUris[1]". */
  property: string;
  reason: string;
}

/** Realm names go into URLs (/realms/NAME) and the admin console: keep them to a URL-safe set. */
export const REALM_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** Client ids appear in tokens (azp/aud) and URLs. */
export const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;
export const USERNAME = /^[a-z0-9][a-z0-9._@-]{0,254}$/;
export const GROUP_NAME = /^[^/]{1,255}$/;
export const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;
/** Required actions Keycloak knows out of the box. */
export const REQUIRED_ACTIONS = [
  "CONFIGURE_TOTP",
  "UPDATE_PASSWORD",
  "UPDATE_PROFILE",
  "VERIFY_EMAIL",
  "TERMS_AND_CONDITIONS",
  "webauthn-register",
] as const;

export function realmNameProblems(name: unknown, property = "name"): InputProblem[] {
  if (typeof name !== "string" || !REALM_NAME.test(name)) {
    return [
      {
        property,
        reason:
          `realm name ${JSON.stringify(name)} is not allowed: use 1-63 lower-case letters, digits, ".", "_" or "-", ` +
          `starting with a letter or digit (e.g. "example-org")`,
      },
    ];
  }
  return [];
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** https everywhere, plain http only to loopback (a developer's own machine); no fragments. */
export function redirectUriProblem(uri: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(uri.replace(/\*$/, ""));
  } catch {
    return `${JSON.stringify(uri)} is not an absolute URL: write it as https://app.example.org/callback`;
  }
  if (parsed.hash)
    return `${JSON.stringify(uri)} has a fragment (#...), which OAuth forbids in redirect URIs: remove it`;
  if (parsed.protocol === "https:") return undefined;
  if (parsed.protocol === "http:" && isLoopbackHost(parsed.hostname)) return undefined;
  const https = uri.replace(/^[a-z][a-z0-9+.-]*:/i, "https:");
  return (
    `${JSON.stringify(uri)} is not https: a redirect URI must use https (plain http only for 127.0.0.1, ::1 or localhost); ` +
    `use ${JSON.stringify(https)}`
  );
}

export function redirectUriProblems(uris: unknown, property = "redirectUris"): InputProblem[] {
  if (uris === undefined) return [];
  if (!Array.isArray(uris)) return [{ property, reason: "must be a list of URLs" }];
  return uris.flatMap((uri, i) => {
    const problem = typeof uri === "string" ? redirectUriProblem(uri) : "must be a URL string";
    return problem ? [{ property: `${property}[${i}]`, reason: problem }] : [];
  });
}

export function patternProblems(
  value: unknown,
  property: string,
  pattern: RegExp,
  what: string,
  example: string,
): InputProblem[] {
  if (typeof value === "string" && pattern.test(value)) return [];
  return [
    {
      property,
      reason: `${what} ${JSON.stringify(value)} is not allowed: use something like ${JSON.stringify(example)}`,
    },
  ];
}

/** Client ids must be unique within a realm: names every id that appears more than once. */
export function duplicateClientIdProblems(
  clientIds: readonly string[],
  property = "clients",
): InputProblem[] {
  const seen = new Map<string, number>();
  const problems: InputProblem[] = [];
  clientIds.forEach((id, i) => {
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else
      problems.push({
        property: `${property}[${i}].clientId`,
        reason: `client id ${JSON.stringify(id)} is already used by ${property}[${first}]: give each app its own client id`,
      });
  });
  return problems;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks the `username`, `email` (required when `emailRequired`) and `requiredActions` inputs. */
export function userProblems(inputs: Record<string, unknown>): InputProblem[] {
  const problems = patternProblems(inputs.username, "username", USERNAME, "username", "alice");
  if (inputs.email !== undefined && (typeof inputs.email !== "string" || !EMAIL.test(inputs.email))) {
    problems.push({
      property: "email",
      reason: `${JSON.stringify(inputs.email)} is not an email address (e.g. alice@example.org)`,
    });
  }
  if (inputs.emailRequired === true && (inputs.email === undefined || inputs.email === "")) {
    problems.push({
      property: "email",
      reason: `user ${JSON.stringify(inputs.username)} has no email, but its realm requires one: add email (e.g. "alice@example.org")`,
    });
  }
  const actions = inputs.requiredActions;
  if (actions !== undefined) {
    const list = Array.isArray(actions) ? actions : [actions];
    list.forEach((action, i) => {
      if (!(REQUIRED_ACTIONS as readonly unknown[]).includes(action)) {
        problems.push({
          property: `requiredActions[${i}]`,
          reason: `${JSON.stringify(action)} is not a Keycloak required action; use one of ${REQUIRED_ACTIONS.join(", ")}`,
        });
      }
    });
  }
  return problems;
}
