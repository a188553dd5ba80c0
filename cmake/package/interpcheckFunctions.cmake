# interpcheckFunctions.cmake: part of the installed CMake package
# (interpcheckConfig.cmake includes it).
#
#   interpcheck_add_conformance_test(NAME
#       [IMPL module]        implementation under test (default: interpref,
#                            the reference built into the runner); the
#                            installed adapters are cpython311 (CPython
#                            3.10-3.12), cpython313, cpython314
#       [PYTHON command]     run the scenarios in that Python (`--python`;
#                            may be several words); default: in process
#       [EXPECT file]        expectation file (`--expect`), e.g.
#                            ${interpcheck_EXPECTATIONS_DIR}/cpython-3.11.txt
#       [PATH dir...]        folders holding the implementation (`--path`)
#       [LABELS label...]    CTest labels
#       [TIMEOUT seconds]    CTest timeout (default 1800)
#       [WORKING_DIRECTORY dir]
#       [ARGS arg...])       more runner arguments: selection (--filter,
#                            --clause, ...), -j N, reports, scenario paths
#
# adds a CTest test NAME that runs the installed runner; it passes when the
# runner exits 0: every outcome as expected (FORMAT.md and `interpcheck
# --help` say the rest).  Needs enable_testing() (or include(CTest)).

include_guard(GLOBAL)

function(interpcheck_add_conformance_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "IMPL;PYTHON;EXPECT;TIMEOUT;WORKING_DIRECTORY"
                        "PATH;LABELS;ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "interpcheck_add_conformance_test(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET interpcheck::interpcheck)
    message(FATAL_ERROR
      "interpcheck_add_conformance_test(${name}): no interpcheck::interpcheck "
      "(find_package(interpcheck CONFIG REQUIRED) first)")
  endif()
  set(_args --label "${name}")
  if(arg_IMPL)
    list(APPEND _args --impl "${arg_IMPL}")
  endif()
  if(arg_PYTHON)
    list(APPEND _args --python "${arg_PYTHON}")
  endif()
  if(arg_EXPECT)
    get_filename_component(_expect "${arg_EXPECT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND _args --expect "${_expect}")
  endif()
  foreach(_dir IN LISTS arg_PATH)
    get_filename_component(_dir "${_dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND _args --path "${_dir}")
  endforeach()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 1800)
  endif()
  set(_wd "")
  if(arg_WORKING_DIRECTORY)
    set(_wd WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}")
  endif()
  add_test(NAME "${name}" COMMAND interpcheck::interpcheck ${_args} ${arg_ARGS} ${_wd})
  set_tests_properties("${name}" PROPERTIES TIMEOUT "${arg_TIMEOUT}")
  if(arg_LABELS)
    set_tests_properties("${name}" PROPERTIES LABELS "${arg_LABELS}")
  endif()
endfunction()
