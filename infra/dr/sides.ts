import { InputError } from "./errors";

/** The two sides of the deployment: AWS (primary region) and GCP (DR region). */
export const SIDES = ["aws", "gcp"] as const;
export type Side = (typeof SIDES)[number];

export function otherSide(side: Side): Side {
    return side === "aws" ? "gcp" : "aws";
}

/** Parses a side named on the command line; an unknown one is bad input. */
export function parseSide(value: string, option: string): Side {
    if ((SIDES as readonly string[]).includes(value)) return value as Side;
    throw new InputError(`${option} must be aws or gcp, got "${value}"`);
}
