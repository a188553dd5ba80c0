# InstallSmokeTest.cmake: the `install.prefix` test (cmake -P script;
# cmake/InterpcheckInstall.cmake declares it, label install).
#
#   1. `cmake --install` the build tree into PREFIX/installed, then move that
#      prefix to PREFIX/moved: everything below runs from the moved copy;
#   2. imports the installed interpref with the interpreter the build was
#      configured for, isolated and without site (-I -S), so only the prefix
#      can supply it;
#   3. runs the moved runner from another folder (PREFIX) on one area of the
#      suite against the reference: it must find its data and the module
#      relative to itself;
#   4. configures tests/downstream/ against the moved prefix
#      (find_package(interpcheck CONFIG REQUIRED)), builds it and runs its
#      ctest: interpcheck_add_conformance_test() with the reference and,
#      when DOWNSTREAM_PYTHON is set, with --python on it (adapter cpython311).
#
# Variables (-D): BUILD_DIR, CONFIG, PREFIX, SITE_DIR (relative to the
#                 prefix), PYTHON, SOURCE_DIR, GENERATOR, DOWNSTREAM_PYTHON
#                 (may be empty).

foreach(_var BUILD_DIR PREFIX SITE_DIR PYTHON SOURCE_DIR)
  if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
    message(FATAL_ERROR "InstallSmokeTest.cmake: -D${_var}=... is required")
  endif()
endforeach()

function(_run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "install.prefix: ${what} failed (${_rc}): ${ARGN}")
  endif()
  message(STATUS "install.prefix: ${what}: ok")
endfunction()

file(REMOVE_RECURSE "${PREFIX}")
file(MAKE_DIRECTORY "${PREFIX}")

# --- 1. install, then move the prefix ---------------------------------------------
set(_config_args "")
if(CONFIG)
  set(_config_args --config "${CONFIG}")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}/installed" ${_config_args}
  OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "install.prefix: cmake --install failed (${_rc}):\n${_out}${_err}")
endif()
file(RENAME "${PREFIX}/installed" "${PREFIX}/moved")
set(_prefix "${PREFIX}/moved")
foreach(_file bin/interpcheck share/interpcheck/executor.py
              share/interpcheck/conformance/SPEC.md share/interpcheck/conformance/FORMAT.md
              share/interpcheck/conformance/EVIDENCE.md share/interpcheck/conformance/suite
              share/interpcheck/conformance/selftest share/interpcheck/conformance/adapters
              share/interpcheck/conformance/expectations
              lib/cmake/interpcheck/interpcheckConfig.cmake
              lib/cmake/interpcheck/interpcheckConfigVersion.cmake)
  if(NOT EXISTS "${_prefix}/${_file}")
    message(FATAL_ERROR "install.prefix: ${_file} was not installed")
  endif()
endforeach()

# --- 2. the module ------------------------------------------------------------------
set(_site "${_prefix}/${SITE_DIR}")
_run("import interpref from ${_site}"
  "${PYTHON}" -I -S -c
  "import sys; sys.path.insert(0, sys.argv[1]); import interpref; f = interpref.__file__; print('imported', f); assert f.startswith(sys.argv[1]), f"
  "${_site}")

# --- 3. the moved runner, from another folder ------------------------------------------
execute_process(
  COMMAND "${_prefix}/bin/interpcheck" -j 2 --filter "suite/module/*"
  WORKING_DIRECTORY "${PREFIX}"
  OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc)
message("${_out}${_err}")
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "install.prefix: the moved runner exited ${_rc}")
endif()
if(NOT _out MATCHES "interpref \\(Python [^)]*\\): PASS [1-9]")
  message(FATAL_ERROR "install.prefix: the moved runner passed nothing")
endif()
# The subprocess scenarios start a fresh Python that must import the
# installed module: the run above includes them unless none is in the area;
# one explicitly, whatever the area holds.
execute_process(
  COMMAND "${_prefix}/bin/interpcheck" list --feature subprocess
  WORKING_DIRECTORY "${PREFIX}"
  OUTPUT_VARIABLE _subprocess RESULT_VARIABLE _rc)
string(REGEX MATCH "suite/[^ \n]+" _one "${_subprocess}")
if(_one)
  _run("a subprocess scenario (${_one}) with the moved runner"
    "${_prefix}/bin/interpcheck" --filter "${_one}")
endif()

# A runner without its data says so (exit 2) and names the way out, --root,
# which moves every default: the suite, SPEC.md, the adapters and the
# executor (here the source tree's).
file(MAKE_DIRECTORY "${PREFIX}/lonely/bin")
file(COPY "${_prefix}/bin/interpcheck" DESTINATION "${PREFIX}/lonely/bin")
execute_process(COMMAND "${PREFIX}/lonely/bin/interpcheck" --filter "suite/module/module-*"
  WORKING_DIRECTORY "${PREFIX}" ERROR_VARIABLE _err RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 2 OR NOT _err MATCHES "cannot find the conformance suite.*--root")
  message(FATAL_ERROR "install.prefix: a runner without data: exit ${_rc}, ${_err}")
endif()
message(STATUS "install.prefix: a runner without its data: exit 2, ${_err}")
_run("a runner without its data, with --root"
  "${PREFIX}/lonely/bin/interpcheck" --root "${SOURCE_DIR}/conformance" --filter "suite/module/module-*")
if(DOWNSTREAM_PYTHON)
  _run("the moved runner, with --root and the installed adapter cpython311"
    "${_prefix}/bin/interpcheck" --root "${_prefix}/share/interpcheck/conformance"
    --python "${DOWNSTREAM_PYTHON}" --impl cpython311
    --filter "suite/module/module-exports-documented*")
endif()

# --- 4. the downstream project ---------------------------------------------------------
set(_ds "${PREFIX}/downstream")
set(_gen "")
if(GENERATOR)
  set(_gen -G "${GENERATOR}")
endif()
_run("configure tests/downstream"
  "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/downstream" -B "${_ds}" ${_gen}
  "-DCMAKE_PREFIX_PATH=${_prefix}" "-DDOWNSTREAM_PYTHON=${DOWNSTREAM_PYTHON}")
_run("build tests/downstream" "${CMAKE_COMMAND}" --build "${_ds}")
execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" --test-dir "${_ds}" -N
  OUTPUT_VARIABLE _listed)
message("${_listed}")
_run("ctest in tests/downstream"
  "${CMAKE_CTEST_COMMAND}" --test-dir "${_ds}" --output-on-failure --no-tests=error)
