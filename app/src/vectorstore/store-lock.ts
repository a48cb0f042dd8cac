import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { StoreOpenError } from "./embedded-log";

/** Who holds a store, as the holder recorded it in the lock. */
export interface Holder {
    pid: number;
    host: string;
    since: string;
    /** Tells this holder's lock from one another process made in its place. */
    token: string;
}

export interface StoreLockOptions {
    /**
     * A lock its holder has not refreshed for this long belongs to a process that stopped without
     * releasing it (killed, or its machine lost), and is taken over. At least 2 s; the holder
     * refreshes it every half of this.
     */
    staleMs: number;
    /** Where the line saying that start-up waits for another holder goes. */
    warn: (message: string) => void;
    /** Called once if the lock is lost while held: removed, or taken over by another process. */
    onLost: (error: Error) => void;
}

/** How often a waiting process tries the lock again. */
const RETRY_MS = 500;
const HOLDER_FILE = "holder.json";

/**
 * One process per store file. `<file>.lock` is a directory (mkdir is atomic, on network
 * filesystems too) holding the holder's record; the holder refreshes its mtime, so a lock left
 * by a process that was killed goes stale and is taken over.
 *
 * A second process on the same host is refused at once while the holder's pid is alive, and
 * takes the lock at once when it is not. A holder on another host is waited for until its lock
 * is released or goes stale. A holder that finds its lock gone, or another's record in it, stops
 * writing.
 *
 * (proper-lockfile does the same with mkdir and mtimes, but loads signal-exit, whose handlers
 * turn SIGXFSZ, which Node ignores so that a write past the file size limit fails with EFBIG,
 * into the end of the process.)
 */
export class StoreLock {
    private state: "held" | "lost" | "released" = "held";
    private lostBecause: Error | undefined;
    private timer: NodeJS.Timeout | undefined;
    private refreshedAt = Date.now();

    private constructor(
        private readonly path: string,
        private readonly token: string,
        private readonly staleMs: number,
        private readonly onLost: (error: Error) => void,
    ) {
        held.add(path);
        if (held.size === 1) process.once("exit", removeHeldSync);
        this.schedule();
    }

