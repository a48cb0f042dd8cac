import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { FallbackObjectStore, ObjectStoreError, openObjectStore, type ObjectStore } from "../../app/src/objectstore";
import type { BucketFault, BucketStandIn } from "./support/bucket-stand-in";
import { GcsStandIn } from "./support/gcs-stand-in";
import { S3_TEST_ACCESS_KEY, S3StandIn } from "./support/s3-stand-in";

// The SDK's default chain reads these first; nothing here may reach a metadata endpoint.
process.env.AWS_ACCESS_KEY_ID = S3_TEST_ACCESS_KEY;
process.env.AWS_SECRET_ACCESS_KEY = "object-store-test-secret";
process.env.AWS_REGION = "us-east-1";
process.env.AWS_EC2_METADATA_DISABLED = "true";

const BUCKET = "journal-bucket";
const PREFIX = "some/prefix";
/** Both stand-ins answer at most this many entries a page, so every listing below spans pages. */
const PAGE_SIZE = 2;

/** One storage backend behind the ObjectStore contract, with a view of what it really holds. */
interface Backend {
    readonly name: string;
    /** A store at `<bucket>/some/prefix` over an empty backend. */
    fresh(): Promise<ObjectStore>;
    /** Every name the backend holds, location prefix included, in order. */
    stored(): Promise<string[]>;
    /** Writes a name (location prefix included) behind the adapter's back. */
    seed(name: string, body: Buffer): Promise<void>;
    /** A store at the same kind of location whose backend fails every call. */
    failing(fault: BucketFault): Promise<ObjectStore>;
    /** How many listing calls reached the backend, where that can be seen. */
    listCalls(): number | undefined;
}

class LocalBackend implements Backend {
    readonly name = "local directory";
    private root = "";
    private readonly made: string[] = [];

    async fresh(): Promise<ObjectStore> {
        this.root = await this.temporaryDir();
        return openObjectStore(pathToFileURL(join(this.root, PREFIX)).href);
    }

    async stored(): Promise<string[]> {
        const names: string[] = [];
        const walk = async (dir: string): Promise<void> => {
            for (const entry of await readdir(dir, { withFileTypes: true })) {
                if (entry.isDirectory()) await walk(join(dir, entry.name));
                else names.push(relative(this.root, join(dir, entry.name)).split("\\").join("/"));
            }
        };
        await walk(this.root);
        return names.sort();
    }

    async seed(name: string, body: Buffer): Promise<void> {
        await mkdir(dirname(join(this.root, name)), { recursive: true });
        await writeFile(join(this.root, name), body);
    }

    async failing(): Promise<ObjectStore> {
        // A regular file where the store's directory should be: every call fails with ENOTDIR.
        const blocked = join(await this.temporaryDir(), "not-a-directory");
        await writeFile(blocked, "");
        return openObjectStore(pathToFileURL(join(blocked, PREFIX)).href);
    }

    listCalls(): undefined {
        return undefined;
    }

    async temporaryDir(): Promise<string> {
        const dir = await mkdtemp(join(tmpdir(), "objectstore-"));
        this.made.push(dir);
        return dir;
    }

    async cleanUp(): Promise<void> {
        for (const dir of this.made.splice(0)) await rm(dir, { recursive: true, force: true });
    }
}

class StandInBackend implements Backend {
    constructor(
        readonly name: string,
        readonly standIn: BucketStandIn,
        private readonly open: (standIn: BucketStandIn) => ObjectStore,
        private readonly isList: (path: string) => boolean,
    ) {}

    async fresh(): Promise<ObjectStore> {
        this.standIn.reset();
        return this.open(this.standIn);
    }

    async stored(): Promise<string[]> {
        return this.standIn.names();
    }

    async seed(name: string, body: Buffer): Promise<void> {
        this.standIn.objects.set(name, body);
    }

    async failing(fault: BucketFault): Promise<ObjectStore> {
        const store = await this.fresh();
        this.standIn.fault = fault;
        return store;
    }

    listCalls(): number {
        return this.standIn.count((r) => r.method === "GET" && this.isList(r.path));
    }
}

