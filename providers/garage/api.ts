/**
 * The few admin API calls the providers make, over the generated client, named for what they do.
 * Every call goes through the retrying fetch in client.ts; "not found" is answered only by Garage
 * itself (a 404 after it answered), never by a failed connection.
 */
import {
  BucketInfo,
  BucketKeyPerm,
  dataOf,
  GarageAdminClient,
  garageAdminClient,
  GarageAdminEndpoint,
  GarageApiError,
  GarageSchemas,
  KeyInfo,
} from "./client";
import { requireCredential } from "../shared/credentials";

export type UpdateBucketBody = GarageSchemas["UpdateBucketRequestBody"];

const notFound = (e: unknown): boolean => e instanceof GarageApiError && e.status === 404;

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

/** The admin API of a resource's inputs: its URL, and the token from the stack config. */
export function adminFor(i: { adminUrl: string; adminTokenConfig: string }): GarageAdmin {
  return new GarageAdmin({
    adminUrl: i.adminUrl,
    adminToken: requireCredential(i.adminTokenConfig, "the Garage admin token"),
  });
}

/** Typed admin calls bound to one endpoint. */
export class GarageAdmin {
  readonly client: GarageAdminClient;

  constructor(endpoint: GarageAdminEndpoint) {
    this.client = garageAdminClient(endpoint);
  }

  async bucketById(id: string): Promise<BucketInfo | undefined> {
    return orUndefined(
      this.client
        .GET("/v2/GetBucketInfo", { params: { query: { id } } })
        .then((r) => dataOf(r, "GetBucketInfo")),
    );
  }

  async bucketByAlias(globalAlias: string): Promise<BucketInfo | undefined> {
    return orUndefined(
      this.client
        .GET("/v2/GetBucketInfo", { params: { query: { globalAlias } } })
        .then((r) => dataOf(r, "GetBucketInfo")),
    );
  }

  async createBucket(body: { globalAlias?: string; localAlias?: { accessKeyId: string; alias: string } }) {
    return dataOf(await this.client.POST("/v2/CreateBucket", { body }), "CreateBucket");
  }

  async updateBucket(id: string, body: UpdateBucketBody): Promise<BucketInfo> {
    return dataOf(
      await this.client.POST("/v2/UpdateBucket", { params: { query: { id } }, body }),
      "UpdateBucket",
    );
  }

  async deleteBucket(id: string): Promise<void> {
    await this.client.POST("/v2/DeleteBucket", { params: { query: { id } } });
  }

  async addGlobalAlias(bucketId: string, globalAlias: string): Promise<void> {
    await this.client.POST("/v2/AddBucketAlias", { body: { bucketId, globalAlias } });
  }

  async removeGlobalAlias(bucketId: string, globalAlias: string): Promise<void> {
    await this.client.POST("/v2/RemoveBucketAlias", { body: { bucketId, globalAlias } });
  }

  async addLocalAlias(bucketId: string, accessKeyId: string, localAlias: string): Promise<void> {
    await this.client.POST("/v2/AddBucketAlias", { body: { bucketId, accessKeyId, localAlias } });
  }

  async removeLocalAlias(bucketId: string, accessKeyId: string, localAlias: string): Promise<void> {
    await this.client.POST("/v2/RemoveBucketAlias", { body: { bucketId, accessKeyId, localAlias } });
  }

  /**
   * Every bucket with its full info (as GetBucketInfo: aliases, keys and their names, quotas,
   * website, CORS, object count), in pages of `pageSize`: one request for up to that many buckets.
   */
  async listBucketsInfo(pageSize = 1000): Promise<BucketInfo[]> {
    const all: BucketInfo[] = [];
    let offset: string | undefined;
    for (;;) {
      const page = dataOf(
        await this.client.GET("/v2/ListBucketsInfo", {
          params: { query: { limit: pageSize, ...(offset ? { offset } : {}) } },
        }),
        "ListBucketsInfo",
      );
      // `offset` is the first bucket of the page, i.e. the last one of the previous page.
      all.push(...(offset ? page.filter((b) => b.id !== offset) : page));
      if (page.length < pageSize) return all;
      offset = page[page.length - 1].id;
    }
  }

  async listKeys(): Promise<{ id: string; name: string }[]> {
    return dataOf(await this.client.GET("/v2/ListKeys"), "ListKeys");
  }

  async key(id: string, showSecretKey = false): Promise<KeyInfo | undefined> {
    return orUndefined(
      this.client
        .GET("/v2/GetKeyInfo", {
          params: { query: { id, ...(showSecretKey ? { showSecretKey: true } : {}) } },
        })
        .then((r) => dataOf(r, "GetKeyInfo")),
    );
  }

  async createKey(name: string): Promise<KeyInfo> {
    return dataOf(await this.client.POST("/v2/CreateKey", { body: { name } }), "CreateKey");
  }

  async renameKey(id: string, name: string): Promise<void> {
    await this.client.POST("/v2/UpdateKey", { params: { query: { id } }, body: { name } });
  }

  async deleteKey(id: string): Promise<void> {
    await this.client.POST("/v2/DeleteKey", { params: { query: { id } } });
  }

  async allow(bucketId: string, accessKeyId: string, permissions: BucketKeyPerm): Promise<void> {
    await this.client.POST("/v2/AllowBucketKey", { body: { bucketId, accessKeyId, permissions } });
  }

  async deny(bucketId: string, accessKeyId: string, permissions: BucketKeyPerm): Promise<void> {
    await this.client.POST("/v2/DenyBucketKey", { body: { bucketId, accessKeyId, permissions } });
  }
}
