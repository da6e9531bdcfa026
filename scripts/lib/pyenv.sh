# shellcheck shell=bash
# The pinned Python for tests/python/gh_pass.py, shared by scripts/test and scripts/bench.
# Source it from the repository root; it defines $venv, $stamp and the function `pyenv`,
# which (re)builds the venv when needed.

# The venv lives in target/ so `cargo clean` removes it and git never sees it. It is
# rebuilt when requirements-test.txt changes: the stamp holds the hash it was built from.
venv=target/pyenv
stamp=$venv/requirements.sha256

pyenv() {
    local want
    want=$(sha256sum requirements-test.txt | cut -d' ' -f1)
    if [[ -x $venv/bin/python && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
        return
    fi
    rm -rf "$venv"
    # Debian splits venv out of python3; install it when missing (the machines run as root).
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        apt-get install -y -qq python3-venv >/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; }
    fi
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r requirements-test.txt
    echo "$want" >"$stamp"
}
