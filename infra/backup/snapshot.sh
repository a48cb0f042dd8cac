#!/bin/bash
# Qdrant snapshot job. In a distributed Qdrant each peer snapshots only its own shards, so
# this snapshots every peer, uploads each file, and writes manifest.json last: a restore only
# trusts a set whose manifest exists. Each peer's snapshot is deleted after upload so its
# volume stays bounded.
#
# Snapshots are streamed from the peer straight into the upload (the size Qdrant reports is
# the upload's length), never staged on the job's disk: a large collection cannot get the pod
# evicted for ephemeral storage. Only the manifest and a token are written locally.
#
# Environment: COLLECTION, PEERS, HEADLESS_HOST, QDRANT_PORT, QDRANT_API_KEY (optional),
# TARGET (s3 | gcs), S3_BUCKET, KMS_KEY_ID, GCS_BUCKET; on GCP also AWS_ROLE_ARN and
# AWS_WEB_IDENTITY_AUDIENCE, for the copy that leaves the cloud. GCE_METADATA_HOST (the
# variable Google's own clients honour) and GCS_API override the metadata server and the
# Cloud Storage endpoint; both default to Google's. STALL_SECONDS (default 60): a snapshot's
# download or Cloud Storage upload that moves no byte for this long is given up.
set -euo pipefail
log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
auth=(-H "api-key: ${QDRANT_API_KEY:-}")
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
prefix="${COLLECTION}/${stamp}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A peer that stops sending mid-snapshot, or an upload whose body came up short (the server then
# waits for the rest), fails the run now rather than at the job's deadline. (--speed-time alone
# means under 1 byte/s for that long.)
stall=(--speed-time "${STALL_SECONDS:-60}")

metadata() { curl -fsS -H "Metadata-Flavor: Google" "http://${GCE_METADATA_HOST:-metadata.google.internal}/computeMetadata/v1/instance/service-accounts/default/$1"; }

if [ "$TARGET" = "gcs" ]; then
  # Leave GCP as well: exchange the workload's Google ID token for an AWS role.
  metadata "identity?audience=${AWS_WEB_IDENTITY_AUDIENCE}&format=full" > "$work/token"
  export AWS_WEB_IDENTITY_TOKEN_FILE="$work/token"
fi

# Uploads stdin (SIZE bytes) to S3 under KEY, encrypted with the bucket's key. Multipart
# uploads with SSE-KMS need kms:Decrypt as well as kms:GenerateDataKey.
to_s3() {
  local key="$1" size="$2"
  aws s3 cp --only-show-errors --expected-size "$size" - "s3://${S3_BUCKET}/$key" --sse aws:kms --sse-kms-key-id "$KMS_KEY_ID"
}

# Uploads stdin (SIZE bytes) to GCS under KEY with the workload's Google identity.
to_gcs() {
  local key="$1" size="$2" token
  token="$(metadata token | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')" || return 1
  # A streamed body (-T -) goes chunked unless told otherwise; with its length known, drop the
  # chunked framing so the request carries Content-Length alone (both at once is a 400).
  curl -fsS "${stall[@]}" -X POST -T - -H "Authorization: Bearer $token" -H "Content-Type: application/octet-stream" -H "Content-Length: $size" -H "Transfer-Encoding:" \
    "${GCS_API:-https://storage.googleapis.com}/upload/storage/v1/b/${GCS_BUCKET}/o?uploadType=media&name=$key" > /dev/null
}

# Streams peer snapshot NAME (SIZE bytes) from HOST to every target, one read per target.
# Called as a condition, where set -e does not stop it: each copy returns on failure itself.
stream_snapshot() {
  local host="$1" name="$2" size="$3" key="$4"
  curl -fsS "${stall[@]}" "${auth[@]}" "$host/collections/$COLLECTION/snapshots/$name" | to_s3 "$key" "$size" || return 1
  if [ "$TARGET" = "gcs" ]; then
    curl -fsS "${stall[@]}" "${auth[@]}" "$host/collections/$COLLECTION/snapshots/$name" | to_gcs "$key" "$size" || return 1
  fi
}

peers_done=()
for ((i = 0; i < PEERS; i++)); do
  host="http://qdrant-$i.${HEADLESS_HOST}:${QDRANT_PORT}"
  started=$SECONDS
  created="$(curl -fsS -X POST "${auth[@]}" "$host/collections/$COLLECTION/snapshots?wait=true")"
  name="$(printf '%s' "$created" | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')"
  size="$(printf '%s' "$created" | sed -n 's/.*"size":\([0-9][0-9]*\).*/\1/p')"
  if [ -z "$name" ] || [ -z "$size" ]; then log "peer $i: snapshot request returned no name or size"; exit 1; fi
  if ! stream_snapshot "$host" "$name" "$size" "$prefix/peer-$i.snapshot"; then
    log "peer $i: $name could not be copied to every target (a failed or stalled transfer, above); no manifest is written, so no restore uses this set"
    exit 1
  fi
  curl -fsS -X DELETE "${auth[@]}" "$host/collections/$COLLECTION/snapshots/$name" > /dev/null || log "peer $i: could not delete $name (kept on its volume)"
  peers_done+=("\"peer-$i.snapshot\"")
  log "peer $i: $name ($size bytes) uploaded in $((SECONDS - started)) s"
done

printf '{"collection":"%s","createdAt":"%s","peers":[%s]}\n' "$COLLECTION" "$stamp" "$(IFS=,; echo "${peers_done[*]}")" > "$work/manifest.json"
manifest_size="$(wc -c < "$work/manifest.json" | tr -d ' ')"
to_s3 "$prefix/manifest.json" "$manifest_size" < "$work/manifest.json"
if [ "$TARGET" = "gcs" ]; then to_gcs "$prefix/manifest.json" "$manifest_size" < "$work/manifest.json"; fi
log "snapshot set $prefix complete (${#peers_done[@]} peers)"
