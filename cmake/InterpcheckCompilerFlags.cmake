# InterpcheckCompilerFlags.cmake: language level, warnings and instrumented
# build modes, applied to every C target of the project (directory-wide, so
# tools/ and fuzz/ get them too when they appear).
#
# Options:
#   INTERPCHECK_WERROR    turn warnings into errors (the ci-* presets do)
#   INTERPCHECK_SANITIZE  AddressSanitizer + UndefinedBehaviorSanitizer, or
#                         what INTERPCHECK_SANITIZERS names instead
#   INTERPCHECK_SANITIZERS  with INTERPCHECK_SANITIZE: "address,undefined"
#                         (default) or "thread" (ThreadSanitizer, the `tsan`
#                         preset).  Either way the tree counts as a sanitizer
#                         tree: no stock-Python tests, no install test, no
#                         mutation run (a sanitized module loads only into
#                         interpref-embed and the runner).
#   INTERPCHECK_COVERAGE  gcov instrumentation (--coverage)
#   INTERPCHECK_FAULT_INJECTION  test-only hooks: interpref gets the private
#                         functions _fault_after(n) and _fault_calls() over
#                         ref_alloc_fail_after()/ref_alloc_calls() (ref/alloc.h),
#                         and the allocation-failure walk ref.fault.test_fault_walk
#                         and ref.fault.test_fault_sites are declared (label fault).
#                         The `fault` preset turns it on (under the sanitizers), and
#                         so does `coverage` (its failure paths count there).

include_guard(GLOBAL)

option(INTERPCHECK_WERROR "Treat compiler warnings as errors" OFF)
option(INTERPCHECK_SANITIZE "Build with -fsanitize=address,undefined" OFF)
set(INTERPCHECK_SANITIZERS "address,undefined" CACHE STRING
  "With INTERPCHECK_SANITIZE: address,undefined or thread")
set_property(CACHE INTERPCHECK_SANITIZERS PROPERTY STRINGS "address,undefined" "thread")
if(NOT INTERPCHECK_SANITIZERS MATCHES "^(address,undefined|thread)$")
  message(FATAL_ERROR "INTERPCHECK_SANITIZERS must be address,undefined or thread, not ${INTERPCHECK_SANITIZERS}")
endif()
option(INTERPCHECK_COVERAGE "Build with --coverage (gcov)" OFF)
option(INTERPCHECK_FAULT_INJECTION
  "Test-only allocation fault injection hooks in interpref (_fault_after, _fault_calls)" OFF)

if(INTERPCHECK_SANITIZE AND INTERPCHECK_COVERAGE)
  message(FATAL_ERROR "INTERPCHECK_SANITIZE and INTERPCHECK_COVERAGE are separate builds; pick one.")
endif()

# C11, no GNU dialect.  CPython's pyconfig.h defines these feature-test macros
# itself; defining the very same values on the command line keeps every
# translation unit (also those that never include Python.h, or include a libc
# header first) on one view of libc, without redefinition warnings.
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
add_compile_definitions(_GNU_SOURCE=1 _POSIX_C_SOURCE=200809L _XOPEN_SOURCE=700)

add_compile_options(-Wall -Wextra)
if(INTERPCHECK_WERROR)
  add_compile_options(-Werror)
endif()

if(INTERPCHECK_SANITIZE AND INTERPCHECK_SANITIZERS STREQUAL "thread")
  # ThreadSanitizer: every C target of the tree; libpython stays
  # uninstrumented (its locks are seen through TSan's pthread and semaphore
  # interceptors, its plain memory accesses not at all).
  set(_san -fsanitize=thread -fno-omit-frame-pointer)
  add_compile_options(${_san})
  add_link_options(${_san})
elseif(INTERPCHECK_SANITIZE)
  # Recovery off: the first UBSan report fails the test instead of scrolling by.
  set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_compile_options(${_san})
  add_link_options(${_san})
endif()

if(INTERPCHECK_COVERAGE)
  # -O0 so every branch in the report is a branch in the source.
  # -fprofile-update=atomic: the tests run many threads through the same
  # code; plain counter updates race, lose counts, and can even leave gcov
  # deriving a negative branch count, which gcovr refuses to read.
  add_compile_options(--coverage -O0 -fprofile-update=atomic)
  add_link_options(--coverage)
endif()

if(INTERPCHECK_FAULT_INJECTION)
  # A compile definition, never a default: release builds must not carry a
  # way to make interpref fail its allocations on purpose.
  add_compile_definitions(INTERPCHECK_FAULT_INJECTION=1)
endif()
