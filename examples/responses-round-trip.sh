#!/usr/bin/env bash
# The survey-responses loop by hand, against `npm start` and its sandbox. Start the server first, in another terminal:
#
#   QUALTRICS_SUBSCRIPTION_KEY=local-shared-key-0001 SEGMENT_WRITE_KEY=local-write-key-0001 \
#   SEGMENT_API_HOST=http://127.0.0.1:3000 RESPONSES_TRAIT_ANSWERS=nps_score npm start
#
# (SEGMENT_API_HOST points the receiver at the local server's own tracking API instead of Segment.) Then run this.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER=http://127.0.0.1:3000
SANDBOX=http://127.0.0.1:3001
WRITE_KEY=local-write-key-0001

# 1. Subscribe the receiver to the sandbox survey's completed responses (the sandbox's credentials, as npm start's).
QUALTRICS_API_TOKEN=sandbox-token QUALTRICS_DATACENTER=iad1 QUALTRICS_API_BASE_URL=$SANDBOX \
  QUALTRICS_SUBSCRIPTION_KEY=local-shared-key-0001 \
  npm run --silent responses -- subscribe --survey SV_sandboxNps0001 --url $SERVER/qualtrics/responses

# 2. A Transaction Created track: upsertContactTransaction creates the contact (extRef user-1001) and its transaction.
curl -s -u "$WRITE_KEY:" -H 'content-type: application/json' -d @examples/transaction-created.json $SERVER/v1/track
echo
sleep 1

# 3. The contact completes the survey; the sandbox posts the signed callback to the receiver, and one redelivery.
#    Through the console's route on the server, which holds the sandbox's per-start key (the sandbox's own
#    /__sandbox/surveys/… route refuses a caller without it).
curl -s -H 'content-type: application/json' $SERVER/console/api/sandbox/surveys/SV_sandboxNps0001/responses -d '{
  "directoryId": "POOL_sandbox0000001", "extRef": "user-1001",
  "answers": { "nps_score": 9, "nps_comment": "Quick delivery" }, "redeliveries": 1 }'
echo
sleep 2

# 4. What the receiver answered Qualtrics, and the Survey Response Completed track the tracking API delivered.
curl -s $SERVER/console/api/responses
curl -s "$SERVER/console/api/deliveries?status=ok"
