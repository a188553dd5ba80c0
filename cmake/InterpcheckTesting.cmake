# InterpcheckTesting.cmake: helpers to declare tests, and the environment
# every test runs in.
#
#   interpcheck_add_c_test(NAME SOURCES src... [LABELS l...] [WITH_REF]
#                          [LIBRARIES lib...] [ARGS a...] [TIMEOUT s]
#                          [ENVIRONMENT K=V...])
#       A cmocka test program.  NAME is the CTest name; the executable target
#       is NAME with every character other than [A-Za-z0-9_] turned into `_`.
#       WITH_REF links interpref_core and libpython (the program then embeds
#       Python and registers the module with PyImport_AppendInittab).
#
#   interpcheck_add_py_test(NAME FILE script.py [LABELS l...] [ARGS a...]
#                           [TIMEOUT s] [ENVIRONMENT K=V...])
#       A Python script run by the embedded driver `interpref-embed`
#       (isolated interpreter, no site, `interpref` built in); the test passes
#       when the script exits 0 (a unittest script ending in unittest.main()).
#
#   interpcheck_link_python_embed(TARGET)
#       Link TARGET against libpython (Python::Embed) with the BUILD_RPATH a
#       non-system Python needs.
#
# TIMEOUT is the budget of a plain build; it is scaled by
# INTERPCHECK_TEST_TIMEOUT_SCALE (3 under sanitizers, 2 under coverage,
# INTERPCHECK_MEMCHECK_SCALE in a memcheck tree, see cmake/Memcheck.cmake).

include_guard(GLOBAL)

# --- Environment of every test ---------------------------------------------------
# INTERPCHECK_TEST_ENV is a list of NAME=VALUE (values must not contain `;`).
set(INTERPCHECK_TEST_ENV "")
set(INTERPCHECK_TEST_TIMEOUT_SCALE 1)

if(INTERPCHECK_SANITIZE AND INTERPCHECK_SANITIZERS STREQUAL "thread")
  # ThreadSanitizer (the tsan preset): slower than ASan, and the stress tests
  # multiply it.
  set(INTERPCHECK_TEST_TIMEOUT_SCALE 6)
  # PYTHONMALLOC=malloc: pymalloc reuses object memory inside its arenas
  # without telling TSan, so a freed and reused object would look like a
  # race between its old and new owner; malloc/free are intercepted.
  # TSAN_OPTIONS:
  #   suppressions              ref/tests/tsan.supp: each entry names its
  #                             CPython cause
  #   halt_on_error=1, exitcode=66   the first report fails the test
  #   second_deadlock_stack=1   both stacks of a lock-order inversion
  list(APPEND INTERPCHECK_TEST_ENV
    "PYTHONMALLOC=malloc"
    "TSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/ref/tests/tsan.supp:halt_on_error=1:exitcode=66:second_deadlock_stack=1:print_suppressions=0")
