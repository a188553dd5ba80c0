/*
 * scenario_json.c: scenario -> JSON for executor.py.  Field names follow the
 * executor's expectations: steps carry kind, line, and per kind code and
 * code_line, raises {name, matching}, expr, outcomes and outcome_lines,
 * target and channels, name; and `clause`, the clause a failure of the step
 * is charged to (absent for a set-up step), for messages that name it.
 */
#include "scenario_json.h"

#include "strbuf.h"

static void
field(strbuf *sb, const char *name, const char *value)
{
    if (value != NULL) {
        sb_printf(sb, ",\"%s\":", name);
        sb_json_string(sb, value);
    }
}

static void
step_json(strbuf *sb, const scn_scenario *scenario, const scn_step *step)
{
    sb_puts(sb, "{\"kind\":");
    sb_json_string(sb, scn_step_kind_name(step->kind));
    sb_printf(sb, ",\"line\":%u", step->line);
    field(sb, "clause", scn_step_clause(scenario, step));
    field(sb, "name", step->name);
    field(sb, "target", step->target);
    field(sb, "channels", step->channels);
    field(sb, "expr", step->expr);
    if (step->code != NULL) {
        field(sb, "code", step->code);
        sb_printf(sb, ",\"code_line\":%u", step->code_line);
    }
    if (step->raises != NULL) {
        sb_puts(sb, ",\"raises\":{\"name\":");
        sb_json_string(sb, step->raises);
        sb_puts(sb, ",\"matching\":");
        if (step->matching != NULL) {
            sb_json_string(sb, step->matching);
        }
        else {
            sb_puts(sb, "null");
        }
        sb_puts(sb, "}");
    }
    if (step->n_outcomes > 0) {
        sb_puts(sb, ",\"outcomes\":[");
        for (size_t i = 0; i < step->n_outcomes; i++) {
            sb_puts(sb, i ? "," : "");
            sb_json_string(sb, step->outcomes[i]);
        }
        sb_puts(sb, "],\"outcome_lines\":[");
        for (size_t i = 0; i < step->n_outcomes; i++) {
            sb_printf(sb, "%s%u", i ? "," : "", step->outcome_lines[i]);
        }
        sb_puts(sb, "]");
    }
    sb_puts(sb, "}");
}

char *
scnjson_encode(const scn_scenario *scenario, const char *id, const char *path)
{
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "{\"id\":");
    sb_json_string(&sb, id);
    sb_puts(&sb, ",\"path\":");
    sb_json_string(&sb, path);
    sb_puts(&sb, ",\"steps\":[");
    for (size_t i = 0; i < scenario->n_steps; i++) {
        sb_puts(&sb, i ? ",\n" : "\n");
        step_json(&sb, scenario, &scenario->steps[i]);
    }
    sb_puts(&sb, "]}\n");
    return sb_finish(&sb);
}