const s3 = new S3StandIn(BUCKET, PAGE_SIZE);
const gcs = new GcsStandIn(BUCKET, PAGE_SIZE);
const local = new LocalBackend();
const backends: Backend[] = [
    local,
    new StandInBackend("S3 (AWS SDK v3)", s3, (standIn) => openObjectStore(`s3://${BUCKET}/${PREFIX}`, { s3: standIn.url }), (path) => path.includes("list-type=2")),
    new StandInBackend("GCS (@google-cloud/storage)", gcs, (standIn) => openObjectStore(`gs://${BUCKET}/${PREFIX}`, { gcs: standIn.url }), (path) => /\/o(\?|$)/.test(path)),
];

const text = (s: string) => Buffer.from(s, "utf8");
const ENTRY_KEYS = ["epochs/1/0000000001", "epochs/1/0000000002", "epochs/1/0000000003", "epochs/1/0000000010", "epochs/1/0000000011", "epochs/1/0000000012", "epochs/1/0000000100"];

async function putAll(store: ObjectStore, keys: string[]): Promise<void> {
    // Written out of order: the listing must sort, not echo the writes.
    for (const key of [...keys].reverse()) await store.put(key, text(`body of ${key}`));
}

async function rejectsAsStoreError(call: Promise<unknown>, store: ObjectStore, operation: string): Promise<void> {
    await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof ObjectStoreError, `expected an ObjectStoreError, got ${String(error)}`);
        assert.ok(error.message.includes(store.url), `"${error.message}" names the location ${store.url}`);
        assert.ok(error.message.startsWith(`${operation} `), `"${error.message}" names the operation "${operation}"`);
        assert.ok(error.cause !== undefined, "the backend's error is kept as the cause");
        return true;
    });
}

interface ContractCase {
    name: string;
    run(store: ObjectStore, backend: Backend): Promise<void>;
}

