import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type { MockCallArgs, MockResourceArgs, MockResourceResult, Mocks } from "@pulumi/pulumi/runtime/mocks";

/**
 * Pulumi mocks that answer like the clouds would (ids, ARNs, endpoints, load balancer
 * addresses), deterministic so that two plans of the same config are identical, and strict:
 * a data source the program is not known to call is an error rather than a silent `{}`.
 */

const ACCOUNT = "123456789012";
const MOCK_TRANSFER_SUBJECT = "109876543210987654321";
const MOCK_PROJECT_NUMBER = "987654321098";

/** A short stable suffix from a name, as Pulumi's autonaming would add. */
function suffix(name: string): string {
    let h = 2166136261;
    for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    return h.toString(16).padStart(8, "0").slice(0, 7);
}

type State = Record<string, unknown>;

function k8sState(args: MockResourceArgs, region: string): State {
    const inputs = args.inputs as State & { metadata?: State; spec?: State };
    const metadata = { ...(inputs.metadata ?? {}), name: inputs.metadata?.name ?? `${args.name}-${suffix(args.name)}` };
    const state: State = { ...inputs, metadata };
    if (args.type === "kubernetes:core/v1:Service" && inputs.spec?.type === "LoadBalancer") {
        // EKS reports an NLB hostname, GKE an IP address.
        const onGke = (args.provider ?? "").includes("gke");
        const ingress = onGke ? { ip: `34.${parseInt(suffix(args.name).slice(0, 2), 16)}.10.20` } : { hostname: `${args.name}-${suffix(args.name)}.elb.${region}.amazonaws.com` };
        state.status = { loadBalancer: { ingress: [ingress] } };
    }
    return state;
}

function cloudState(args: MockResourceArgs, id: string, region: string): State {
    const inputs = args.inputs as State;
    const physical = (inputs.name as string | undefined) ?? `${args.name}-${suffix(args.name)}`;
    const base: State = { ...inputs, id, name: physical, arn: `arn:aws:mock:${ACCOUNT}:${args.type.split(":")[1]}/${physical}` };
    switch (args.type) {
        case "aws:eks/cluster:Cluster":
            return {
                ...base,
                endpoint: `https://${suffix(args.name).toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
                certificateAuthority: { data: "TU9DSy1DQQ==" },
                identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${suffix(args.name).toUpperCase()}` }] }],
                vpcConfig: { ...(inputs.vpcConfig as State | undefined), clusterSecurityGroupId: `sg-${suffix(args.name)}` },
            };
        case "aws:eks/nodeGroup:NodeGroup":
            return { ...base, nodeGroupName: physical };
        case "aws:iam/role:Role":
            return { ...base, arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` };
        case "aws:s3/bucket:Bucket":
            return { ...base, bucket: physical, arn: `arn:aws:s3:::${physical}` };
        case "aws:sqs/queue:Queue":
            return { ...base, arn: `arn:aws:sqs:${region}:${ACCOUNT}:${physical}`, url: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${physical}` };
        case "aws:acm/certificate:Certificate": {
            const domain = inputs.domainName as string;
            return {
                ...base,
                domainValidationOptions: [{ domainName: domain, resourceRecordName: `_${suffix(domain)}.${domain}.`, resourceRecordType: "CNAME", resourceRecordValue: `_${suffix(physical)}.acm-validations.aws.` }],
            };
        }
        case "aws:acm/certificateValidation:CertificateValidation":
            return { ...base };
        case "aws:route53/record:Record":
            return { ...base, fqdn: inputs.name };
        case "aws:amp/workspace:Workspace":
            return { ...base, arn: `arn:aws:aps:${region}:${ACCOUNT}:workspace/ws-${suffix(args.name)}`, prometheusEndpoint: `https://aps-workspaces.${region}.amazonaws.com/workspaces/ws-${suffix(args.name)}/` };
        case "aws:amp/scraper:Scraper":
            return { ...base, roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_${suffix(args.name)}` };
        case "aws:sns/topic:Topic":
            return { ...base, arn: `arn:aws:sns:${region}:${ACCOUNT}:${physical}` };
        case "gcp:container/cluster:Cluster":
            return { ...base, endpoint: `35.${parseInt(suffix(args.name).slice(0, 2), 16)}.0.1`, masterAuth: { clusterCaCertificate: "TU9DSy1DQQ==" } };
        case "gcp:serviceaccount/account:Account":
            return { ...base, email: `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`, uniqueId: String(parseInt(suffix(args.name), 16)).padStart(21, "1"), name: `projects/${inputs.project}/serviceAccounts/${inputs.accountId}` };
        case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
            return { ...base, name: `projects/${MOCK_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}` };
        case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
            return {
                ...base,
                name: `projects/${MOCK_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}/providers/${inputs.workloadIdentityPoolProviderId}`,
            };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return { ...base, arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}` };
        case "gcp:storage/transferJob:TransferJob":
            return { ...base, name: `transferJobs/${suffix(args.name)}` };
        default:
            return base;
    }
}

/**
 * Mocks whose hostnames and ARNs name the region of the AWS provider a resource is created
 * with (the alarms' us-east-1 provider included), or `awsRegion()` (the stack's primary region)
 * for the default provider and the EKS cluster's Kubernetes objects.
 */
