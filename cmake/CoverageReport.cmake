# CoverageReport.cmake: what the `coverage` target runs (cmake -P script;
# see cmake/Coverage.cmake for the groups, the reports and the thresholds).
#
#   1. deletes every *.gcda of the build tree (counters of earlier runs);
#   2. runs the whole CTest run of the tree (ctest -jJOBS);
#   3. gcovr reads the counters once into <build>/reports/coverage/all.json,
#      then writes the reports of each group from that tracefile;
#   4. copies the reports to PUBLISH_DIR (when set) with summary.md;
#   5. fails when a test failed or a group is below its thresholds.
#
# Variables (-D): SOURCE_DIR, BUILD_DIR, CTEST, GCOVR, GCOV, JOBS, REF_LINES,
#                 REF_BRANCHES, RUNNER_LINES, PUBLISH_DIR (may be empty).
# Environment: INTERPCHECK_COVERAGE_CTEST_ARGS, extra ctest arguments
#              separated by `;` (e.g. -E;ref.stress), for trying things out.

foreach(_var SOURCE_DIR BUILD_DIR CTEST GCOVR GCOV JOBS REF_LINES REF_BRANCHES RUNNER_LINES)
  if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
    message(FATAL_ERROR "CoverageReport.cmake: -D${_var}=... is required")
  endif()
endforeach()

set(_out "${BUILD_DIR}/reports/coverage")

# --- 1. fresh counters ---------------------------------------------------------------
file(GLOB_RECURSE _gcda "${BUILD_DIR}/*.gcda")
if(_gcda)
  file(REMOVE ${_gcda})
endif()
file(REMOVE_RECURSE "${_out}")
file(MAKE_DIRECTORY "${_out}")

# --- 2. the whole test run -----------------------------------------------------------
string(TIMESTAMP _t0 "%s")
set(_ctest_args $ENV{INTERPCHECK_COVERAGE_CTEST_ARGS})
execute_process(
  COMMAND "${CTEST}" --test-dir "${BUILD_DIR}" -j ${JOBS} --output-on-failure
          --no-tests=error ${_ctest_args}
  RESULT_VARIABLE _tests_rc)
string(TIMESTAMP _t1 "%s")
math(EXPR _test_seconds "${_t1} - ${_t0}")
message(STATUS "coverage: ctest finished in ${_test_seconds} s (exit ${_tests_rc})")

# --- 3. gcovr --------------------------------------------------------------------------
# Relative --filter regexes are matched against paths relative to the
# working directory, hence SOURCE_DIR.  Test code is in neither group.
# One gcov at a time: with -j, gcovr 5.2 (Debian 12) waits forever when a
# worker thread raises (gcovr issue #673), which turns a bad counter file
# into a CI job that hangs instead of one that fails.
set(_common --root "${SOURCE_DIR}" --gcov-executable "${GCOV}")
execute_process(
  COMMAND "${GCOVR}" ${_common}
          --filter "ref/" --filter "tools/interpcheck/"
          --exclude "ref/tests/" --exclude "tools/interpcheck/tests/"
          --json "${_out}/all.json"
          "${BUILD_DIR}"
  WORKING_DIRECTORY "${SOURCE_DIR}"
  TIMEOUT 900
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "coverage: gcovr could not read the counters (${_rc})")
endif()

set(_failed "")
if(NOT _tests_rc EQUAL 0)
  list(APPEND _failed "tests failed (ctest exit ${_tests_rc}), so the coverage is that of a failing run")
endif()

# percent(VAR COVERED TOTAL): COVERED/TOTAL as a percentage with one decimal,
# rounded down (so that 99.96 % never reads 100.0).
function(percent var covered total)
  if(total EQUAL 0)
    set(${var} "100.0" PARENT_SCOPE)
    return()
  endif()
  math(EXPR _tenths "${covered} * 1000 / ${total}")
  math(EXPR _int "${_tenths} / 10")
  math(EXPR _dec "${_tenths} % 10")
  set(${var} "${_int}.${_dec}" PARENT_SCOPE)
endfunction()

