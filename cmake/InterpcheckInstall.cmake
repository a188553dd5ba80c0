# InterpcheckInstall.cmake: what `cmake --install` puts where, the CMake
# package for downstream projects, the Debian package (CPack) and the test
# of all three.  Included by the top-level CMakeLists.txt after tools/.
#
#   PREFIX/bin/interpcheck                      the runner (finds the rest
#                                               relative to itself: layout.h)
#   PREFIX/share/interpcheck/executor.py        its step executor
#   PREFIX/share/interpcheck/conformance/       suite/, selftest/, adapters/,
#                                               expectations/, SPEC.md,
#                                               FORMAT.md, EVIDENCE.md
#   PREFIX/<INTERPCHECK_PYTHON_INSTALL_DIR>/    the interpref module
#                                               (ref/CMakeLists.txt)
#   PREFIX/lib/cmake/interpcheck/               interpcheckConfig.cmake (+
#                                               version, targets): the
#                                               imported target
#                                               interpcheck::interpcheck and
#                                               interpcheck_add_conformance_test()
#
# Tests (label install): install.prefix (cmake/InstallSmokeTest.cmake):
# installs into a scratch prefix, moves it, imports the module from it, runs
# the moved runner from another folder, and builds and tests the downstream
# project tests/downstream/ against it.  Label package (not run by default:
# only with -DINTERPCHECK_PACKAGE_TESTS=ON): package.deb, tools/package-check.

include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(INTERPCHECK_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/interpcheck")
set(INTERPCHECK_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/interpcheck" CACHE STRING
    "Where the CMake package goes, relative to the install prefix")

# --- the runner and its data ------------------------------------------------------------
install(TARGETS interpcheck EXPORT interpcheckTargets
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES "${CMAKE_SOURCE_DIR}/tools/interpcheck/executor.py"
  DESTINATION "${INTERPCHECK_INSTALL_DATADIR}")
install(DIRECTORY
    "${CMAKE_SOURCE_DIR}/conformance/suite"
    "${CMAKE_SOURCE_DIR}/conformance/selftest"
    "${CMAKE_SOURCE_DIR}/conformance/adapters"
    "${CMAKE_SOURCE_DIR}/conformance/expectations"
  DESTINATION "${INTERPCHECK_INSTALL_DATADIR}/conformance"
  PATTERN "__pycache__" EXCLUDE
  PATTERN "*.pyc" EXCLUDE)
install(FILES
    "${CMAKE_SOURCE_DIR}/conformance/SPEC.md"
    "${CMAKE_SOURCE_DIR}/conformance/FORMAT.md"
    "${CMAKE_SOURCE_DIR}/conformance/EVIDENCE.md"
  DESTINATION "${INTERPCHECK_INSTALL_DATADIR}/conformance")

# --- the CMake package ---------------------------------------------------------------------
install(EXPORT interpcheckTargets NAMESPACE interpcheck::
  DESTINATION "${INTERPCHECK_INSTALL_CMAKEDIR}")
configure_package_config_file(
  "${CMAKE_SOURCE_DIR}/cmake/package/interpcheckConfig.cmake.in"
  "${CMAKE_BINARY_DIR}/package/interpcheckConfig.cmake"
  INSTALL_DESTINATION "${INTERPCHECK_INSTALL_CMAKEDIR}"
  PATH_VARS INTERPCHECK_INSTALL_DATADIR INTERPCHECK_PYTHON_INSTALL_DIR)
write_basic_package_version_file(
  "${CMAKE_BINARY_DIR}/package/interpcheckConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMinorVersion)
install(FILES
    "${CMAKE_BINARY_DIR}/package/interpcheckConfig.cmake"
    "${CMAKE_BINARY_DIR}/package/interpcheckConfigVersion.cmake"
    "${CMAKE_SOURCE_DIR}/cmake/package/interpcheckFunctions.cmake"
  DESTINATION "${INTERPCHECK_INSTALL_CMAKEDIR}")

# --- the Debian package (cpack -G DEB in the build tree) -----------------------------------
# Depends: the libpython the runner links and the interpreter of the same
# version (scenarios with the `subprocess` feature start it).  Meant for a
# tree built against Debian's own Python; tools/package-check configures one
# with the Debian paths (prefix /usr, module in lib/python3/dist-packages).
set(CPACK_PACKAGE_NAME "interpcheck")
set(CPACK_PACKAGE_VENDOR "interpcheck")
set(CPACK_PACKAGE_CONTACT "interpcheck maintainers <interpcheck@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libpython${INTERPCHECK_PYTHON_VERSION_MM}, python${INTERPCHECK_PYTHON_VERSION_MM}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES OFF)
include(CPack)

if(NOT BUILD_TESTING)
  return()
endif()

# --- tests ---------------------------------------------------------------------------------
# Uninstrumented builds only: a module or runner carrying ASan or gcov does
# not run in a stock interpreter or outside its tree.
if(NOT INTERPCHECK_SANITIZE AND NOT INTERPCHECK_COVERAGE)
  # Debian 12's own CPython 3.11 (the one its expectation file describes),
  # else any python3.11 on PATH; empty: the downstream test checks only the
  # reference.
  find_program(INTERPCHECK_DOWNSTREAM_PYTHON NAMES python3.11 PATHS /usr/bin NO_DEFAULT_PATH
    DOC "The Python the downstream test checks with --python (adapter cpython311)")
  find_program(INTERPCHECK_DOWNSTREAM_PYTHON NAMES python3.11)
  add_test(NAME install.prefix
    COMMAND "${CMAKE_COMMAND}"
      -D "BUILD_DIR=${CMAKE_BINARY_DIR}"
      -D "CONFIG=$<CONFIG>"
      -D "PREFIX=${CMAKE_BINARY_DIR}/install-test"
      -D "SITE_DIR=${INTERPCHECK_PYTHON_INSTALL_DIR}"
      -D "PYTHON=${INTERPCHECK_PYTHON_EXECUTABLE}"
      -D "SOURCE_DIR=${CMAKE_SOURCE_DIR}"
      -D "GENERATOR=${CMAKE_GENERATOR}"
      -D "DOWNSTREAM_PYTHON=${INTERPCHECK_DOWNSTREAM_PYTHON}"
      -P "${CMAKE_SOURCE_DIR}/cmake/InstallSmokeTest.cmake")
  _interpcheck_test_properties(install.prefix 900 "install" "")
endif()

option(INTERPCHECK_PACKAGE_TESTS "Build the .deb and check it (tools/package-check; slow)" OFF)
if(INTERPCHECK_PACKAGE_TESTS)
  add_test(NAME package.deb
    COMMAND "${CMAKE_SOURCE_DIR}/tools/package-check" --build-dir "${CMAKE_BINARY_DIR}/package-check")
  _interpcheck_test_properties(package.deb 1800 "package" "")
  set_tests_properties(package.deb PROPERTIES RUN_SERIAL TRUE)
endif()
