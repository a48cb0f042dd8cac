import YAML, { type CollectionTag, type ScalarTag, type Tags } from "yaml";

/**
 * Reading a CloudFormation template for the resource kinds the pack knows: the template's
 * resources are turned into the shape of the matching Pulumi AWS resources (type token and
 * property names), so that the pack's own rules can judge them. Intrinsic functions are
 * resolved where the template alone tells the value (Ref to a resource or a parameter, an AZ
 * picked by index); anything else becomes an unknown value, which rules report as undecided.
 */

/** A value the template alone does not tell (a Fn::ImportValue, a condition, a pseudo parameter). */
export const TEMPLATE_UNKNOWN: unique symbol = Symbol("template-unknown");

export interface TemplateResource {
    logicalId: string;
    /** The CloudFormation type, e.g. AWS::RDS::DBInstance. */
    cfnType: string;
    /** The Pulumi type token it stands for. */
    type: string;
    /** Properties in the Pulumi resource's shape; unresolvable values are TEMPLATE_UNKNOWN. */
    props: Record<string, unknown>;
    /** Pulumi property name -> CloudFormation property name, for messages. */
    names: Record<string, string>;
}

export interface ParsedTemplate {
    resources: TemplateResource[];
    /** Resources the pack cannot look into either: nested stacks, modules, macros. */
    opaque: { logicalId: string; cfnType: string }[];
}

const INTRINSICS = ["Ref", "GetAtt", "Select", "GetAZs", "Sub", "If", "Join", "Split", "FindInMap", "ImportValue", "Equals", "Not", "And", "Or", "Condition", "Base64", "Cidr", "Transform", "Length", "ToJsonString"];

const YAML_TAGS: Tags = INTRINSICS.flatMap((f): Tags => {
    const key = f === "Ref" || f === "Condition" ? f : `Fn::${f}`;
    const collection = (kind: "seq" | "map"): CollectionTag => ({ tag: `!${f}`, collection: kind, resolve: (node) => ({ [key]: node.toJSON() }) });
    const scalar: ScalarTag = { tag: `!${f}`, resolve: (s: string) => ({ [key]: f === "GetAtt" ? s.split(".") : s }) };
    return [scalar, collection("seq"), collection("map")];
});

/** Parses a template body in JSON or YAML (with the short intrinsic tags). */
export function parseTemplateBody(body: string): Record<string, unknown> {
    const trimmed = body.trim();
    const doc: unknown = trimmed.startsWith("{") ? JSON.parse(trimmed) : YAML.parse(body, { customTags: YAML_TAGS });
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error("the template is not an object");
    return doc as Record<string, unknown>;
}

/** PascalCase CloudFormation names to the camelCase of the Pulumi SDK (MultiAZ -> multiAz, AZMode -> azMode). */
export function camel(key: string): string {
    return key
        .replace(/^[A-Z]+(?=[A-Z][a-z]|\d|$)|^[A-Z]/, (m) => m.toLowerCase())
        .replace(/AZ/g, "Az")
        .replace(/ARN/g, "Arn");
}

interface Translation {
    type: string;
    /** CloudFormation property -> Pulumi path (dotted) where the generic camelCase is not it. */
    rename?: Record<string, string>;
    /** Adjusts the translated properties (defaults that differ, derived values). */
    adjust?: (props: Record<string, unknown>, raw: Record<string, unknown>, logicalId: string) => void;
}

/** `Key`/`Value` attribute lists of ELBv2 resources. */
function attribute(raw: Record<string, unknown>, key: string): unknown {
    const list = raw["LoadBalancerAttributes"];
    if (!Array.isArray(list)) return undefined;
    const found = list.find((a) => a !== null && typeof a === "object" && (a as Record<string, unknown>)["Key"] === key) as Record<string, unknown> | undefined;
    return found?.["Value"];
}

const DB_INSTANCE_RENAMES = { MultiAZ: "multiAz", DBClusterIdentifier: "clusterIdentifier", SourceDBInstanceIdentifier: "replicateSourceDb", DBInstanceClass: "instanceClass" };

