import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { backupSchedule, cronEvery, journalExpiry, recoveryTimes } from "../../infra/config/derive";

/** Values worked out by hand from the rules in derive.ts's comments, never by calling it. */
describe("derived schedules (exact)", () => {
    test("event mode: worst case = snapshot interval (largest cron-friendly value within half the RPO) + 5 min transfer delay", () => {
        // RPO -> interval by hand: 10 -> 5, 15 -> 5 (7.5 is not cron-friendly), 45 -> 20, 120 -> 60, 1440 -> 720, 10080 -> 1440.
        const cases: Array<[number, number, string, number]> = [
            [10, 5, "*/5 * * * *", 10],
            [15, 5, "*/5 * * * *", 10],
            [45, 20, "*/20 * * * *", 25],
            [120, 60, "0 * * * *", 65],
            [1440, 720, "0 */12 * * *", 725],
            [10080, 1440, "0 0 * * *", 1445],
        ];
        for (const [rpo, every, cron, worst] of cases) {
            assert.deepEqual(backupSchedule(rpo, "event"), { snapshotEveryMinutes: every, snapshotCron: cron, transferRepeatInterval: `${every * 60}s`, worstCaseRpoMinutes: worst }, `RPO ${rpo}`);
        }
    });

    test("schedule mode: the transfer takes max(60, half the RPO rounded down to cron-friendly), the snapshots the rest", () => {
        assert.deepEqual(backupSchedule(100, "schedule"), { snapshotEveryMinutes: 30, snapshotCron: "*/30 * * * *", transferRepeatInterval: "3600s", worstCaseRpoMinutes: 90 });
        assert.deepEqual(backupSchedule(1440, "schedule"), { snapshotEveryMinutes: 720, snapshotCron: "0 */12 * * *", transferRepeatInterval: "43200s", worstCaseRpoMinutes: 1440 });
        assert.throws(() => backupSchedule(64, "schedule"), { message: "an RPO of 64 min cannot be met with scheduled transfers; it needs at least 65 min" });
    });

    test("cron for each boundary of the interval ranges", () => {
        assert.equal(cronEvery(5), "*/5 * * * *");
        assert.equal(cronEvery(30), "*/30 * * * *");
        assert.equal(cronEvery(60), "0 * * * *");
        assert.equal(cronEvery(120), "0 */2 * * *");
        assert.equal(cronEvery(720), "0 */12 * * *");
        assert.equal(cronEvery(1440), "0 0 * * *");
    });

    test("journal expiry: three snapshot intervals rounded up to whole days, plus the retention", () => {
        assert.deepEqual(journalExpiry(30, 7), { marginDays: 1, expiryDays: 8 }); // 90 min -> 1 day
        assert.deepEqual(journalExpiry(480, 7), { marginDays: 1, expiryDays: 8 }); // 1440 min -> exactly 1 day
        assert.deepEqual(journalExpiry(720, 7), { marginDays: 2, expiryDays: 9 }); // 2160 min -> 2 days
        assert.deepEqual(journalExpiry(1440, 30), { marginDays: 3, expiryDays: 33 });
    });

    test("recovery times: interval x threshold + TTL, plus the scale-up on pilot-light only", () => {
        const dns = { ttlSeconds: 30, healthCheck: { intervalSeconds: 10, failureThreshold: 3 } };
        assert.deepEqual(recoveryTimes({ dns, dr: { mode: "warm", scaleUpMinutes: 4 } } as Parameters<typeof recoveryTimes>[0]), { detectionSeconds: 30, ttlSeconds: 30, scaleUpSeconds: 0, impliedRtoSeconds: 60 });
        assert.deepEqual(recoveryTimes({ dns, dr: { mode: "pilot-light", scaleUpMinutes: 4.5 } } as Parameters<typeof recoveryTimes>[0]), { detectionSeconds: 30, ttlSeconds: 30, scaleUpSeconds: 270, impliedRtoSeconds: 330 });
    });
});
