# InstallSmokeTest.cmake: the `ref.install` test (cmake -P script).
#
# Installs the build tree into a scratch prefix, then imports the module from
# there with the interpreter the build was configured for, in isolated mode
# and without site (-I -S), so only the scratch prefix can supply it.
#
# Variables (-D): BUILD_DIR, CONFIG, PREFIX, SITE_DIR (relative to PREFIX),
#                 PYTHON.

foreach(_var BUILD_DIR PREFIX SITE_DIR PYTHON)
  if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
    message(FATAL_ERROR "InstallSmokeTest.cmake: -D${_var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${PREFIX}")

set(_config_args "")
if(CONFIG)
  set(_config_args --config "${CONFIG}")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${_config_args}
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${_rc})")
endif()

set(_site "${PREFIX}/${SITE_DIR}")
execute_process(
  COMMAND "${PYTHON}" -I -S -c
    "import sys; sys.path.insert(0, sys.argv[1]); import interpref; f = interpref.__file__; print('imported', f); assert f.startswith(sys.argv[1]), f"
    "${_site}"
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "importing interpref from ${_site} with ${PYTHON} failed (${_rc})")
endif()