export function cloudMocksIn(awsRegion: () => string): Mocks {
    const providerRegions = new Map<string, string>();
    const regionOf = (provider: string | undefined): string => (provider ? providerRegions.get(provider.split("::").pop() ?? "") : undefined) ?? awsRegion();
    return {
        newResource(args: MockResourceArgs): MockResourceResult {
            if (args.type.startsWith("kubernetes:") && !args.type.startsWith("pulumi:providers")) {
                const state = k8sState(args, awsRegion());
                const metadata = state.metadata as { name: string; namespace?: string };
                return { id: metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name, state };
            }
            const id = args.custom === false ? undefined : `${args.name}-${suffix(args.name)}`;
            if (args.type === "pulumi:providers:aws" && id && typeof (args.inputs as State).region === "string") providerRegions.set(id, (args.inputs as State).region as string);
            // AWS provider v7 takes a region per resource too (the alarms' topic in us-east-1).
            const region = typeof (args.inputs as State).region === "string" ? (args.inputs as State).region as string : regionOf(args.provider);
            return { id, state: args.custom === false ? {} : cloudState(args, id ?? "", region) };
        },
        call: (args: MockCallArgs) => cloudMocks.call(args),
    };
}

export const cloudMocks: Mocks = {
    newResource(args: MockResourceArgs): MockResourceResult {
        return cloudMocksIn(() => "us-east-1").newResource(args) as MockResourceResult;
    },
    call(args: MockCallArgs) {
        if (args.token === "gcp:storage/getTransferProjectServiceAccount:getTransferProjectServiceAccount") {
            const project = (args.inputs as { project?: string }).project ?? "mock-project";
            const email = `project-${parseInt(suffix(project), 16)}@storage-transfer-service.iam.gserviceaccount.com`;
            return { id: project, project, email, member: `serviceAccount:${email}`, subjectId: MOCK_TRANSFER_SUBJECT };
        }
        if (args.token === "gcp:organizations/getProject:getProject") {
            const projectId = (args.inputs as { projectId?: string }).projectId ?? "mock-project";
            return { id: `projects/${projectId}`, projectId, name: projectId, number: String(parseInt(suffix(projectId), 16)).padStart(12, "2") };
        }
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
            return { id: ACCOUNT, accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:role/ci-deploy`, userId: "AROAMOCK:deploy" };
        }
        throw new Error(`the program called ${args.token}, which the mocks do not know; add it to infra/plan/mocks.ts`);
    },
};

/** What the engine would know of one registered resource. */
export interface RegisteredResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    id?: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
    parent?: string;
    provider?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void };
}

/**
 * A MockMonitor that also keeps what the engine records and mocks do not pass on: parent,
 * provider, dependencies, the inputs as sent and the outputs as returned.
 */
class RecordingMonitor extends MockMonitor {
    readonly registered = new Map<string, RegisteredResource>();

    constructor(mocks: Mocks, project: string, stack: string) {
        const recordingMocks: Mocks = {
            call: (args) => mocks.call(args),
            newResource: async (args) => {
                const result = await mocks.newResource(args);
                const key = `${args.type}::${args.name}`;
                this.pending.set(key, [...(this.pending.get(key) ?? []), { inputs: args.inputs as Record<string, unknown>, result }]);
                return result;
            },
        };
        super(recordingMocks);
        // The engine's URN rule, which MockMonitor simplifies: the type is the parent's whole
        // qualified type chain plus ours, and the root stack does not appear in it.
        Object.assign(this, {
            newUrn: (parent: string | undefined, type: string, name: string): string => {
                const parentType = parent ? parent.split("::")[2] : undefined;
                const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
                return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
            },
        });
    }

    /** Mock results by `type::name`, taken back by the registration they belong to (registrations interleave). */
    private readonly pending = new Map<string, { inputs: Record<string, unknown>; result: MockResourceResult }[]>();

    override async registerResource(req: RegisterRequest, callback: (err: unknown, response: unknown) => void): Promise<void> {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => { propertyDependencies[key] = deps.getUrnsList(); });
        await super.registerResource(req, (err: unknown, response: unknown) => {
            const captured = this.pending.get(`${req.getType()}::${req.getName()}`)?.shift();
            if (!err && response && captured) {
                const r = response as { getUrn(): string; getId(): string };
                this.registered.set(r.getUrn(), {
                    urn: r.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    id: r.getId() || undefined,
                    inputs: captured.inputs,
                    outputs: captured.result.state,
                    parent: req.getParent() || undefined,
                    provider: req.getProvider() || undefined,
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                });
            }
            callback(err, response);
        });
    }

    override registerResourceOutputs(req: { getUrn(): string; getOutputs(): unknown }, callback: (err: unknown, response: unknown) => void): void {
        const entry = this.registered.get(req.getUrn());
        if (entry) {
            const outputs = pulumi.runtime.deserializeProperties(req.getOutputs() as Parameters<typeof pulumi.runtime.deserializeProperties>[0]);
            entry.outputs = outputs as Record<string, unknown>;
        }
        super.registerResourceOutputs(req, callback);
    }
}

/** Installs recording mocks for `project`/`stack` and returns the map they fill. */
export function installRecordingMocks(project: string, stack: string, mocks: Mocks = cloudMocks): Map<string, RegisteredResource> {
    const monitor = new RecordingMonitor(mocks, project, stack);
    // What setMocks does with its own MockMonitor; the SDK then asks ours which features it supports.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean): void };
    settings.setMockOptions(monitor, project, stack, false);
    return monitor.registered;
}