/** The behaviour the change journal and snapshot sets rely on, the same for every backend. */
const contract: ContractCase[] = [
    {
        name: "putIfAbsent creates a key once and then answers exists without replacing it",
        async run(store) {
            assert.equal(await store.putIfAbsent("epochs/1/0000000001", text("first")), "created");
            assert.equal(await store.putIfAbsent("epochs/1/0000000001", text("second")), "exists");
            assert.deepEqual(await store.get("epochs/1/0000000001"), text("first"));
        },
    },
    {
        name: "two concurrent putIfAbsent of one key: exactly one is created and its bytes are kept",
        async run(store) {
            const outcomes = await Promise.all([store.putIfAbsent("race/key", text("writer A")), store.putIfAbsent("race/key", text("writer B"))]);
            assert.deepEqual([...outcomes].sort(), ["created", "exists"]);
            const winner = outcomes[0] === "created" ? "writer A" : "writer B";
            assert.deepEqual(await store.get("race/key"), text(winner));
        },
    },
    {
        name: "put replaces an existing key, including one made by putIfAbsent",
        async run(store) {
            assert.equal(await store.putIfAbsent("manifest.json", text("v1")), "created");
            await store.put("manifest.json", text("v2"));
            assert.deepEqual(await store.get("manifest.json"), text("v2"));
            await store.put("manifest.json", text("v3"));
            assert.deepEqual(await store.get("manifest.json"), text("v3"));
        },
    },
    {
        name: "get of a missing key is undefined, also next to existing keys",
        async run(store) {
            assert.equal(await store.get("nothing/here"), undefined);
            await store.put("epochs/1/0000000001", text("x"));
            assert.equal(await store.get("epochs/1/0000000002"), undefined);
            assert.equal(await store.get("epochs/1"), undefined);
        },
    },
    {
        name: "bytes come back exactly, including every byte value and an empty object",
        async run(store) {
            const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
            await store.put("binary", everyByte);
            assert.equal(await store.putIfAbsent("empty", Buffer.alloc(0)), "created");
            assert.deepEqual(await store.get("binary"), everyByte);
            assert.deepEqual(await store.get("empty"), Buffer.alloc(0));
        },
    },
    {
        name: "list returns every key under a prefix in lexicographic order, across pages",
        async run(store, backend) {
            await putAll(store, ENTRY_KEYS);
            await store.put("epochs/10/0000000001", text("another epoch"));
            await store.put("epochs-archive/0000000001", text("a sibling name"));
            const before = backend.listCalls();
            assert.deepEqual(await store.list("epochs/1/"), ENTRY_KEYS);
            const calls = backend.listCalls();
            if (before !== undefined && calls !== undefined) assert.ok(calls - before >= 4, `7 keys at ${PAGE_SIZE} a page take 4 pages, saw ${calls - before} calls`);
        },
    },
    {
        name: "list after startAfter is exclusive, also when startAfter is not a stored key",
        async run(store) {
            await putAll(store, ENTRY_KEYS);
            assert.deepEqual(await store.list("epochs/1/", { startAfter: "epochs/1/0000000003" }), ENTRY_KEYS.slice(3));
            assert.deepEqual(await store.list("epochs/1/", { startAfter: "epochs/1/0000000004" }), ENTRY_KEYS.slice(3));
            assert.deepEqual(await store.list("epochs/1/", { startAfter: "epochs/1/0000000100" }), []);
        },
    },
    {
        name: "list stops at limit, also when the limit spans several pages",
        async run(store) {
            await putAll(store, ENTRY_KEYS);
            assert.deepEqual(await store.list("epochs/1/", { limit: 1 }), ENTRY_KEYS.slice(0, 1));
            assert.deepEqual(await store.list("epochs/1/", { limit: 5 }), ENTRY_KEYS.slice(0, 5));
            assert.deepEqual(await store.list("epochs/1/", { startAfter: "epochs/1/0000000001", limit: 3 }), ENTRY_KEYS.slice(1, 4));
            assert.deepEqual(await store.list("epochs/1/", { startAfter: "epochs/1/0000000010", limit: 100 }), ENTRY_KEYS.slice(4));
        },
    },
    {
        name: "list of an empty prefix is every key, nested ones included; of an unknown prefix nothing",
        async run(store) {
            await putAll(store, ["a", "b/c", "b/d/e"]);
            assert.deepEqual(await store.list(""), ["a", "b/c", "b/d/e"]);
            assert.deepEqual(await store.list("missing/"), []);
        },
    },
    {
        name: "list matches names by prefix, not by directory",
        async run(store) {
            await putAll(store, ENTRY_KEYS);
            assert.deepEqual(await store.list("epochs/1/00000000"), ENTRY_KEYS.slice(0, 6));
        },
    },
    {
        name: "listDirs returns the directories directly under a prefix, in order, across pages",
        async run(store) {
            await putAll(store, ["epochs/1/a", "epochs/1/b", "epochs/10/a", "epochs/2/a", "epochs/2/sub/b", "epochs/3/a", "epochs/4/a", "epochs/top.json", "snapshots/s1/manifest.json"]);
            assert.deepEqual(await store.listDirs(""), ["epochs/", "snapshots/"]);
            assert.deepEqual(await store.listDirs("epochs/"), ["epochs/1/", "epochs/10/", "epochs/2/", "epochs/3/", "epochs/4/"]);
            assert.deepEqual(await store.listDirs("epochs/2/"), ["epochs/2/sub/"]);
            assert.deepEqual(await store.listDirs("missing/"), []);
        },
    },
    {
        name: "keys are relative to the location's prefix: stored under it, and nothing outside it is seen",
        async run(store, backend) {
            await store.put("epochs/1/0000000001", text("inside"));
            await backend.seed("some/other/epochs/1/0000000002", text("outside"));
            await backend.seed("some/prefix-sibling/epochs/1/0000000003", text("outside"));
            await backend.seed("some/prefix/epochs/1/0000000004", text("inside, written by another process"));
            assert.deepEqual(await backend.stored(), [
                "some/other/epochs/1/0000000002",
                "some/prefix-sibling/epochs/1/0000000003",
                "some/prefix/epochs/1/0000000001",
                "some/prefix/epochs/1/0000000004",
            ]);
            assert.deepEqual(await store.list(""), ["epochs/1/0000000001", "epochs/1/0000000004"]);
            assert.deepEqual(await store.listDirs(""), ["epochs/"]);
            assert.deepEqual(await store.get("epochs/1/0000000004"), text("inside, written by another process"));
        },
    },
    ...(["server-error", "denied"] as const).map(
        (fault): ContractCase => ({
            name: `a backend ${fault === "denied" ? "refusal (403)" : "failure (500)"} is an ObjectStoreError naming the location and operation`,
            async run(_store, backend) {
                const store = await backend.failing(fault);
                await rejectsAsStoreError(store.putIfAbsent("k", text("x")), store, "create k");
                await rejectsAsStoreError(store.put("k", text("x")), store, "write k");
                await rejectsAsStoreError(store.get("k"), store, "read k");
                await rejectsAsStoreError(store.list("epochs/"), store, "list epochs/");
                await rejectsAsStoreError(store.listDirs(""), store, "list ");
            },
        }),
    ),
];

