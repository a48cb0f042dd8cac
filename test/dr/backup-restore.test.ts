import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { World } from "./support/world";

describe("dr backup and restore", () => {
    let world: World;
    beforeEach(async () => { world = await new World().start(); });
    afterEach(async () => { await world.stop(); });

    it("backup: snapshot on the writer, verify, copy to the other cloud, verify the copy", async () => {
        const r = await world.run(["backup", "--yes", "--json"]);
        assert.equal(r.code, 0, r.err);
        const report = JSON.parse(r.out) as { setId: string; writer: string };
        assert.equal(report.writer, "aws");
        for (const dir of Object.values(world.snapshotDirs)) {
            assert.deepEqual(fs.readdirSync(path.join(dir, report.setId)).sort(), ["manifest.json", "points-0.jsonl"]);
        }
    });

    it("backup stops on a set whose bytes do not match its checksums", async () => {
        world.service.aws.onRequest = (key) => {
            if (key !== "GET /v1/replication") return;
            // Corrupt whatever set exists by the time the verification reads it.
            for (const set of fs.existsSync(world.snapshotDirs.aws) ? fs.readdirSync(world.snapshotDirs.aws) : []) fs.writeFileSync(path.join(world.snapshotDirs.aws, set, "points-0.jsonl"), "tampered\n");
        };
        const first = await world.run(["backup", "--yes"]);
        assert.equal(first.code, 0, first.err); // nothing corrupted yet: replication is read before the snapshot
        world.service.aws.onRequest = undefined;
        const set = fs.readdirSync(world.snapshotDirs.gcp)[0]!;
        fs.writeFileSync(path.join(world.snapshotDirs.gcp, set, "points-0.jsonl"), "tampered\n");
        const restore = await world.run(["restore", "--from", set, "--to", "gcp", "--yes"]);
        assert.equal(restore.code, 1);
        assert.match(restore.err, /refused: set set-0001 at gcp fails its checksums: points-0.jsonl/);
    });

    it("restore refuses when there is no snapshot set", async () => {
        const r = await world.run(["restore", "--from", "latest", "--to", "gcp", "--yes"]);
        assert.equal(r.code, 1);
        assert.match(r.err, /refused: no snapshot set found at gcp's or aws's snapshot location/);
    });

    it("restore refuses to restore over the writer", async () => {
        assert.equal((await world.run(["backup", "--yes"])).code, 0);
        const r = await world.run(["restore", "--from", "latest", "--to", "aws", "--yes"]);
        assert.equal(r.code, 1);
        assert.match(r.err, /refused: aws is the writer/);
    });

    it("restore stages a set found only in the other cloud and waits for the replay past its position", async () => {
        assert.equal((await world.run(["backup", "--yes"])).code, 0);
        fs.rmSync(world.snapshotDirs.gcp, { recursive: true });
        // The follower has not replayed past the set yet: the replay step waits, and gives up.
        const waiting = await world.run(["restore", "--from", "set-0001", "--yes", "--replay-timeout", "1"]);
        assert.equal(waiting.code, 1);
        assert.match(waiting.err, /gcp to replay past e1\/41: not after/);
        world.service.gcp.state.position = { epoch: 1, seq: 45 };
        const r = await world.run(["restore", "--from", "set-0001", "--yes", "--json"]);
        assert.equal(r.code, 0, r.err);
        const report = JSON.parse(r.out) as { target: string; setId: string };
        assert.equal(report.target, "gcp");
        assert.ok(fs.existsSync(path.join(world.snapshotDirs.gcp, "set-0001", "manifest.json")));
    });

    it("dry run of restore changes nothing", async () => {
        const r = await world.run(["restore", "--from", "latest", "--to", "gcp", "--dry-run"]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /1\. Pre-flight: find the set/);
        assert.equal(fs.existsSync(world.snapshotDirs.gcp), false);
    });
});