/** The CloudFormation types the pack knows, in the shape of their Pulumi resources. */
const TRANSLATIONS: Record<string, Translation> = {
    "AWS::EC2::Subnet": { type: "aws:ec2/subnet:Subnet" },
    "AWS::EC2::Instance": { type: "aws:ec2/instance:Instance" },
    "AWS::RDS::DBInstance": { type: "aws:rds/instance:Instance", rename: DB_INSTANCE_RENAMES },
    "AWS::RDS::DBCluster": { type: "aws:rds/cluster:Cluster", rename: { DBClusterIdentifier: "clusterIdentifier" } },
    "AWS::ElastiCache::ReplicationGroup": { type: "aws:elasticache/replicationGroup:ReplicationGroup", rename: { MultiAZEnabled: "multiAzEnabled" } },
    "AWS::ElastiCache::CacheCluster": { type: "aws:elasticache/cluster:Cluster" },
    "AWS::AutoScaling::AutoScalingGroup": {
        type: "aws:autoscaling/group:Group",
        rename: { VPCZoneIdentifier: "vpcZoneIdentifiers", TargetGroupARNs: "targetGroupArns", LoadBalancerNames: "loadBalancers" },
    },
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {
        type: "aws:lb/loadBalancer:LoadBalancer",
        rename: { Type: "loadBalancerType" },
        adjust(props, raw) {
            props["internal"] = raw["Scheme"] === "internal";
            const crossZone = attribute(raw, "load_balancing.cross_zone.enabled");
            if (crossZone !== undefined) props["enableCrossZoneLoadBalancing"] = crossZone === true || crossZone === "true";
        },
    },
    "AWS::ElasticLoadBalancingV2::TargetGroup": {
        type: "aws:lb/targetGroup:TargetGroup",
        rename: { HealthCheckEnabled: "healthCheck.enabled", HealthCheckPath: "healthCheck.path" },
    },
    "AWS::ElasticLoadBalancing::LoadBalancer": {
        type: "aws:elb/loadBalancer:LoadBalancer",
        rename: { CrossZone: "crossZoneLoadBalancing" },
        adjust(props, raw) {
            props["internal"] = raw["Scheme"] === "internal";
            // CloudFormation's default is no cross-zone balancing, the Pulumi provider's is on.
            if (raw["CrossZone"] === undefined) props["crossZoneLoadBalancing"] = false;
        },
    },
    "AWS::EFS::FileSystem": { type: "aws:efs/fileSystem:FileSystem" },
    "AWS::OpenSearchService::Domain": { type: "aws:opensearch/domain:Domain" },
    "AWS::Elasticsearch::Domain": { type: "aws:elasticsearch/domain:Domain", rename: { ElasticsearchClusterConfig: "clusterConfig" } },
    "AWS::DocDB::DBCluster": { type: "aws:docdb/cluster:Cluster", rename: { DBClusterIdentifier: "clusterIdentifier" } },
    "AWS::DocDB::DBInstance": { type: "aws:docdb/clusterInstance:ClusterInstance", rename: { DBClusterIdentifier: "clusterIdentifier" } },
    "AWS::Neptune::DBCluster": { type: "aws:neptune/cluster:Cluster", rename: { DBClusterIdentifier: "clusterIdentifier" } },
    "AWS::Neptune::DBInstance": { type: "aws:neptune/clusterInstance:ClusterInstance", rename: { DBClusterIdentifier: "clusterIdentifier" } },
    "AWS::MSK::Cluster": { type: "aws:msk/cluster:Cluster" },
    "AWS::DynamoDB::Table": {
        type: "aws:dynamodb/table:Table",
        rename: { PointInTimeRecoverySpecification: "pointInTimeRecovery" },
        adjust(props) {
            const pitr = props["pointInTimeRecovery"];
            if (pitr !== null && typeof pitr === "object") props["pointInTimeRecovery"] = { enabled: (pitr as Record<string, unknown>)["pointInTimeRecoveryEnabled"] };
        },
    },
    "AWS::EKS::Nodegroup": { type: "aws:eks/nodeGroup:NodeGroup", rename: { Subnets: "subnetIds" } },
};

/** Pulumi property -> CloudFormation property, as the translations rename them, for messages. */
function renamedNames(cfnType: string): Record<string, string> {
    return Object.fromEntries(Object.entries(TRANSLATIONS[cfnType]?.rename ?? {}).map(([cfn, path]) => [path.split(".")[0] as string, cfn]));
}

/** An RDS DBInstance in a cluster is the Pulumi ClusterInstance. */
function pulumiType(cfnType: string, raw: Record<string, unknown>): string | undefined {
    if (cfnType === "AWS::RDS::DBInstance" && raw["DBClusterIdentifier"] !== undefined) return "aws:rds/clusterInstance:ClusterInstance";
    return TRANSLATIONS[cfnType]?.type;
}

const OPAQUE_TYPES = /^(AWS::CloudFormation::Stack|AWS::Serverless::Application|AWS::ServiceCatalog::CloudFormationProvisionedProduct|.*::MODULE)$/;

interface Scope {
    resources: Set<string>;
    parameters: Record<string, unknown>;
}

