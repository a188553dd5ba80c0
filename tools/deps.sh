# tools/deps.sh: the Debian packages interpcheck needs, and how to get them.
#
# Sourced, not run:
#
#     source tools/deps.sh
#     interpcheck_deps_ensure || exit $?
#
# interpcheck_deps_ensure [EXTRA_PACKAGE...]
#     Checks each package with dpkg-query.  When some are missing:
#       - as root: `apt-get update` (once, quietly), then
#         `apt-get install -y` of exactly the missing ones;
#       - otherwise: prints the `sudo apt-get install -y ...` line to run and
#         returns 2 (a calling script under `set -e` exits 2).
#     Returns 0 when everything is installed.
#     INTERPCHECK_SKIP_DEPS=1 skips the check (e.g. on a machine set up by
#     other means, or offline).
#
# Keep this list the single source of truth: README.md and CONTRIBUTING.md
# point here instead of repeating it.

# shellcheck shell=bash

INTERPCHECK_DEPS=(
    cmake           # >= 3.21 (Debian 12: 3.25); presets schema 6 needs 3.25
    ninja-build     # the generator the presets use
    gcc             # C11 compiler, with libasan/libubsan for the asan preset
    make
    pkg-config      # finds libpython (python3-embed) and cmocka
    python3-dev     # python3.11 + python3.11-dev + libpython3-dev: headers,
                    # libpython3.11.so and the interpreter the install test uses
    libcmocka-dev   # C unit tests
    valgrind        # memcheck gate (tools/memcheck)
    gcovr           # coverage gate (tools/coverage)
    cppcheck        # style gate (tools/style-check): static analysis
    clang-format    # style gate: layout (Debian 12: clang-format 14)
    clang-tidy      # style gate: static analysis (Debian 12: clang-tidy 14)
)

# Prints the packages among "$@" that are not installed, one per line.
interpcheck_deps_missing() {
    local pkg status
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
        if [[ "$status" != "installed" ]]; then
            printf '%s\n' "$pkg"
        fi
    done
}

# shellcheck disable=SC2120  # extra packages are optional
interpcheck_deps_ensure() {
    if [[ "${INTERPCHECK_SKIP_DEPS:-0}" == 1 ]]; then
        echo "deps: check skipped (INTERPCHECK_SKIP_DEPS=1)"
        return 0
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "deps: dpkg-query not found: this helper knows Debian/Ubuntu only." >&2
        echo "deps: install the equivalents of: ${INTERPCHECK_DEPS[*]} $*" >&2
        return 2
    fi

    local -a missing
    mapfile -t missing < <(interpcheck_deps_missing "${INTERPCHECK_DEPS[@]}" "$@")
    if ((${#missing[@]} == 0)); then
        echo "deps: all present"
        return 0
    fi

    if [[ "$(id -u)" != 0 ]]; then
        echo "deps: missing Debian packages: ${missing[*]}" >&2
        echo "deps: install them with:" >&2
        echo "    sudo apt-get install -y ${missing[*]}" >&2
        return 2
    fi

    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"

    mapfile -t missing < <(interpcheck_deps_missing "${INTERPCHECK_DEPS[@]}" "$@")
    if ((${#missing[@]} != 0)); then
        echo "deps: still missing after apt-get install: ${missing[*]}" >&2
        return 2
    fi
    echo "deps: all present"
}
