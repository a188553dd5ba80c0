# ExpectCommand.cmake: run COMMAND (a ;-list) and require its exit status to
# be EXPECT_EXIT and its combined output to match EXPECT_REGEX.  For tests
# of programs whose "failure" is the behaviour under test (the runner
# reporting a crash must itself exit 1, not crash).
#
#   cmake -D COMMAND=prog;arg... -D EXPECT_EXIT=1 -D EXPECT_REGEX=re -P ExpectCommand.cmake
execute_process(COMMAND ${COMMAND}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out)
if(NOT "${status}" STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "exit status ${status}, expected ${EXPECT_EXIT}; output:\n${out}")
endif()
if(NOT out MATCHES "${EXPECT_REGEX}")
  message(FATAL_ERROR "output does not match /${EXPECT_REGEX}/; output:\n${out}")
endif()
message(STATUS "exit ${status} and output as expected")
