#!/bin/bash
# Qdrant snapshot job. In a distributed Qdrant each peer snapshots only its own shards, so
# this snapshots every peer, uploads each file, and writes manifest.json last: a restore only
# trusts a set whose manifest exists. Each peer's snapshot is deleted after upload so its
# volume stays bounded.
#
# Environment: COLLECTION, PEERS, HEADLESS_HOST, QDRANT_PORT, QDRANT_API_KEY (optional),
# TARGET (s3 | gcs), S3_BUCKET, KMS_KEY_ID, GCS_BUCKET; on GCP also AWS_ROLE_ARN and
# AWS_WEB_IDENTITY_AUDIENCE, for the copy that leaves the cloud.
set -euo pipefail
log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
auth=(-H "api-key: ${QDRANT_API_KEY:-}")
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
prefix="${COLLECTION}/${stamp}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

metadata() { curl -fsS -H "Metadata-Flavor: Google" "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/$1"; }

if [ "$TARGET" = "gcs" ]; then
  # Leave GCP as well: exchange the workload's Google ID token for an AWS role.
  metadata "identity?audience=${AWS_WEB_IDENTITY_AUDIENCE}&format=full" > "$work/token"
  export AWS_WEB_IDENTITY_TOKEN_FILE="$work/token"
fi

upload() {
  local file="$1" key="$2"
  aws s3 cp --only-show-errors "$file" "s3://${S3_BUCKET}/$key" --sse aws:kms --sse-kms-key-id "$KMS_KEY_ID"
  if [ "$TARGET" = "gcs" ]; then
    local token
    token="$(metadata token | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
    curl -fsS -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/octet-stream" \
      --data-binary "@$file" "https://storage.googleapis.com/upload/storage/v1/b/${GCS_BUCKET}/o?uploadType=media&name=$key" > /dev/null
  fi
}

peers_done=()
for ((i = 0; i < PEERS; i++)); do
  host="http://qdrant-$i.${HEADLESS_HOST}:${QDRANT_PORT}"
  started=$SECONDS
  name="$(curl -fsS -X POST "${auth[@]}" "$host/collections/$COLLECTION/snapshots?wait=true" | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')"
  if [ -z "$name" ]; then log "peer $i: snapshot request returned no name"; exit 1; fi
  curl -fsS "${auth[@]}" "$host/collections/$COLLECTION/snapshots/$name" -o "$work/$name"
  upload "$work/$name" "$prefix/peer-$i.snapshot"
  curl -fsS -X DELETE "${auth[@]}" "$host/collections/$COLLECTION/snapshots/$name" > /dev/null || log "peer $i: could not delete $name (kept on its volume)"
  rm -f "$work/$name"
  peers_done+=("\"peer-$i.snapshot\"")
  log "peer $i: $name uploaded in $((SECONDS - started)) s"
done

printf '{"collection":"%s","createdAt":"%s","peers":[%s]}\n' "$COLLECTION" "$stamp" "$(IFS=,; echo "${peers_done[*]}")" > "$work/manifest.json"
upload "$work/manifest.json" "$prefix/manifest.json"
log "snapshot set $prefix complete (${#peers_done[@]} peers)"
