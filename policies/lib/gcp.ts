/** `us-central1-a` is a zone; `us-central1` is a region. */
export function isZone(location: string): boolean {
    return /^[a-z]+-[a-z]+\d+-[a-z]$/.test(location);
}

/** GKE puts a regional cluster's nodes in three zones of the region unless nodeLocations says otherwise. */
export const REGIONAL_DEFAULT_ZONES = 3;
