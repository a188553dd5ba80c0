# InterpcheckPython.cmake: find the CPython the project builds against.
#
# libpython is found through pkg-config, never through FindPython3: CMake
# 3.25's FindPython3 only knows versions up to 3.12 and silently falls back to
# another Python when asked for 3.13 (see conformance/EVIDENCE.md, section
# V6).  The `-embed` .pc variant is the one that lists -lpython3.X.
#
# Inputs (cache):
#   INTERPCHECK_PYTHON_PC          pkg-config module, default python3-embed.
#                                  PKG_CONFIG_PATH (environment) or
#                                  CMAKE_PREFIX_PATH=<python prefix> choose
#                                  where it is looked up.
#   INTERPCHECK_PYTHON_EXECUTABLE  the matching interpreter; derived from the
#                                  .pc `prefix` as <prefix>/bin/python<X.Y>,
#                                  re-derived when the .pc changes unless the
#                                  user set it to something else.
#   INTERPCHECK_PYTHON_INSTALL_DIR where `cmake --install` puts the module,
#                                  relative to CMAKE_INSTALL_PREFIX
#                                  (default lib/python<X.Y>/site-packages).
#
# Outputs:
#   Python::Headers   INTERFACE target: include dirs and cflags only.  For the
#                     extension module, which must not link libpython.
#   Python::Embed     INTERFACE target: headers + libpython, for programs that
#                     embed Python (the test driver, C tests).
#   INTERPCHECK_PYTHON_VERSION        full version, e.g. 3.11.2
#   INTERPCHECK_PYTHON_VERSION_MM     major.minor, e.g. 3.11
#   INTERPCHECK_PYTHON_EXT_SUFFIX     e.g. .cpython-311-x86_64-linux-gnu.so
#   INTERPCHECK_PYTHON_LIBDIR         the .pc libdir
#   INTERPCHECK_PYTHON_RPATH          libdir when it is not a system
#                                     directory (for BUILD_RPATH), else empty

include_guard(GLOBAL)

find_package(PkgConfig REQUIRED)

set(INTERPCHECK_PYTHON_PC "python3-embed" CACHE STRING
    "pkg-config module of the libpython to build against (e.g. python-3.13-embed)")

# The result variables are cached by pkg_check_modules, so a later
# reconfigure works even without the PKG_CONFIG_PATH given the first time.
pkg_check_modules(INTERPCHECK_PYPC REQUIRED IMPORTED_TARGET ${INTERPCHECK_PYTHON_PC})

if(NOT INTERPCHECK_PYPC_VERSION MATCHES "^([0-9]+\\.[0-9]+)")
  message(FATAL_ERROR
    "pkg-config module '${INTERPCHECK_PYTHON_PC}' has version "
    "'${INTERPCHECK_PYPC_VERSION}', expected a Python X.Y version")
endif()
set(INTERPCHECK_PYTHON_VERSION_MM "${CMAKE_MATCH_1}")
set(INTERPCHECK_PYTHON_LIBDIR "${INTERPCHECK_PYPC_LIBDIR}")

# --- The interpreter that goes with this libpython ---------------------------
# A cache entry whose default follows other settings: set VAR to VALUE unless
# the user chose a value of their own.  A value still equal to what was
# derived last time counts as "not chosen", so switching INTERPCHECK_PYTHON_PC
# in an existing build tree switches the interpreter and install dir too.
macro(_interpcheck_derived_cache var value type doc)
  if(NOT ${var} OR "${${var}}" STREQUAL "${_${var}_DERIVED}")
    set(${var} "${value}" CACHE ${type} "${doc}" FORCE)
  endif()
  set(_${var}_DERIVED "${value}" CACHE INTERNAL "")
endmacro()

_interpcheck_derived_cache(INTERPCHECK_PYTHON_EXECUTABLE
  "${INTERPCHECK_PYPC_PREFIX}/bin/python${INTERPCHECK_PYTHON_VERSION_MM}"
  FILEPATH "Python interpreter matching INTERPCHECK_PYTHON_PC")

