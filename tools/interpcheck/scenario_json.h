/*
 * scenario_json.h: a parsed scenario as the JSON document the step executor
 * (executor.py) reads.  The one hand-over point between the C parser and
 * the Python executor, in both of the runner's modes.
 */
#ifndef INTERPCHECK_SCENARIO_JSON_H
#define INTERPCHECK_SCENARIO_JSON_H

#include "scenario.h"

/* malloc'd JSON text, or NULL when out of memory. */
char *scnjson_encode(const scn_scenario *scenario, const char *id, const char *path);

#endif /* INTERPCHECK_SCENARIO_JSON_H */
