/** Instance-local facts that readiness depends on; flipped by start-up and by SIGTERM. */
export class Lifecycle {
    started = false;
    draining = false;
}
