/**
 * The image's HEALTHCHECK (`node dist/healthcheck.js`): asks this container's readiness probe,
 * on the port and path from the shared contract, so the Dockerfile repeats neither.
 * Kubernetes ignores it and uses the probes the Pulumi program declares on the same paths.
 */
import { ENV, HTTP_PORT, PROBE_PATHS } from "./contract";

const port = process.env[ENV.port] || String(HTTP_PORT);
fetch(`http://127.0.0.1:${port}${PROBE_PATHS.readyz}`, { signal: AbortSignal.timeout(2_000) })
    .then((response) => process.exit(response.ok ? 0 : 1))
    .catch(() => process.exit(1));
