import * as pulumi from "@pulumi/pulumi";

/**
 * Kubeconfigs that authenticate with the cloud CLIs' exec plugins, so no static token is
 * stored in state. Both are secrets because they name the clusters' endpoints and CAs.
 */

function kubeconfig(name: string, endpoint: string, caData: string, exec: Record<string, unknown>): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": caData } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [{ name, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", interactiveMode: "Never", ...exec } } }],
    });
}

export function eksKubeconfig(args: { clusterName: pulumi.Input<string>; endpoint: pulumi.Input<string>; certificateAuthority: pulumi.Input<string>; region: string }): pulumi.Output<string> {
    return pulumi.secret(
        pulumi.all([args.clusterName, args.endpoint, args.certificateAuthority]).apply(([cluster, endpoint, ca]) =>
            kubeconfig(cluster, endpoint, ca, { command: "aws", args: ["eks", "get-token", "--cluster-name", cluster, "--region", args.region, "--output", "json"] }),
        ),
    );
}

export function gkeKubeconfig(args: { clusterName: pulumi.Input<string>; endpoint: pulumi.Input<string>; certificateAuthority: pulumi.Input<string> }): pulumi.Output<string> {
    return pulumi.secret(
        pulumi.all([args.clusterName, args.endpoint, args.certificateAuthority]).apply(([cluster, endpoint, ca]) =>
            kubeconfig(cluster, `https://${endpoint}`, ca, { command: "gke-gcloud-auth-plugin", provideClusterInfo: true }),
        ),
    );
}
