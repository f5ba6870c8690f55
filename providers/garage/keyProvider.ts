/**
 * The access key provider's implementation. The key's name records its owner (owner.ts); a create
 * interrupted after Garage made the key finds that key again by its name instead of making another.
 * The secret key is an output that the resource class marks secret (additionalSecretOutputs).
 */
import type * as pulumi from "@pulumi/pulumi";
import { GarageAdmin } from "./api";
import type { KeyInfo } from "./client";
import { describeOwner, displayKeyName, keyNameWithOwner, ownerOfKeyName } from "./owner";
import { checkKeyInputs, diffKey, KeyInputs } from "./validate";

type Props = Record<string, unknown>;

const admin = (i: KeyInputs): GarageAdmin => new GarageAdmin(i);

function context(action: string, i: KeyInputs, e: unknown): Error {
  return new Error(`${action} Garage access key "${i.name}": ${e instanceof Error ? e.message : String(e)}`);
}

function outputs(i: KeyInputs, key: KeyInfo): Props {
  return { ...i, accessKeyId: i.accessKeyId, keyId: key.accessKeyId, secretAccessKey: key.secretAccessKey ?? "" };
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkKeyInputs(news);
  return { inputs, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  return diffKey(olds, news);
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = props as unknown as KeyInputs;
  const g = admin(i);
  const wanted = keyNameWithOwner(i.name, i.owner);
  try {
    let id: string;
    if (i.accessKeyId) {
      const existing = await g.key(i.accessKeyId);
      if (!existing) throw new Error(`there is no key ${i.accessKeyId} on ${i.adminUrl} to adopt; leave accessKeyId out to create one`);
      id = existing.accessKeyId;
      if (existing.name !== wanted) await g.renameKey(id, wanted);
    } else {
      // Our own interrupted create: Garage made the key, the engine never recorded it.
      const mine = (await g.listKeys()).find((k) => k.name === wanted);
      id = mine ? mine.id : (await g.createKey(wanted)).accessKeyId;
    }
    const key = await g.key(id, true);
    if (!key) throw new Error(`key ${id} vanished right after it was made`);
    return { id, outs: outputs(i, key) };
  } catch (e) {
    throw context("creating", i, e);
  }
}

export async function update(id: string, _olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const i = news as unknown as KeyInputs;
  const g = admin(i);
  try {
    const key = await g.key(id, true);
    if (!key) throw new Error(`it no longer exists on ${i.adminUrl}; run "pulumi refresh" and then "pulumi up" to create a new one`);
    const owner = ownerOfKeyName(key.name);
    if (owner !== i.owner) throw new Error(`${describeOwner(owner)}, so this stack no longer changes it`);
    const wanted = keyNameWithOwner(i.name, i.owner);
    if (key.name !== wanted) await g.renameKey(id, wanted);
    return { outs: outputs(i, key) };
  } catch (e) {
    throw context("updating", i, e);
  }
}

export async function remove(id: string, props: Props): Promise<void> {
  const i = props as unknown as KeyInputs;
  const g = admin(i);
  try {
    const key = await g.key(id);
    if (!key) return;
    const owner = ownerOfKeyName(key.name);
    if (owner !== i.owner) {
      console.warn(`Garage key ${id} was not deleted: ${describeOwner(owner)} now. It is only forgotten by this stack.`);
      return;
    }
    await g.deleteKey(id);
  } catch (e) {
    throw context("deleting", i, e);
  }
}
export { remove as delete };

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const i = props as unknown as KeyInputs;
  try {
    const key = await admin(i).key(id, true);
    if (!key) return { id: "", props: {} };
    return {
      id,
      props: {
        ...props,
        name: displayKeyName(key.name),
        owner: ownerOfKeyName(key.name) ?? "",
        secretAccessKey: key.secretAccessKey ?? "",
      },
    };
  } catch (e) {
    throw context("reading", i, e);
  }
}