if(NOT EXISTS "${INTERPCHECK_PYTHON_EXECUTABLE}")
  message(FATAL_ERROR
    "No Python interpreter at '${INTERPCHECK_PYTHON_EXECUTABLE}' (derived from "
    "the prefix of pkg-config module '${INTERPCHECK_PYTHON_PC}').  "
    "Set -DINTERPCHECK_PYTHON_EXECUTABLE=/path/to/python${INTERPCHECK_PYTHON_VERSION_MM}.")
endif()

# Ask the interpreter.  -I -S: no user environment, no site (a .pth file in
# some site-packages makes interpreters hang; we never want site here).
# The install dir comes from the posix_prefix scheme, with the bases emptied
# so it is relative: Debian's default scheme (posix_local) would give
# local/lib/python3.X/dist-packages, which no stock Python searches.
execute_process(
  COMMAND "${INTERPCHECK_PYTHON_EXECUTABLE}" -I -S -c
    "import sys, sysconfig\nprint('%d.%d.%d' % sys.version_info[:3])\nprint('%d.%d' % sys.version_info[:2])\nprint(sysconfig.get_config_var('EXT_SUFFIX'))\nprint(sysconfig.get_path('platlib', 'posix_prefix', vars={'platbase': '', 'base': ''}).lstrip('/'))"
  OUTPUT_VARIABLE _py_out
  ERROR_VARIABLE _py_err
  RESULT_VARIABLE _py_rc
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _py_rc EQUAL 0)
  message(FATAL_ERROR
    "Could not query ${INTERPCHECK_PYTHON_EXECUTABLE} (exit ${_py_rc}): ${_py_err}")
endif()
string(REPLACE "\n" ";" _py_out "${_py_out}")
list(GET _py_out 0 INTERPCHECK_PYTHON_VERSION)
list(GET _py_out 1 _exe_mm)
list(GET _py_out 2 INTERPCHECK_PYTHON_EXT_SUFFIX)
list(GET _py_out 3 _platlib_rel)

if(NOT _exe_mm STREQUAL INTERPCHECK_PYTHON_VERSION_MM)
  # Headers/libpython of one version with the EXT_SUFFIX of another would
  # build a module no interpreter loads.
  message(FATAL_ERROR
    "${INTERPCHECK_PYTHON_EXECUTABLE} is Python ${_exe_mm}, but pkg-config "
    "module '${INTERPCHECK_PYTHON_PC}' is ${INTERPCHECK_PYTHON_VERSION_MM}.")
endif()

_interpcheck_derived_cache(INTERPCHECK_PYTHON_INSTALL_DIR "${_platlib_rel}"
  STRING "Install dir of the extension module, relative to CMAKE_INSTALL_PREFIX")

# --- rpath for Pythons outside the system library directories ---------------
set(INTERPCHECK_PYTHON_RPATH "")
if(NOT INTERPCHECK_PYTHON_LIBDIR IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES
   AND NOT INTERPCHECK_PYTHON_LIBDIR MATCHES "^/(usr/)?lib(64|/[^/]*-linux-gnu)?/?$")
  set(INTERPCHECK_PYTHON_RPATH "${INTERPCHECK_PYTHON_LIBDIR}")
endif()

# --- Targets -------------------------------------------------------------------
# Python::Headers carries the include dirs (as SYSTEM, so -Wextra/-Werror do
# not judge CPython's own headers) and the remaining cflags, without libs.
if(NOT TARGET Python::Headers)
  add_library(Python::Headers INTERFACE IMPORTED)
  set_target_properties(Python::Headers PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${INTERPCHECK_PYPC_INCLUDE_DIRS}"
    INTERFACE_COMPILE_OPTIONS "${INTERPCHECK_PYPC_CFLAGS_OTHER}")

  add_library(Python::Embed INTERFACE IMPORTED)
  target_link_libraries(Python::Embed INTERFACE Python::Headers PkgConfig::INTERPCHECK_PYPC)
endif()

message(STATUS
  "interpcheck: Python ${INTERPCHECK_PYTHON_VERSION} "
  "(pkg-config ${INTERPCHECK_PYTHON_PC}, libdir ${INTERPCHECK_PYTHON_LIBDIR}, "
  "interpreter ${INTERPCHECK_PYTHON_EXECUTABLE}, EXT_SUFFIX ${INTERPCHECK_PYTHON_EXT_SUFFIX})")