elseif(INTERPCHECK_SANITIZE)
  set(INTERPCHECK_TEST_TIMEOUT_SCALE 3)
  # PYTHONMALLOC=malloc: pymalloc carves objects out of big arenas, where
  # ASan sees neither overflows nor leaks.  interpref-embed honours it even
  # though its configuration is isolated; C tests must do the same (or use
  # Py_InitializeFromConfig with a PyPreConfig whose allocator is malloc).
  #
  # ASAN_OPTIONS:
  #   detect_leaks=1            LeakSanitizer on, with lsan.supp below
  #   allocator_may_return_null Python code that asks for absurd sizes gets
  #                             MemoryError, as without ASan, not an abort
  #   halt_on_error/abort_on_error=0   stop at the first error with a normal
  #                             non-zero exit, not SIGABRT and a core file
  # LSAN_OPTIONS: ref/tests/lsan.supp suppresses leaks whose allocation stack
  #   runs through CPython's own start-up, teardown and interpreter-creation
  #   entry points; it never names libpython as a whole (every call into our
  #   module has libpython frames below it, so that would hide our leaks too).
  # UBSAN_OPTIONS: a stack trace for each report; -fno-sanitize-recover=all
  #   already makes the first one fatal.
  list(APPEND INTERPCHECK_TEST_ENV
    "PYTHONMALLOC=malloc"
    "ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:halt_on_error=1:abort_on_error=0:print_summary=1"
    "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/ref/tests/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
elseif(INTERPCHECK_COVERAGE)
  set(INTERPCHECK_TEST_TIMEOUT_SCALE 2)
elseif(INTERPCHECK_MEMCHECK)
  # Under `ctest -T memcheck` (valgrind): see cmake/Memcheck.cmake.
  set(INTERPCHECK_TEST_TIMEOUT_SCALE ${INTERPCHECK_MEMCHECK_SCALE})
  # INTERPCHECK_SUITE_VERSION: the runner would ask `git` for it through
  # children valgrind does not follow, whose logs would then be incomplete.
  list(APPEND INTERPCHECK_TEST_ENV "PYTHONMALLOC=malloc" "INTERPCHECK_SUITE_VERSION=memcheck-run")
endif()

# Tests of loading interpref from its file into a stock interpreter (module.c:
# a subinterpreter that cannot import it by name loads it from the file the
# main interpreter loaded) run that interpreter on the built module
# (ref/tests/py/support.py: STOCK_PYTHON, STOCK_MODULE_DIR).  Not under the
# sanitizers: a module built with them cannot be loaded into a stock
# interpreter, and those tests are skipped there.
if(NOT INTERPCHECK_SANITIZE)
  list(APPEND INTERPCHECK_TEST_ENV
    "INTERPREF_TEST_PYTHON=${INTERPCHECK_PYTHON_EXECUTABLE}"
    "INTERPREF_TEST_MODULE_DIR=${CMAKE_BINARY_DIR}/python")
endif()

# cmocka through pkg-config; a missing libcmocka-dev only matters once a C
# test is declared, and then says how to get it.
pkg_check_modules(CMOCKA QUIET IMPORTED_TARGET GLOBAL cmocka)

function(interpcheck_link_python_embed target)
  target_link_libraries(${target} PRIVATE Python::Embed)
  if(INTERPCHECK_PYTHON_RPATH)
    set_property(TARGET ${target} APPEND PROPERTY BUILD_RPATH "${INTERPCHECK_PYTHON_RPATH}")
    set_property(TARGET ${target} APPEND PROPERTY INSTALL_RPATH "${INTERPCHECK_PYTHON_RPATH}")
  endif()
endfunction()

# Internal: the properties shared by both kinds of test.
function(_interpcheck_test_properties name timeout labels env)
  math(EXPR _timeout "${timeout} * ${INTERPCHECK_TEST_TIMEOUT_SCALE}")
  set(_env ${INTERPCHECK_TEST_ENV} ${env})
  if(INTERPCHECK_MEMCHECK)
    # Names the valgrind log files of the test's processes (cmake/Memcheck.cmake).
    list(APPEND _env "INTERPCHECK_TEST_NAME=${name}")
  endif()
  set_tests_properties(${name} PROPERTIES
    LABELS "${labels}"
    TIMEOUT ${_timeout})
  if(_env)
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${_env}")
  endif()
endfunction()

# Internal: the argument checks and the default timeout both kinds of test
# share, on the arg_* variables the caller's cmake_parse_arguments() set.  A
# macro, not a function: it sets arg_TIMEOUT in the caller's scope (and
# cmake_parse_arguments(PARSE_ARGV) itself works only in the caller).
macro(_interpcheck_test_arguments command name required default_timeout)
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${command}(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_${required})
    message(FATAL_ERROR "${command}(${name}): ${required} is required")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT ${default_timeout})
  endif()
endmacro()

function(interpcheck_add_c_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "WITH_REF" "TIMEOUT"
                        "SOURCES;LABELS;LIBRARIES;ARGS;ENVIRONMENT")
  _interpcheck_test_arguments(interpcheck_add_c_test ${name} SOURCES 60)
  if(NOT TARGET PkgConfig::CMOCKA)
    message(FATAL_ERROR
      "interpcheck_add_c_test(${name}): cmocka not found by pkg-config.  "
      "Install it: apt-get install libcmocka-dev (or run tools/run-tests, which checks deps).")
  endif()

  string(MAKE_C_IDENTIFIER "${name}" target)
  add_executable(${target} ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE PkgConfig::CMOCKA Threads::Threads ${arg_LIBRARIES})
  if(arg_WITH_REF)
    target_link_libraries(${target} PRIVATE interpref_core)
    interpcheck_link_python_embed(${target})
  endif()

  add_test(NAME ${name} COMMAND ${target} ${arg_ARGS})
  _interpcheck_test_properties(${name} ${arg_TIMEOUT} "${arg_LABELS}" "${arg_ENVIRONMENT}")
endfunction()

function(interpcheck_add_py_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "FILE;TIMEOUT"
                        "LABELS;ARGS;ENVIRONMENT")
  _interpcheck_test_arguments(interpcheck_add_py_test ${name} FILE 120)
  get_filename_component(_file "${arg_FILE}" ABSOLUTE)

  add_test(NAME ${name} COMMAND interpref-embed "${_file}" ${arg_ARGS})
  _interpcheck_test_properties(${name} ${arg_TIMEOUT} "${arg_LABELS}" "${arg_ENVIRONMENT}")
endfunction()

# --- Allocation fault injection (label fault) ---------------------------------------
# Only in trees configured with INTERPCHECK_FAULT_INJECTION (the `fault` and
# `coverage` presets): the tests need interpref's private
# _fault_after()/_fault_calls(), which other builds do not have.  Without the
# sanitizers (coverage) nothing checks for leaks at exit; every other check
# of theirs holds.  Declared here, in the top-level directory,
# because ref/CMakeLists.txt only globs tests/py, tests/stress and tests/c;
# add_test() resolves the interpref-embed target at generation time.
if(BUILD_TESTING AND INTERPCHECK_FAULT_INJECTION)
  interpcheck_add_py_test(ref.fault.test_fault_walk
    FILE "${CMAKE_SOURCE_DIR}/ref/tests/fault/test_fault_walk.py"
    LABELS ref fault
    TIMEOUT 1200)
  # Targeted failures in states the walk's workload does not reach.
  interpcheck_add_py_test(ref.fault.test_fault_sites
    FILE "${CMAKE_SOURCE_DIR}/ref/tests/fault/test_fault_sites.py"
    LABELS ref fault)
endif()
