# Memcheck.cmake: valgrind for `ctest -T memcheck`; included by the top-level
# CMakeLists.txt before include(CTest), which writes the MEMORYCHECK_*
# settings into DartConfiguration.tcl (MemoryCheckCommand, ...).
#
#   tools/memcheck                   the gate: build, run, count, verdict
#   ctest --test-dir build/memcheck -T memcheck -L '^ref$'  (by hand)
#
# Only a tree configured with INTERPCHECK_MEMCHECK=ON (the `memcheck` preset,
# build/memcheck) is set up for it; other trees keep CTest's defaults.  There:
#   - every test runs with PYTHONMALLOC=malloc: pymalloc's arenas hide
#     overflows and leaks from valgrind, and its address_in_range() reads
#     would need Debian's /usr/lib/valgrind/python3.supp, which valgrind 3.19
#     does not load by itself (`valgrind -v true` reads only default.supp);
#   - test timeouts and the runner's --time-scale are multiplied by
#     INTERPCHECK_MEMCHECK_SCALE (valgrind runs Python many times slower);
#   - every test gets INTERPCHECK_TEST_NAME=<its name> in its environment,
#     which names its log files (below).
#
# Log files: each process writes its own,
#   <build>/Testing/Temporary/valgrind/<test name>.<pid>.log
# because the tests start processes of their own: the runner forks a child
# per scenario, some Python tests and `subprocess` scenarios start a fresh
# interpreter.  With CTest's single MemoryChecker.<n>.log, the processes
# would write over one another (an exec'd child under --trace-children
# truncates the file).  So CTest's own "Memory checking results" stay empty;
# tools/memcheck reads the logs and counts; --error-exitcode makes any
# error fail its test even when ctest runs without that script.
#
# Valgrind options, and why:
#   --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
#       a "definitely lost" block is an error; reachable and "possibly lost"
#       blocks are not (CPython keeps a lot alive until exit, and interior
#       pointers into its objects are normal)
#   --error-exitcode=99   a process with any error exits 99.  A forked
#       runner child then counts as CRASH, so its conformance test fails and
#       names the scenario; a test's own process fails the test
#   --trace-children=yes  programs the tests start run under valgrind too;
#       --trace-children-skip leaves out shells and env, which are not ours
#   --child-silent-after-fork=no   the runner's children (fork, no exec) run
#       the reference: their reports matter
#   --fair-sched=yes      threads take turns as without valgrind, so a
#       thread blocked on the GIL or a semaphore is not starved into a timeout
#   --suppressions        ref/tests/valgrind/python<X.Y>.supp, one file per
#       CPython series; every entry names the CPython issue it hides
#   --show-error-list=yes (-s) each log ends with how often each suppression
#       was used, which tools/memcheck counts
#
# Cache options:
#   INTERPCHECK_MEMCHECK        set the tree up for valgrind (OFF)
#   INTERPCHECK_MEMCHECK_SCALE  timeout/--time-scale factor under valgrind (10)

include_guard(GLOBAL)

option(INTERPCHECK_MEMCHECK "Set the tests up for ctest -T memcheck (valgrind)" OFF)
set(INTERPCHECK_MEMCHECK_SCALE 10 CACHE STRING
    "Factor for test timeouts and the runner's --time-scale under valgrind")

if(NOT INTERPCHECK_MEMCHECK)
  return()
endif()
if(INTERPCHECK_SANITIZE OR INTERPCHECK_COVERAGE)
  message(FATAL_ERROR "INTERPCHECK_MEMCHECK needs an uninstrumented build (no sanitizers, no coverage).")
endif()

find_program(MEMORYCHECK_COMMAND valgrind DOC "valgrind, for ctest -T memcheck")
if(NOT MEMORYCHECK_COMMAND)
  message(FATAL_ERROR "INTERPCHECK_MEMCHECK: valgrind not found (apt-get install valgrind).")
endif()
set(MEMORYCHECK_TYPE Valgrind)

set(INTERPCHECK_MEMCHECK_SUPPRESSIONS
  "${CMAKE_SOURCE_DIR}/ref/tests/valgrind/python${INTERPCHECK_PYTHON_VERSION_MM}.supp")
if(NOT EXISTS "${INTERPCHECK_MEMCHECK_SUPPRESSIONS}")
  message(FATAL_ERROR
    "INTERPCHECK_MEMCHECK: no valgrind suppression file for Python "
    "${INTERPCHECK_PYTHON_VERSION_MM}: ${INTERPCHECK_MEMCHECK_SUPPRESSIONS} "
    "(start one with a header comment; tools/memcheck --help says how to fill it)")
endif()
# A normal variable: include(CTest)'s empty cache entry does not override it
# (policy CMP0126).
set(MEMORYCHECK_SUPPRESSIONS_FILE "${INTERPCHECK_MEMCHECK_SUPPRESSIONS}")

set(INTERPCHECK_MEMCHECK_LOG_DIR "${CMAKE_BINARY_DIR}/Testing/Temporary/valgrind")
file(MAKE_DIRECTORY "${INTERPCHECK_MEMCHECK_LOG_DIR}")

string(JOIN " " MEMORYCHECK_COMMAND_OPTIONS
  --tool=memcheck
  --leak-check=full
  --show-leak-kinds=definite
  --errors-for-leak-kinds=definite
  --error-exitcode=99
  --num-callers=40
  --trace-children=yes
  "--trace-children-skip=/bin/*,/usr/bin/*sh,/usr/bin/env"
  --child-silent-after-fork=no
  --fair-sched=yes
  --show-error-list=yes
  "--log-file=${INTERPCHECK_MEMCHECK_LOG_DIR}/%q{INTERPCHECK_TEST_NAME}.%p.log")

message(STATUS "interpcheck: memcheck tree: ${MEMORYCHECK_COMMAND}, "
               "suppressions ${MEMORYCHECK_SUPPRESSIONS_FILE}, scale ${INTERPCHECK_MEMCHECK_SCALE}")
