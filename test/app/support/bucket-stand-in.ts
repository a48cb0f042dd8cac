import type { ServerResponse } from "node:http";
import { HttpStandIn, type RecordedRequest } from "./http-stand-in";

/** What a stand-in answers instead of serving: a server fault (500) or a refusal (403). */
export type BucketFault = "server-error" | "denied";

export interface ListingQuery {
    prefix: string;
    delimiter?: string;
    /** Object names strictly after this one (S3's StartAfter). */
    startAfter?: string;
    /** Object names equal to or after this one (GCS's startOffset). */
    startOffset?: string;
    /** Entries (keys or rolled-up prefixes) strictly after the last one of the previous page. */
    resumeAfter?: string;
    maxEntries: number;
}

export interface ListingPage {
    keys: string[];
    prefixes: string[];
    /** The last name on this page when more follow, for the next page's token. */
    next?: string;
}

/** Entries beyond this are refused, and the server closes itself after LIFETIME_MS: a forgotten stand-in cannot linger. */
const MAX_REQUESTS = 5000;
const LIFETIME_MS = 120_000;

/**
 * The object-storage side shared by the S3 and GCS stand-ins: one in-memory bucket, listings in
 * byte order with delimiter roll-up into common prefixes, pages of at most `pageSize` entries
 * (keys plus prefixes, as both services count them), and a switch to answer every request with
 * a fault. Requests are counted and the server stops itself after a bounded lifetime.
 */
export abstract class BucketStandIn extends HttpStandIn {
    readonly objects = new Map<string, Buffer>();
    fault: BucketFault | undefined;
    private lifetime?: NodeJS.Timeout;

    constructor(
        readonly bucket: string,
        readonly pageSize: number,
    ) {
        super((request, res) => this.serve(request, res));
    }

    override async start(): Promise<this> {
        await super.start();
        this.lifetime = setTimeout(() => void this.stop(), LIFETIME_MS).unref();
        return this;
    }

    override async stop(): Promise<void> {
        clearTimeout(this.lifetime);
        await super.stop();
    }

    /** Forgets every object, recorded request and fault. */
    reset(): void {
        this.objects.clear();
        this.requests.length = 0;
        this.fault = undefined;
    }

    /** Every stored name, in order: what the bucket holds, prefix included. */
    names(): string[] {
        return [...this.objects.keys()].sort(byteOrder);
    }

    protected listing(query: ListingQuery): ListingPage {
        const entries: { name: string; isPrefix: boolean }[] = [];
        for (const name of this.names()) {
            if (!name.startsWith(query.prefix)) continue;
            if (query.startAfter !== undefined && byteOrder(name, query.startAfter) <= 0) continue;
            if (query.startOffset !== undefined && byteOrder(name, query.startOffset) < 0) continue;
            const rest = name.slice(query.prefix.length);
            const cut = query.delimiter ? rest.indexOf(query.delimiter) : -1;
            const entry = cut === -1 ? { name, isPrefix: false } : { name: query.prefix + rest.slice(0, cut + query.delimiter!.length), isPrefix: true };
            if (query.resumeAfter !== undefined && byteOrder(entry.name, query.resumeAfter) <= 0) continue;
            if (entries.at(-1)?.name !== entry.name) entries.push(entry);
        }
        const page = entries.slice(0, Math.max(0, Math.min(query.maxEntries, this.pageSize)));
        return {
            keys: page.filter((e) => !e.isPrefix).map((e) => e.name),
            prefixes: page.filter((e) => e.isPrefix).map((e) => e.name),
            next: entries.length > page.length && page.length > 0 ? page.at(-1)!.name : undefined,
        };
    }

    private serve(request: RecordedRequest, res: ServerResponse): void | Promise<void> {
        if (this.requests.length > MAX_REQUESTS) {
            res.writeHead(503).end();
            void this.stop();
            return;
        }
        return this.respond(request, res);
    }

    protected abstract respond(request: RecordedRequest, res: ServerResponse): void | Promise<void>;
}

/** Both services order names by their UTF-8 bytes. */
export function byteOrder(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Opaque page tokens, as both services hand them out. */
export const pageToken = {
    encode: (lastName: string) => Buffer.from(lastName, "utf8").toString("base64url"),
    decode: (token: string) => Buffer.from(token, "base64url").toString("utf8"),
};
