# Sourced by scripts/up, scripts/test and .ci/run: make uv available and install the Python packages.
# uv never downloads a Python of its own here; it uses the 3.12 the machine has (pyenv or the system).

export UV_PYTHON_DOWNLOADS=never

# The Python that runs uv itself: any python3 will do, 3.12 is only needed for the project's venv.
uv_host_python() {
    local candidate
    for candidate in python3 python3.12 python; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "OneVoice braucht Python 3 (3.12 für die App). / OneVoice needs Python 3 (3.12 for the app)." >&2
    return 1
}

ensure_uv() {
    local python
    python="$(uv_host_python)"
    if "$python" -m uv --version >/dev/null 2>&1; then
        UV=("$python" -m uv)
    elif command -v uv >/dev/null 2>&1; then
        UV=(uv)
    else
        echo "uv wird installiert … / Installing uv …" >&2
        "$python" -m pip install --quiet uv 2>/dev/null \
            || "$python" -m pip install --quiet --user --break-system-packages uv \
            || {
                echo "uv ließ sich nicht installieren. Bitte nach https://docs.astral.sh/uv/ installieren." >&2
                echo "Could not install uv. Please install it: https://docs.astral.sh/uv/" >&2
                return 1
            }
        UV=("$python" -m uv)
    fi
}

uv_sync() {
    ensure_uv
    "${UV[@]}" sync --frozen --python 3.12 --quiet
}
