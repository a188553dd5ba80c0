#!/bin/bash -eu
# fuzz/build.sh: OSS-Fuzz / ClusterFuzzLite build script for the fuzz harnesses.
#
# Uses only what the OSS-Fuzz build environment provides:
#   CC, CFLAGS            compiler and flags (sanitizers and coverage instrumentation
#                         chosen by the infrastructure)
#   CXX, CXXFLAGS         used for the final link (the engine runtimes are C++);
#                         CXXFLAGS defaults to CFLAGS
#   LIB_FUZZING_ENGINE    the engine to link (-fsanitize=fuzzer, libAFLDriver.a, ...)
#   OUT                   where fuzz_<harness>, its .dict, .options and
#                         _seed_corpus.zip go
#   SRC                   unused: the sources are found relative to this script
#   WORK                  scratch space for the objects (default /tmp)
# and libpython through pkg-config (INTERPCHECK_PYTHON_PC, default python3-embed;
# the builder image needs python3-dev and pkg-config).
#
# INTERPCHECK_BUNDLE_PYTHON=1 copies libpython and the standard library next to
# the binaries ($OUT/python-home) and links them with an rpath to it, for
# runner images without Python; embed/pyembed.c (bundled_home) finds that
# home by itself.  Local check (fuzz/README.md; results in reports/fuzz/oss-fuzz-check.md):
#
#   CC=clang CXX=clang++ CFLAGS='-fsanitize=fuzzer-no-link,address' \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/ossfuzz-out fuzz/build.sh
#   mkdir -p /tmp/oss-seeds/ops /tmp/oss-corpus/ops
#   (cd /tmp/oss-seeds/ops && unzip -q /tmp/ossfuzz-out/fuzz_ops_seed_corpus.zip)
#   PYTHONMALLOC=malloc ASAN_OPTIONS=detect_leaks=0 /tmp/ossfuzz-out/fuzz_ops -max_total_time=10 \
#     /tmp/oss-corpus/ops /tmp/oss-seeds/ops

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
: "${CC:=clang}" "${CXX:=clang++}" "${CFLAGS:=}"
# OSS-Fuzz always sets CXXFLAGS; by hand it is easy to forget, and the link
# (done by $CXX) needs the sanitizer flags: default to CFLAGS.
: "${CXXFLAGS:=$CFLAGS}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
: "${OUT:?set OUT to the output directory}"
pc=${INTERPCHECK_PYTHON_PC:-python3-embed}
py_cflags=$(pkg-config --cflags "$pc")
py_libs=$(pkg-config --libs "$pc")
py_libdir=$(pkg-config --variable=libdir "$pc")
py_version=$(pkg-config --modversion "$pc")

mkdir -p "$OUT"
obj=$(mktemp -d "${WORK:-/tmp}/interpcheck-fuzz.XXXXXX")
trap 'rm -rf "$obj"' EXIT

# Same language level and feature macros as the CMake build (cmake/InterpcheckCompilerFlags.cmake).
std=(-std=c11 -D_GNU_SOURCE=1 -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700)
# shellcheck disable=SC2206
cflags=($CFLAGS)
# shellcheck disable=SC2206
cxxflags=($CXXFLAGS)
# shellcheck disable=SC2206
engine=($LIB_FUZZING_ENGINE)
# shellcheck disable=SC2206
pyinc=($py_cflags)
# shellcheck disable=SC2206
pylibs=($py_libs)

compile() {  # compile SRC OBJ [extra flags...]
    local src=$1 out=$2
    shift 2
    "$CC" "${cflags[@]}" "${std[@]}" "$@" -c "$src" -o "$out"
}

