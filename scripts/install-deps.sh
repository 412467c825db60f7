#!/usr/bin/env bash
# Installs the Debian packages the tests and the training smoke need, only when missing.
# Idempotent; uses apt-get only when something is absent.
set -euo pipefail
need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
have_cmd storescu   || need+=(dcmtk)
have_cmd dciodvfy   || need+=(dicom3tools)
have_cmd Orthanc    || [ -x /usr/sbin/Orthanc ] || need+=(orthanc)
have_cmd unshare    || need+=(util-linux)
# the triage board's browser tests drive Debian's chromium through its chromedriver (Selenium)
have_cmd chromium   || need+=(chromium)
have_cmd chromedriver || need+=(chromium-driver)
for p in python3-torch python3-onnx python3-numpy python3-scipy python3-nibabel python3-pydicom libjemalloc2 mricron-data; do
  have_pkg "$p" || need+=("$p")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "install-deps: all test packages present"
  exit 0
fi
echo "install-deps: installing ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}"
