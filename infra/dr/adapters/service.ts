import { PromoteConflict, type PromoteResult, type ReplicationStatus, type ServiceApi, type SnapshotManifest } from "./types";

/**
 * One side's service over its own HTTP API: `/health`, `/v1/replication` and the admin routes
 * (`Authorization: Bearer <admin token>`). Every call has a deadline, so a dead side answers
 * "unreachable" in seconds instead of hanging the runbook.
 */
export class ServiceHttpApi implements ServiceApi {
    constructor(
        readonly url: string,
        private readonly adminToken: () => Promise<string>,
        private readonly timeoutMs = 5_000,
        /** Promotion replays what the old writer left: it may take longer than a probe. */
        private readonly promoteTimeoutMs = 120_000,
    ) {}

    async health(): Promise<{ httpStatus: number; body: Record<string, unknown> }> {
        const response = await this.call("GET", "/health");
        return { httpStatus: response.status, body: await jsonOf(response) };
    }

    async replication(): Promise<ReplicationStatus> {
        const response = await this.call("GET", "/v1/replication");
        if (!response.ok) throw new Error(`${this.url}/v1/replication answered ${response.status}`);
        return (await response.json()) as ReplicationStatus;
    }

    async promote(mode: "planned" | "unplanned"): Promise<PromoteResult> {
        const response = await this.call("POST", "/admin/v1/promote", { mode }, this.promoteTimeoutMs);
        const body = await jsonOf(response);
        if (response.status === 409) throw new PromoteConflict(String(body.message ?? "the old writer cannot be fenced"));
        if (!response.ok) throw new Error(`${this.url}/admin/v1/promote answered ${response.status}: ${String(body.message ?? "")}`);
        return body as unknown as PromoteResult;
    }

    async snapshot(): Promise<SnapshotManifest> {
        const response = await this.call("POST", "/admin/v1/snapshots", {}, this.promoteTimeoutMs);
        const body = await jsonOf(response);
        if (!response.ok) throw new Error(`${this.url}/admin/v1/snapshots answered ${response.status}: ${String(body.message ?? "")}`);
        return body as unknown as SnapshotManifest;
    }

    private async call(method: "GET" | "POST", path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<Response> {
        const headers: Record<string, string> = {};
        if (path.startsWith("/admin/")) headers.authorization = `Bearer ${await this.adminToken()}`;
        if (body !== undefined) headers["content-type"] = "application/json";
        try {
            return await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
        } catch (error) {
            const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
            throw new Error(`${this.url} unreachable (${cause})`);
        }
    }
}

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
    try {
        const value: unknown = await response.json();
        return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
    } catch {
        return {};
    }
}
