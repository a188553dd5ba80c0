# Coverage.cmake: the `coverage` target of a coverage build
# (INTERPCHECK_COVERAGE=ON, the `coverage` preset); included by the
# top-level CMakeLists.txt after every directory is added.
#
#   cmake --build --preset coverage --target coverage   (or: tools/coverage)
#
# The target builds everything, deletes the old counters (*.gcda), runs the
# whole CTest run of the tree (the `coverage` preset also turns on
# INTERPCHECK_FAULT_INJECTION, so the allocation-failure tests of label fault
# are part of it), then has gcovr report two groups separately:
#
#   group    files                          thresholds (cache, below)
#   ref      ref/*.c, ref/*.h               lines 100 %, branches 95 %
#   runner   tools/interpcheck/*.c, *.h     lines 90 %
#
# Test code (ref/tests/, tools/interpcheck/tests/) is in neither group.
# Each group gets an HTML report with annotated sources (index.html),
# Cobertura XML (cobertura.xml), a JSON summary (summary.json) and text lists
# of the lines and branches not covered (lines.txt, branches.txt), written to
# <build>/reports/coverage/<group>/ and copied to reports/coverage/<group>/
# in the source tree, with reports/coverage/summary.md over both.  The target
# fails (after writing every report) when a test failed or a group is below
# its thresholds.  Lines are excluded only in the source, with a
# GCOVR_EXCL_LINE / GCOVR_EXCL_START..STOP comment that states the reason.
#
# Every program of the tree is linked with cmake/coverage_exit_hook.c and
# -Wl,--wrap=_exit, so that the runner's forked children, which end with
# _exit(), write their counters too (that file says why).
#
# Cache options:
#   INTERPCHECK_COVERAGE_REF_LINES       ref line threshold, percent (100)
#   INTERPCHECK_COVERAGE_REF_BRANCHES    ref branch threshold (95)
#   INTERPCHECK_COVERAGE_RUNNER_LINES    runner line threshold (90)
#   INTERPCHECK_COVERAGE_EXIT_HOOK       link the _exit hook (ON)
#   INTERPCHECK_COVERAGE_PUBLISH_DIR     where the published copy goes
#                                        (<source>/reports/coverage; empty: none)

include_guard(GLOBAL)

if(NOT INTERPCHECK_COVERAGE)
  return()
endif()

set(INTERPCHECK_COVERAGE_REF_LINES 100 CACHE STRING "Line coverage threshold of ref/, percent")
set(INTERPCHECK_COVERAGE_REF_BRANCHES 95 CACHE STRING "Branch coverage threshold of ref/, percent")
set(INTERPCHECK_COVERAGE_RUNNER_LINES 90 CACHE STRING
    "Line coverage threshold of the runner (tools/interpcheck/), percent")
option(INTERPCHECK_COVERAGE_EXIT_HOOK "Write gcov counters before _exit() (forked children)" ON)
set(INTERPCHECK_COVERAGE_PUBLISH_DIR "${CMAKE_SOURCE_DIR}/reports/coverage" CACHE PATH
    "Where the coverage target copies its reports (empty: build tree only)")

# gcov must be the one of the compiler that wrote the .gcno files.
string(REGEX MATCH "^[0-9]+" _gcc_major "${CMAKE_C_COMPILER_VERSION}")
find_program(INTERPCHECK_GCOV NAMES gcov-${_gcc_major} gcov
  DOC "gcov matching the C compiler")
find_program(INTERPCHECK_GCOVR NAMES gcovr DOC "gcovr (Debian package gcovr)")

# _interpcheck_collect_targets(DIR OUT): every target defined in DIR and
# below that produces a binary.
function(_interpcheck_collect_targets dir out)
  set(_all "")
  get_property(_targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  foreach(_t IN LISTS _targets)
    get_target_property(_type ${_t} TYPE)
    if(_type MATCHES "^(EXECUTABLE|MODULE_LIBRARY|SHARED_LIBRARY|STATIC_LIBRARY|OBJECT_LIBRARY)$")
      list(APPEND _all ${_t})
    endif()
  endforeach()
  get_property(_subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(_sub IN LISTS _subdirs)
    _interpcheck_collect_targets("${_sub}" _below)
    list(APPEND _all ${_below})
  endforeach()
  set(${out} ${_all} PARENT_SCOPE)
endfunction()

_interpcheck_collect_targets("${CMAKE_SOURCE_DIR}" _coverage_targets)

if(INTERPCHECK_COVERAGE_EXIT_HOOK)
  foreach(_t IN LISTS _coverage_targets)
    get_target_property(_type ${_t} TYPE)
    if(_type STREQUAL "EXECUTABLE")
      target_sources(${_t} PRIVATE "${CMAKE_SOURCE_DIR}/cmake/coverage_exit_hook.c")
      target_link_options(${_t} PRIVATE "LINKER:--wrap=_exit")
    endif()
  endforeach()
endif()

if(NOT INTERPCHECK_GCOVR OR NOT INTERPCHECK_GCOV)
  message(WARNING
    "interpcheck: gcovr or gcov not found: no `coverage` target "
    "(apt-get install gcovr, or run tools/coverage, which checks deps).")
  return()
endif()

include(ProcessorCount)
ProcessorCount(_ncpu)
if(_ncpu LESS 1)
  set(_ncpu 1)
endif()

add_custom_target(coverage
  COMMAND "${CMAKE_COMMAND}"
    -D "SOURCE_DIR=${CMAKE_SOURCE_DIR}"
    -D "BUILD_DIR=${CMAKE_BINARY_DIR}"
    -D "CTEST=${CMAKE_CTEST_COMMAND}"
    -D "GCOVR=${INTERPCHECK_GCOVR}"
    -D "GCOV=${INTERPCHECK_GCOV}"
    -D "JOBS=${_ncpu}"
    -D "REF_LINES=${INTERPCHECK_COVERAGE_REF_LINES}"
    -D "REF_BRANCHES=${INTERPCHECK_COVERAGE_REF_BRANCHES}"
    -D "RUNNER_LINES=${INTERPCHECK_COVERAGE_RUNNER_LINES}"
    -D "PUBLISH_DIR=${INTERPCHECK_COVERAGE_PUBLISH_DIR}"
    -P "${CMAKE_SOURCE_DIR}/cmake/CoverageReport.cmake"
  WORKING_DIRECTORY "${CMAKE_BINARY_DIR}"
  USES_TERMINAL
  COMMENT "Running every test and writing the gcovr reports")
if(_coverage_targets)
  add_dependencies(coverage ${_coverage_targets})
endif()

message(STATUS "interpcheck: coverage target with ${INTERPCHECK_GCOVR} and ${INTERPCHECK_GCOV}")