# report(GROUP TITLE FILTER LINE_MIN BRANCH_MIN): the reports of one group
# from the tracefile, and its threshold check.  Sets <GROUP>_LINES and
# <GROUP>_BRANCHES (percent) in the caller's scope.
function(report group title filter line_min branch_min)
  set(_dir "${_out}/${group}")
  file(MAKE_DIRECTORY "${_dir}")
  set(_in ${_common} --add-tracefile "${_out}/all.json" --filter "${filter}")
  execute_process(
    COMMAND "${GCOVR}" ${_in}
            --html-details "${_dir}/index.html" --html-title "interpcheck coverage: ${title}"
            --cobertura "${_dir}/cobertura.xml" --cobertura-pretty
            --json-summary "${_dir}/summary.json" --json-summary-pretty
            --txt "${_dir}/lines.txt"
    WORKING_DIRECTORY "${SOURCE_DIR}"
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "coverage: gcovr failed writing the ${group} reports (exit ${_rc})")
  endif()
  execute_process(
    COMMAND "${GCOVR}" ${_in} --branches --txt "${_dir}/branches.txt"
    WORKING_DIRECTORY "${SOURCE_DIR}"
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "coverage: gcovr failed writing the ${group} branch list (exit ${_rc})")
  endif()

  file(READ "${_dir}/summary.json" _json)
  string(JSON _lc GET "${_json}" line_covered)
  string(JSON _lt GET "${_json}" line_total)
  string(JSON _bc GET "${_json}" branch_covered)
  string(JSON _bt GET "${_json}" branch_total)
  percent(_lines ${_lc} ${_lt})
  percent(_branches ${_bc} ${_bt})
  message(STATUS "coverage: ${group}: lines ${_lines} % (${_lc}/${_lt}, minimum ${line_min}), "
                 "branches ${_branches} % (${_bc}/${_bt}, minimum ${branch_min})")
  file(READ "${_dir}/lines.txt" _text)
  message("${_text}")
  set(_failed_here "")
  # Compare the exact counts, not rounded percentages: 100 % means every line.
  math(EXPR _lneed "(${_lt} * ${line_min} + 99) / 100")
  math(EXPR _bneed "(${_bt} * ${branch_min} + 99) / 100")
  if(_lc LESS _lneed)
    list(APPEND _failed_here "${group}: lines ${_lines} % < ${line_min} %")
  endif()
  if(_bc LESS _bneed)
    list(APPEND _failed_here "${group}: branches ${_branches} % < ${branch_min} %")
  endif()
  set(_failed ${_failed} ${_failed_here} PARENT_SCOPE)
  set(${group}_ROW "| ${title} | ${_lines} % (${_lc}/${_lt}) | ${line_min} % | ${_branches} % (${_bc}/${_bt}) | ${branch_min} % |" PARENT_SCOPE)
endfunction()

report(ref "ref/ (interpref)" "ref/" ${REF_LINES} ${REF_BRANCHES})
report(runner "tools/interpcheck/ (runner)" "tools/interpcheck/" ${RUNNER_LINES} 0)

# --- 4. summary and published copy --------------------------------------------------
string(TIMESTAMP _now "%Y-%m-%d %H:%M UTC" UTC)
if(_failed)
  list(JOIN _failed "\n- " _why)
  set(_verdict "FAILED:\n\n- ${_why}")
else()
  set(_verdict "passed.")
endif()
file(WRITE "${_out}/summary.md"
"# Coverage

Written by the `coverage` target (`tools/coverage`) on ${_now}: every CTest
test of the coverage build, ${_test_seconds} s of tests; gcov counters read by
gcovr.  Test code (ref/tests/, tools/interpcheck/tests/) is not counted.

| group | lines | minimum | branches | minimum |
| --- | --- | --- | --- | --- |
${ref_ROW}
${runner_ROW}

Gate ${_verdict}

Per group: `cobertura.xml`, `summary.json`, `lines.txt` and `branches.txt`
(what is not covered); the annotated sources (`index.html`) are in the build
tree, `build/coverage/reports/coverage/<group>/`.
")

if(PUBLISH_DIR)
  file(REMOVE_RECURSE "${PUBLISH_DIR}/ref" "${PUBLISH_DIR}/runner")
  file(MAKE_DIRECTORY "${PUBLISH_DIR}")
  # all.json holds absolute build paths and is large: build tree only.
  # The annotated HTML pages are large and change with every line of the
  # sources: they stay in the build tree; git keeps the summaries and the
  # machine-readable files.
  file(COPY "${_out}/ref" "${_out}/runner" "${_out}/summary.md" DESTINATION "${PUBLISH_DIR}"
       PATTERN "*.html" EXCLUDE PATTERN "*.css" EXCLUDE)
  message(STATUS "coverage: reports in ${_out}/ and ${PUBLISH_DIR}/")
else()
  message(STATUS "coverage: reports in ${_out}/")
endif()

# --- 5. verdict ------------------------------------------------------------------------
if(_failed)
  list(JOIN _failed "\n  " _why)
  message(FATAL_ERROR "coverage gate failed:\n  ${_why}")
endif()
message(STATUS "coverage gate passed")