/** Resolves intrinsic functions the template alone can tell. */
function resolve(v: unknown, scope: Scope): unknown {
    if (Array.isArray(v)) return v.map((x) => resolve(x, scope));
    if (v === null || typeof v !== "object") return v;
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0]?.startsWith("Fn::"))) {
        const fn = keys[0];
        const arg = obj[fn];
        if (fn === "Ref" && typeof arg === "string") {
            if (scope.resources.has(arg)) return arg; // A resource's Ref stands for its id; translated resources carry it as id and arn.
            if (arg in scope.parameters) return scope.parameters[arg];
            return TEMPLATE_UNKNOWN;
        }
        if (fn === "Fn::GetAtt" && Array.isArray(arg) && typeof arg[0] === "string" && scope.resources.has(arg[0])) return arg[0];
        if (fn === "Fn::Select" && Array.isArray(arg)) {
            const index = Number(resolve(arg[0], scope));
            const list = arg[1];
            if (list !== null && typeof list === "object" && !Array.isArray(list) && "Fn::GetAZs" in list) return Number.isInteger(index) ? `<AZ ${index} of the region>` : TEMPLATE_UNKNOWN;
            const items = resolve(list, scope);
            return Array.isArray(items) && Number.isInteger(index) ? items[index] ?? TEMPLATE_UNKNOWN : TEMPLATE_UNKNOWN;
        }
        return TEMPLATE_UNKNOWN;
    }
    return Object.fromEntries(keys.map((k) => [k, resolve(obj[k], scope)]));
}

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
    const keys = dotted.split(".");
    let cur = obj;
    for (const key of keys.slice(0, -1)) {
        if (cur[key] === null || typeof cur[key] !== "object") cur[key] = {};
        cur = cur[key] as Record<string, unknown>;
    }
    cur[keys[keys.length - 1] as string] = value;
}

/** Keys to camelCase; CloudFormation's "true"/"false" strings to booleans, as the Pulumi SDK types them. */
function camelDeep(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(camelDeep);
    if (v === "true" || v === "false") return v === "true";
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [camel(k), camelDeep(x)]));
}

/**
 * The resources of a template that the pack knows, translated. `parameters` are the stack's
 * parameter values (they win over the template's defaults).
 */
export function translateTemplate(template: Record<string, unknown>, parameters: Record<string, unknown> = {}): ParsedTemplate {
    const declared = template["Resources"];
    const resources = declared !== null && typeof declared === "object" ? (declared as Record<string, unknown>) : {};
    const params: Record<string, unknown> = {};
    const paramDecls = template["Parameters"];
    if (paramDecls !== null && typeof paramDecls === "object") {
        for (const [name, decl] of Object.entries(paramDecls as Record<string, unknown>)) {
            const d = decl !== null && typeof decl === "object" ? (decl as Record<string, unknown>)["Default"] : undefined;
            if (d !== undefined) params[name] = d;
        }
    }
    Object.assign(params, parameters);
    const scope: Scope = { resources: new Set(Object.keys(resources)), parameters: params };
    const out: ParsedTemplate = { resources: [], opaque: [] };
    for (const [logicalId, decl] of Object.entries(resources)) {
        const r = decl !== null && typeof decl === "object" ? (decl as Record<string, unknown>) : {};
        const cfnType = typeof r["Type"] === "string" ? r["Type"] : "";
        const raw = resolve(r["Properties"] ?? {}, scope) as Record<string, unknown>;
        if (OPAQUE_TYPES.test(cfnType)) {
            out.opaque.push({ logicalId, cfnType });
            continue;
        }
        const type = pulumiType(cfnType, raw);
        const t = TRANSLATIONS[cfnType];
        if (type === undefined || t === undefined) continue;
        const props: Record<string, unknown> = { id: logicalId, arn: logicalId };
        const names: Record<string, string> = renamedNames(cfnType);
        for (const [key, value] of Object.entries(raw)) {
            const target = t.rename?.[key] ?? camel(key);
            setPath(props, target, camelDeep(value));
            names[target.split(".")[0] as string] = key;
        }
        t.adjust?.(props, raw, logicalId);
        out.resources.push({ logicalId, cfnType, type, props, names });
        // A target group's own Targets are what attachments are in a Pulumi program.
        const targets = cfnType === "AWS::ElasticLoadBalancingV2::TargetGroup" && Array.isArray(raw["Targets"]) ? raw["Targets"] : [];
        targets.forEach((t, i) => {
            const id = t !== null && typeof t === "object" ? (t as Record<string, unknown>)["Id"] : undefined;
            out.resources.push({
                logicalId: `${logicalId}.Targets[${i}]`,
                cfnType,
                type: "aws:lb/targetGroupAttachment:TargetGroupAttachment",
                props: { targetGroupArn: logicalId, targetId: id },
                names: {},
            });
        });
    }
    return out;
}
