#!/usr/bin/env bash
# Install everything rapporteur needs, idempotently: Debian packages (ffmpeg, espeak-ng, sox),
# a Python 3.11 virtual environment in .venv with the pinned CPU-capable stack, and the model
# files (verified by sha256). Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# ffmpeg decodes; espeak-ng and sox render the sample sessions; LibreOffice (writer, no GUI) and
# poppler check in the tests that the Word minutes open cleanly; chromium is the browser the
# review page's tests drive; cmake and g++ build llama.cpp's server for the language-model test.
need_apt=()
for tool in ffmpeg ffprobe espeak-ng sox soffice pdftotext chromium cmake g++; do
  command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install: Debian packages for: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ffmpeg espeak-ng sox libsox-fmt-mp3 \
    libreoffice-writer-nogui poppler-utils chromium cmake g++ >/dev/null
fi

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "install: Python 3.11 is required (torch and torchcodec wheels are pinned for it); set PYTHON=" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "install: Python packages into .venv (first time: several minutes, about 6 GB; llama.cpp is compiled)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi

.venv/bin/rapporteur models fetch >/dev/null
echo "install: ready (.venv/bin/rapporteur)"