# The code under test: the reference implementation and the scenario parser.
for f in "$root"/ref/*.c; do
    compile "$f" "$obj/ref_$(basename "${f%.c}").o" "${pyinc[@]}" -fvisibility=hidden -fPIC
done
# The scenario format and the runner's strbuf (tools/interpcheck: interpcheck_core).
ic="$root/tools/interpcheck"
for f in scenario strbuf allocator; do
    compile "$ic/$f.c" "$obj/ic_$f.o" -I"$ic"
done
core_objs=("$obj"/ic_*.o)
# What the Python harnesses share: starting Python (embed/pyembed.c), helpers,
# writing scenarios.
inc=(-I"$here" -I"$here/common" -I"$root/embed" -I"$ic")
compile "$root/embed/pyembed.c" "$obj/py_pyembed.o" "${pyinc[@]}" "${inc[@]}"
compile "$here/common/fuzz_python.c" "$obj/py_fuzz_python.o" "${pyinc[@]}" "${inc[@]}"
compile "$here/common/scn_build.c" "$obj/py_scn_build.o" "${inc[@]}"
py_objs=("$obj"/py_*.o)

rpath=()
if [[ "${INTERPCHECK_BUNDLE_PYTHON:-0}" == 1 ]]; then
    mm=$(echo "$py_version" | cut -d. -f1,2)
    home="$OUT/python-home"
    rm -rf "$home"
    mkdir -p "$home/lib"
    soname=$(objdump -p "$py_libdir/libpython$mm.so" | awk '$1 == "SONAME" {print $2}')
    cp -L "$py_libdir/$soname" "$home/lib/"
    stdlib=$(python"$mm" -I -S -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')
    platstdlib=$(python"$mm" -I -S -c 'import sysconfig; print(sysconfig.get_path("platstdlib"))')
    mkdir -p "$home/lib/python$mm"
    (cd "$stdlib" && tar --exclude='__pycache__' --exclude='site-packages' --exclude='dist-packages' \
        --exclude='./test' --exclude='./idlelib' --exclude='./tkinter' --exclude='./ensurepip' \
        -cf - .) | (cd "$home/lib/python$mm" && tar -xf -)
    mkdir -p "$home/lib/python$mm/test"
    cp -r "$stdlib/test/__init__.py" "$stdlib/test/support" "$home/lib/python$mm/test/"
    if [[ -d "$platstdlib/lib-dynload" && ! -d "$home/lib/python$mm/lib-dynload" ]]; then
        cp -r "$platstdlib/lib-dynload" "$home/lib/python$mm/"
    fi
    rpath=("-Wl,-rpath,\$ORIGIN/python-home/lib")   # $ORIGIN: for the dynamic linker
    echo "build.sh: bundled Python $py_version into $home"
elif [[ -n "$py_libdir" && "$py_libdir" != /usr/lib* && "$py_libdir" != /lib* ]]; then
    rpath=("-Wl,-rpath,$py_libdir")
fi

link() {  # link NAME OBJS...
    local name=$1
    shift
    "$CXX" "${cxxflags[@]}" "$@" "${engine[@]}" "${pylibs[@]}" "${rpath[@]}" -lpthread \
        -o "$OUT/$name"
}

ref_objs=("$obj"/ref_*.o)
defs=(-DINTERPCHECK_SOURCE_DIR="\"$root\"")

compile "$here/scenario_parser.c" "$obj/h_scenario_parser.o" -I"$ic" -I"$here/common"
link fuzz_scenario_parser "$obj/h_scenario_parser.o" "${core_objs[@]}"

for f in ops ops_decode ops_model ops_glue ops_emit ops_helper ops_interp ops_chan ops_block ops_misc ops_lowlevel; do
    compile "$here/$f.c" "$obj/ops_$f.o" "${pyinc[@]}" "${inc[@]}" "${defs[@]}"
done
link fuzz_ops "$obj"/ops_*.o "${py_objs[@]}" "${core_objs[@]}" "${ref_objs[@]}"

for f in shareable shareable_gen; do
    compile "$here/$f.c" "$obj/sh_$f.o" "${pyinc[@]}" "${inc[@]}"
done
link fuzz_shareable "$obj"/sh_*.o "${py_objs[@]}" "${core_objs[@]}" "${ref_objs[@]}"

# Dictionaries, options and seed corpora, named after the binaries.
declare -A max_len=([scenario_parser]=8192 [ops]=256 [shareable]=512)
declare -A timeout=([scenario_parser]=10 [ops]=60 [shareable]=60)
declare -A leaks=([scenario_parser]=1 [ops]=0 [shareable]=0)
for h in scenario_parser ops shareable; do
    cp "$here/dict/$h.dict" "$OUT/fuzz_$h.dict"
    cat > "$OUT/fuzz_$h.options" <<EOF
[libfuzzer]
dict = fuzz_$h.dict
max_len = ${max_len[$h]}
timeout = ${timeout[$h]}
detect_leaks = ${leaks[$h]}
EOF
    rm -f "$OUT/fuzz_${h}_seed_corpus.zip"
    (cd "$here/corpus/$h" && zip -q -r "$OUT/fuzz_${h}_seed_corpus.zip" .)
done
echo "build.sh: fuzz_scenario_parser fuzz_ops fuzz_shareable in $OUT"
