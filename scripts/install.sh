#!/usr/bin/env bash
# Install what rapporteur needs, idempotently: Debian packages (ffmpeg, espeak-ng, sox), a
# Python 3.11 virtual environment in .venv with the pinned CPU-capable stack, and the model files
# (verified by sha256). With --test (make test), also what only the tests need: LibreOffice,
# poppler, chromium, and llama.cpp's server compiled with the small LLM. Safe to run again: each
# step is skipped when already done.
#
#   scripts/install.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."
TEST=0
[ "${1:-}" = "--test" ] && TEST=1

# ffmpeg decodes; espeak-ng and sox render the sample sessions. For the tests: LibreOffice
# (writer, no GUI) and poppler check that the Word minutes open cleanly; chromium is the browser
# the review page's tests drive; cmake and g++ build llama.cpp's server for the language-model test.
tools=(ffmpeg ffprobe espeak-ng sox)
packages=(ffmpeg espeak-ng sox libsox-fmt-mp3)
if [ "$TEST" = 1 ]; then
  tools+=(soffice pdftotext chromium cmake g++)
  packages+=(libreoffice-writer-nogui poppler-utils chromium cmake g++)
fi
need_apt=()
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install: Debian packages for: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "install: Python 3.11 is required (torch and torchcodec wheels are pinned for it); set PYTHON=" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

# llama.cpp is compiled from source by llama-cpp-python. Its default build detects the CPU
# (-march=native), and some VMs advertise instructions (AVX-512, AMX) they then fault on: the
# server died with SIGILL at its first completion. Build for a portable AVX2 baseline instead, in
# a step of its own with no wheel cache, so a native wheel built earlier is never reused.
LLAMA_CPP="llama-cpp-python[server]==0.3.36"
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=OFF -DGGML_BACKEND_DL=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AVX_VNNI=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DGGML_OPENMP=ON"

# The stamps cover this script too: a change of build flags reinstalls. The runtime's stamp stays
# valid under a test install (the test extra adds to it), not the other way round.
hash="$(cat pyproject.toml scripts/install.sh | sha256sum | cut -c1-16)"
runtime_stamp=".venv/.installed-$hash" test_stamp=".venv/.installed-test-$hash"
if [ "$TEST" = 1 ] && [ ! -f "$test_stamp" ]; then
  echo "install: Python packages and the test extra into .venv (first time: several minutes, about 7.5 GB; llama.cpp is compiled)"
  if [ "$(uname -m)" = x86_64 ]; then
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" FORCE_CMAKE=1 .venv/bin/python -m pip install --quiet \
      --disable-pip-version-check --no-cache-dir --force-reinstall --no-deps "$LLAMA_CPP"
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
  rm -f .venv/.installed-*
  touch "$runtime_stamp" "$test_stamp"
elif [ ! -f "$runtime_stamp" ]; then
  echo "install: Python packages into .venv (first time: a few minutes, about 7 GB)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
  rm -f .venv/.installed-*
  touch "$runtime_stamp"
fi

.venv/bin/rapporteur models fetch >/dev/null
echo "install: ready (.venv/bin/rapporteur)"