describe("ObjectStore contract", () => {
    before(async () => {
        await s3.start();
        await gcs.start();
    });

    after(async () => {
        await s3.stop();
        await gcs.stop();
        await local.cleanUp();
    });

    for (const backend of backends) {
        describe(backend.name, () => {
            for (const c of contract) it(c.name, async () => c.run(await backend.fresh(), backend));
        });
    }
});

describe("FallbackObjectStore", () => {
    const broken = new S3StandIn("primary-bucket", PAGE_SIZE);

    before(async () => {
        await s3.start();
        await gcs.start();
        await broken.start();
        broken.fault = "server-error";
    });

    after(async () => {
        await s3.stop();
        await gcs.stop();
        await broken.stop();
        await local.cleanUp();
    });

    const unreachablePrimary = () => openObjectStore("s3://primary-bucket/journal", { s3: broken.url });

    for (const backend of backends) {
        it(`reads from the ${backend.name} copy when the first location fails`, async () => {
            const copy = await backend.fresh();
            await putAll(copy, ["epochs/1/0000000001", "epochs/1/0000000002", "epochs/2/0000000001"]);
            const store = new FallbackObjectStore([unreachablePrimary(), copy]);
            assert.deepEqual(await store.get("epochs/1/0000000002"), text("body of epochs/1/0000000002"));
            assert.deepEqual(await store.list("epochs/1/", { startAfter: "epochs/1/0000000001" }), ["epochs/1/0000000002"]);
            assert.deepEqual(await store.listDirs("epochs/"), ["epochs/1/", "epochs/2/"]);
            assert.ok(broken.count() >= 3, "the first location was asked first");
        });

        it(`reads from the first location, ${backend.name}, while it answers, even when it lacks the key`, async () => {
            const first = await backend.fresh();
            await first.put("epochs/1/0000000001", text("from the first"));
            const copy = openObjectStore(pathToFileURL(await local.temporaryDir()).href);
            await copy.put("epochs/1/0000000001", text("from the copy"));
            await copy.put("epochs/1/0000000002", text("only in the copy"));
            const store = new FallbackObjectStore([first, copy]);
            assert.deepEqual(await store.get("epochs/1/0000000001"), text("from the first"));
            assert.equal(await store.get("epochs/1/0000000002"), undefined, "a missing key is an answer, not a failure");
        });
    }

    it("writes only to the first location, and fails when every location fails, naming each", async () => {
        const copy = openObjectStore(pathToFileURL(await local.temporaryDir()).href);
        const store = new FallbackObjectStore([unreachablePrimary(), copy]);
        await rejectsAsStoreError(store.putIfAbsent("k", text("x")), unreachablePrimary(), "create k");
        assert.equal(await copy.get("k"), undefined, "the copy is never written");

        const failingCopy = await local.failing();
        const nowhere = new FallbackObjectStore([unreachablePrimary(), failingCopy]);
        await assert.rejects(nowhere.get("k"), (error: unknown) => {
            assert.ok(error instanceof Error);
            assert.ok(error.message.includes("s3://primary-bucket/journal") && error.message.includes(failingCopy.url), error.message);
            return true;
        });
    });
});
