import * as pulumi from "@pulumi/pulumi";

/**
 * Warns when a credential arrives as plain text instead of a Pulumi secret: it still works (the
 * resources encrypt it), but the plain value may already sit in a program, a log or a config file.
 */
export function warnIfPlain(value: pulumi.Input<string> | undefined, field: string, resource: pulumi.Resource): void {
  const message = `${field} is given in plain text; pass it as a secret instead (pulumi config set --secret ..., then config.requireSecret(...), or pulumi.secret(...))`;
  if (value === undefined) return;
  if (typeof value === "string") {
    pulumi.log.warn(message, resource);
    return;
  }
  if (pulumi.Output.isInstance(value)) {
    void pulumi.isSecret(value as pulumi.Output<string>).then((secret) => {
      if (!secret) pulumi.log.warn(message, resource);
    });
  }
}
