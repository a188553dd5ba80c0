#!/bin/bash -eu
# ClusterFuzzLite build step: fuzz/build.sh with the variables the
# infrastructure sets ($CC, $CXX, $CFLAGS, $CXXFLAGS, $LIB_FUZZING_ENGINE,
# $OUT, $SRC, $WORK), Python bundled into $OUT for runner images without it.
# Checked locally by CTest (ci.clusterfuzzlite-build, tools/ci-config-check).
if [ -f "$SRC/interpcheck/fuzz/build.sh" ]; then
    root=$SRC/interpcheck                                  # in the builder image
else
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)  # a checkout
fi
export INTERPCHECK_BUNDLE_PYTHON=${INTERPCHECK_BUNDLE_PYTHON:-1}
exec "$root/fuzz/build.sh"
