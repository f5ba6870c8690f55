/** Collects every problem of a config before anything is created, so one run shows them all. */
export class ConfigProblems {
  private readonly problems: string[] = [];

  /** Records a problem at a config key, e.g. add("site.hosts[0].address", "must be an IPv4 address"). */
  add(field: string, message: string): void {
    this.problems.push(`${field}: ${message}`);
  }

  /** How many problems were recorded. */
  get count(): number {
    return this.problems.length;
  }

  /** Throws one error that lists every problem, or returns when there are none. */
  throwIfAny(what: string): void {
    if (this.problems.length === 0) return;
    throw new SiteConfigError(
      `${what} has ${this.problems.length} problem(s); please fix:\n` +
        this.problems.map((p) => `  - ${p}`).join("\n"),
      [...this.problems],
    );
  }
}

/** The site config is wrong: `problems` lists each field with its fix ("site.hosts[0].address: ..."). */
export class SiteConfigError extends Error {
  constructor(
    message: string,
    /** Each problem as "<key>: <message>", in the order they were found. */
    public readonly problems: readonly string[],
  ) {
    super(message);
    this.name = "SiteConfigError";
  }
}
