import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/**
 * What a pod needs to act as a cloud identity without a stored key: the Kubernetes service
 * account it runs as (IRSA or Workload Identity bind to it), and the environment, projected
 * token volumes and files with which its SDKs federate to the other cloud.
 */
export interface PodIdentity {
    serviceAccountName: pulumi.Input<string>;
    env: k8s.types.input.core.v1.EnvVar[];
    volumes: k8s.types.input.core.v1.Volume[];
    volumeMounts: k8s.types.input.core.v1.VolumeMount[];
}
