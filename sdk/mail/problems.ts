/** A bad input: the field it is in (as the caller wrote it, e.g. "aliases[2].to[0]") and what to do. */
export interface MailProblem {
  /** The argument at fault, e.g. "mailboxes[0].address". */
  field: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** One error listing every problem, so a preview shows them all at once. */
export function mailProblemsError(what: string, problems: MailProblem[]): Error {
  const lines = problems.map((p) => `  - ${p.field}: ${p.message}`);
  return new Error(
    `${what}: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${lines.join("\n")}`,
  );
}
