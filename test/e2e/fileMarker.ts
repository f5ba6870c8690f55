import * as pulumi from "@pulumi/pulumi";

/**
 * A small real side effect for engine tests: a file whose content the stack owns. Everything the
 * provider needs arrives as inputs; fs is required inside the methods (providers are serialized).
 */
export interface FileMarkerInputs {
  path: pulumi.Input<string>;
  content: pulumi.Input<string>;
}

interface FileMarkerState {
  path: string;
  content: string;
}

const fileMarkerProvider: pulumi.dynamic.ResourceProvider<FileMarkerState, FileMarkerState> = {
  async create(inputs) {
    const fs = await import("fs");
    if (fs.existsSync(inputs.path)) throw new Error(`path: ${inputs.path} already exists; pick another path`);
    fs.writeFileSync(inputs.path, inputs.content);
    return { id: inputs.path, outs: inputs };
  },
  async read(id, props) {
    const fs = await import("fs");
    if (!fs.existsSync(id)) return { id: "", props: undefined };
    return { id, props: { path: id, content: fs.readFileSync(id, "utf8") ?? props?.content } };
  },
  async diff(_id, olds, news) {
    return {
      changes: olds.path !== news.path || olds.content !== news.content,
      replaces: olds.path !== news.path ? ["path"] : [],
    };
  },
  async update(_id, _olds, news) {
    const fs = await import("fs");
    fs.writeFileSync(news.path, news.content);
    return { outs: news };
  },
  async delete(id) {
    const fs = await import("fs");
    fs.rmSync(id, { force: true });
  },
};

export class FileMarker extends pulumi.dynamic.Resource {
  declare public readonly path: pulumi.Output<string>;
  declare public readonly content: pulumi.Output<string>;

  constructor(name: string, args: FileMarkerInputs, opts?: pulumi.CustomResourceOptions) {
    super(fileMarkerProvider, name, { ...args }, opts, "sovereign-test", "FileMarker");
  }
}

/** A component around the marker: what the engine test drives. */
export class MarkerSet extends pulumi.ComponentResource {
  public readonly files: pulumi.Output<string[]>;

  constructor(
    name: string,
    args: { dir: string; contents: Record<string, string> },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("sovereign:test:MarkerSet", name, {}, opts);
    const markers = Object.entries(args.contents).map(
      ([file, content]) =>
        new FileMarker(`${name}-${file}`, { path: `${args.dir}/${file}`, content }, { parent: this }),
    );
    this.files = pulumi.all(markers.map((m) => m.path));
    this.registerOutputs({ files: this.files });
  }
}
