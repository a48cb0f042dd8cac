import * as pulumi from "@pulumi/pulumi";
import { apiKeysFromScopedKeys, splitKeyList } from "../../app/src/auth/keys";

/**
 * The service's API_KEYS from the stack secrets that list plain keys per scope: only SHA-256
 * hashes reach the cluster, and the result stays secret in the state (it names which keys exist).
 * A key in both lists gets both scopes; rotation is a list with the old and the new key for a while.
 */
export function apiKeysEnv(keys: { read?: pulumi.Input<string>; write?: pulumi.Input<string> }): pulumi.Output<string> {
    return pulumi.secret(
        pulumi.all([keys.read ?? "", keys.write ?? ""]).apply(([read, write]) => {
            const list = (text: string) => {
                if (text === "") return [];
                const checked = splitKeyList(text);
                // readProgramConfig has already refused these; this guards other callers.
                if (!checked.ok) throw new Error(`API key list ${checked.error}`);
                return checked.keys;
            };
            return apiKeysFromScopedKeys({ read: list(read), write: list(write) });
        }),
    );
}
