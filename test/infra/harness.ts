import * as pulumi from "@pulumi/pulumi";
import type { Mocks } from "@pulumi/pulumi/runtime/mocks";
import { cloudMocks, installRecordingMocks, type RegisteredResource } from "../../infra/plan/mocks";

/** Resources registered by `build` under the plan's mocks (or `mocks`), once every registration settled. */
export async function declare(build: () => unknown, stack = "test", mocks: Mocks = cloudMocks): Promise<Resources> {
    const registered = installRecordingMocks("langchain-ha", stack, mocks);
    await pulumi.runtime.runInPulumiStack(async () => {
        build();
        return {};
    });
    await pulumi.runtime.disconnect();
    return new Resources([...registered.values()]);
}

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider payloads are untyped

/** Lookups over a run's resources. */
export class Resources {
    constructor(readonly all: RegisteredResource[]) {}

    ofType(type: string): RegisteredResource[] {
        return this.all.filter((r) => r.type === type);
    }

    inputsOf(type: string): Inputs[] {
        return this.ofType(type).map((r) => r.inputs as Inputs);
    }

    /** Kubernetes resources of `type` on one cluster, told apart by their provider's name. */
    onCluster(type: string, cluster: "eks" | "gke"): RegisteredResource[] {
        return this.ofType(type).filter((r) => (r.provider ?? "").includes(`${cluster}-k8s`));
    }

    one(type: string, name?: string): Inputs {
        const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
        if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
        return found[0]!.inputs as Inputs;
    }
}

/** A container's plain environment as a map (variables from secrets map to undefined). */
export function envOf(container: { env: { name: string; value?: string }[] }): Record<string, string | undefined> {
    return Object.fromEntries(container.env.map((e) => [e.name, e.value]));
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The plain value inside a secret as mocks receive it (`{<sig>: ..., value}`), or the value itself. */
export function unsecret<T = unknown>(value: unknown): T {
    if (value !== null && typeof value === "object" && SECRET_SIG in value) return (value as unknown as { value: T }).value;
    return value as T;
}