    static async acquire(file: string, options: StoreLockOptions): Promise<StoreLock> {
        const path = `${file}.lock`;
        if (held.has(path)) throw new StoreOpenError(`${dirname(file)} is already open in this process`);
        const staleMs = Math.max(2_000, options.staleMs);
        let waitUntil: number | undefined;
        for (;;) {
            const blocker = await take(path, staleMs);
            if (blocker === undefined) break;
            const holder = describe(blocker);
            if (blocker.alive) throw inUse(file, holder);
            if (waitUntil === undefined) {
                const waitMs = staleMs + 2 * RETRY_MS;
                waitUntil = Date.now() + waitMs;
                options.warn(`${dirname(file)} is in use by ${holder}; waiting up to ${Math.ceil(waitMs / 1000)} s for it to stop, or for its lock to go stale (${staleMs / 1000} s without a refresh)`);
            } else if (Date.now() >= waitUntil) {
                throw inUse(file, holder);
            }
            await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
        try {
            const holder: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
            await writeFile(join(path, HOLDER_FILE), `${JSON.stringify(holder)}\n`);
            return new StoreLock(path, holder.token, staleMs, options.onLost);
        } catch (error) {
            await rm(path, { recursive: true, force: true });
            throw cannotLock(path, error);
        }
    }

    /** Why the lock was lost, once it was (it is never held again). */
    get lost(): Error | undefined {
        return this.lostBecause;
    }

    /** Releases the lock, unless it was lost: then it may be another process's now. */
    async release(): Promise<void> {
        if (this.state !== "held") return;
        this.state = "released";
        clearTimeout(this.timer);
        forget(this.path);
        await rm(this.path, { recursive: true, force: true });
    }

    private schedule(): void {
        // Unref'd: a held lock never keeps the process alive; the exit hook removes it.
        this.timer = setTimeout(() => void this.refresh(), this.staleMs / 2).unref();
    }

    private async refresh(): Promise<void> {
        let lost: string | undefined;
        try {
            const record = JSON.parse(await readFile(join(this.path, HOLDER_FILE), "utf8")) as Partial<Holder>;
            if (record.token !== this.token) lost = "another process has taken it over";
            else if (this.state === "held") {
                await utimes(this.path, new Date(), new Date());
                this.refreshedAt = Date.now();
            }
        } catch (error) {
            // A passing fault (a network filesystem's) is tried again until the lock could have gone stale.
            if ((error as NodeJS.ErrnoException).code === "ENOENT") lost = "it was removed";
            else if (Date.now() - this.refreshedAt >= this.staleMs) lost = `it could not be refreshed: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (this.state !== "held") return;
        if (lost === undefined) return this.schedule();
        this.state = "lost";
        forget(this.path);
        this.lostBecause = new Error(`${this.path}: the lock was lost (${lost}); no more writes go to this store; restart the service`);
        this.onLost(this.lostBecause);
    }
}

/** What stands in the way of taking the lock, with whether its holder is known to be running. */
interface Blocker {
    holder: Partial<Holder> | undefined;
    alive: boolean;
}

/** Takes the lock (mkdir), first removing one whose holder is gone; otherwise says who holds it. */
async function take(path: string, staleMs: number): Promise<Blocker | undefined> {
    if (await created(path)) return undefined;
    const holder = await readHolder(path);
    const mtimeMs = await stat(path).then(
        (s) => s.mtimeMs,
        () => undefined,
    );
    if (mtimeMs === undefined) return (await created(path)) ? undefined : { holder, alive: false };
    const fresh = Date.now() - mtimeMs <= staleMs;
    // process.kill(0 or a negative pid) would signal a process group: only a real pid is asked about.
    const here = holder?.host === hostname() && Number.isInteger(holder.pid) && (holder.pid as number) > 0;
    // A pid equal to ours is an earlier run of this process (a container's pid 1, restarted).
    const alive = here && holder.pid !== process.pid && running(holder.pid as number);
    if (fresh && (!here || alive)) return { holder, alive };
    await rm(path, { recursive: true, force: true });
    return (await created(path)) ? undefined : { holder: await readHolder(path), alive: false };
}

async function created(path: string): Promise<boolean> {
    try {
        await mkdir(path);
        return true;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw cannotLock(path, error);
    }
}

async function readHolder(path: string): Promise<Partial<Holder> | undefined> {
    try {
        const parsed: unknown = JSON.parse(await readFile(join(path, HOLDER_FILE), "utf8"));
        return typeof parsed === "object" && parsed !== null ? (parsed as Partial<Holder>) : undefined;
    } catch {
        // No record yet (the holder has just made the lock) or an unreadable one.
        return undefined;
    }
}

function running(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        // EPERM: it exists, under another user.
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

function describe(blocker: Blocker): string {
    const h = blocker.holder;
    if (typeof h?.pid === "number" && typeof h.host === "string" && typeof h.since === "string") return `another process (pid ${h.pid} on ${h.host}, since ${h.since})`;
    return "another process";
}

function inUse(file: string, holder: string): StoreOpenError {
    return new StoreOpenError(`${dirname(file)} is in use by ${holder}: one process per DATA_DIR; stop that process, or set DATA_DIR to another directory`);
}

function cannotLock(path: string, error: unknown): StoreOpenError {
    return new StoreOpenError(`${path} could not be made: ${error instanceof Error ? error.message : String(error)}`);
}

/** The locks this process holds: removed when it exits, so only a killed process leaves one behind. */
const held = new Set<string>();

function forget(path: string): void {
    held.delete(path);
    if (held.size === 0) process.off("exit", removeHeldSync);
}

function removeHeldSync(): void {
    for (const path of held) rmSync(path, { recursive: true, force: true });
}
