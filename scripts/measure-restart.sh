#!/usr/bin/env bash
# Ready time of `ich-triage run` (role all, embedded broker, test model) cold and after kill -9 on the
# same state folder. Usage, from the repository root after `mvn -B -q -o -DskipTests package`:
#   scripts/measure-restart.sh /tmp/restart-state
# Prints "cold ready ms: N" and "after kill -9 ready ms: N"; the log goes to <state>.log.
set -u
S=${1:?state folder (it is deleted first)}; H=18081; K=19093; D=11199; LOG="$S.log"
MODEL=target/test-classes/models/test-tiny.onnx
run() {
  ICH_STATE_DIR=$S nice bin/ich-triage run --state-dir "$S" --http-port $H --dicom-port $D \
    --set kafka.embedded.port=$K --set model.path=$MODEL >>"$LOG" 2>&1 &
  echo $!
}
wait_ready() {
  local t0; t0=$(date +%s%N)
  for _ in $(seq 1 1200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$H/health/ready)" = 200 ] \
      && { echo $(( ($(date +%s%N) - t0) / 1000000 )); return; }
    sleep 0.1
  done
  echo "not ready after 120 s"
}
rm -rf "$S" "$LOG"
P=$(run); echo "cold ready ms: $(wait_ready)"
sleep 5
kill -9 "$P"; sleep 0.5
P=$(run); echo "after kill -9 ready ms: $(wait_ready)"
kill "$P"; wait "$P" 2>/dev/null
