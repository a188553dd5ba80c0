# tools/common.sh: shared pieces of tools/run-tests and tools/run-main.
#
# Sourced, not run.  Expects the caller to have `set -euo pipefail` and to
# be in the repository root.  Provides:
#
#   ic_configure_build NAME PRESET [CMAKE_ARGS...]
#       Configure with PRESET (plus CMAKE_ARGS, e.g. -B build/py3.12), then
#       build.  Returns non-zero if either step fails.
#   ic_ctest NAME BUILD_DIR [CTEST_ARGS...]
#       Run ctest there (-j2, output of failing tests, error if no tests),
#       keep the log in BUILD_DIR/ctest.log, and set IC_PASSED/IC_FAILED from
#       its "N% tests passed, F tests failed out of T" line.  Returns ctest's
#       exit status.
#   ic_python_version BUILD_DIR
#       Prints the version of the Python that build tree was configured for.
#   ic_record NAME PYTHON RESULT PASSED FAILED, ic_print_summary
#       Collect rows and print them as a table, followed by the closing line
#       "total: P passed, F failed" (sums of the numeric columns; a
#       configuration that did not build is recorded with FAILED=1, so the
#       total never reads "0 failed" for a broken run).

# shellcheck shell=bash

# shellcheck disable=SC2034  # IC_PASSED/IC_FAILED are read by the callers
IC_ROWS=()
IC_PASSED=0
IC_FAILED=0

ic_banner() {
    printf '\n==== %s ====\n' "$*"
}

ic_configure_build() {
    local name=$1 preset=$2
    shift 2
    ic_banner "$name: configure (preset $preset${*:+, $*})"
    cmake --preset "$preset" "$@" || return 1
    local build_dir
    build_dir=$(ic_build_dir_of "$preset" "$@")
    ic_banner "$name: build ($build_dir)"
    cmake --build "$build_dir" || return 1
}

# The build dir a configure call used: the -B argument if given, otherwise
# the preset's build/<preset>.
ic_build_dir_of() {
    local preset=$1
    shift
    while (($#)); do
        if [[ "$1" == -B ]]; then
            printf '%s\n' "$2"
            return 0
        fi
        shift
    done
    printf 'build/%s\n' "$preset"
}

ic_ctest() {
    local name=$1 build_dir=$2
    shift 2
    ic_banner "$name: ctest ($build_dir)"
    local log="$build_dir/ctest.log" rc=0
    ctest --test-dir "$build_dir" --output-on-failure -j2 --no-tests=error "$@" \
        2>&1 | tee "$log" || rc=$?
    IC_PASSED=0
    IC_FAILED=0
    local line total
    line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
    if [[ -n "$line" ]]; then
        IC_FAILED=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
        total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
        IC_PASSED=$((total - IC_FAILED))
    fi
    return "$rc"
}

ic_python_version() {
    local exe
    exe=$(sed -n 's/^INTERPCHECK_PYTHON_EXECUTABLE:FILEPATH=//p' "$1/CMakeCache.txt" 2>/dev/null || true)
    if [[ -n "$exe" && -x "$exe" ]]; then
        "$exe" -I -S -c 'import platform; print(platform.python_version())'
    else
        echo "?"
    fi
}

ic_record() {
    IC_ROWS+=("$1|$2|$3|$4|$5")
}

ic_print_summary() {
    local row name python result passed failed sum_p=0 sum_f=0
    printf '\n%-14s %-9s %-24s %7s %7s\n' configuration python result passed failed
    printf '%-14s %-9s %-24s %7s %7s\n' -------------- --------- ------------------------ ------- -------
    for row in "${IC_ROWS[@]}"; do
        IFS='|' read -r name python result passed failed <<<"$row"
        printf '%-14s %-9s %-24s %7s %7s\n' "$name" "$python" "$result" "$passed" "$failed"
        if [[ "$passed" =~ ^[0-9]+$ ]]; then
            sum_p=$((sum_p + passed))
        fi
        if [[ "$failed" =~ ^[0-9]+$ ]]; then
            sum_f=$((sum_f + failed))
        fi
    done
    printf '\ntotal: %d passed, %d failed\n' "$sum_p" "$sum_f"
}
