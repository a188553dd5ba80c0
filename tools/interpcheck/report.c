/*
 * report.c: the reporters (see report.h).  Every format carries, for each
 * scenario that does not match its expectations, the step and its line, the
 * expected and actual outcome, the traceback, and a command that reruns it.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void
report_tally(const result *results, size_t n, tally *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        if (!results[i].done) {
            continue;
        }
        t->counts[results[i].v]++;
        if (verdict_matches(results[i].v)) {
            t->matching++;
        }
        else {
            t->deviating++;
        }
    }
}

static void
indented(FILE *out, const char *label, const char *text)
{
    if (text == NULL || text[0] == '\0') {
        return;
    }
    fprintf(out, "    %s:", label);
    if (strchr(text, '\n') == NULL) {
        fprintf(out, " %s\n", text);
        return;
    }
    fputc('\n', out);
    for (const char *line = text; *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        fprintf(out, "      %.*s\n", (int)len, line);
        line += len + (eol != NULL);
    }
}

/*
 * A child's output can be long (a scenario printing in a loop); the report
 * keeps its beginning and its end, where a crash's stack is.
 */
#define OUTPUT_KEEP 2048

static char *
shorten_output(const char *text)
{
    size_t len = text ? strlen(text) : 0;
    strbuf sb;
    sb_init(&sb);
    if (len <= 2 * OUTPUT_KEEP) {
        sb_puts(&sb, text ? text : "");
    }
    else {
        sb_append(&sb, text, OUTPUT_KEEP);
        sb_printf(&sb, "\n[... %zu bytes left out ...]\n", len - 2 * OUTPUT_KEEP);
        sb_puts(&sb, text + len - OUTPUT_KEEP);
    }
    return sb_finish(&sb);
}

void
report_human_output(FILE *out, const char *output)
{
    if (output == NULL || output[0] == '\0') {
        return;
    }
    char *shortened = shorten_output(output);
    indented(out, "output", shortened ? shortened : "(out of memory)");
    free(shortened);
}

static void
clauses_text(const scn_scenario *s, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->n_clauses && used < size; i++) {
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " " : "", s->clauses[i]);
    }
}

void
report_human_result(FILE *out, const run_info *info, const result *r, int verbose)
{
    int deviates = !verdict_matches(r->v);
    if (!deviates && !verbose) {
        return;
    }
    char clauses[512];
    clauses_text(r->item->scenario, clauses, sizeof clauses);
    fprintf(out, "%-7s %s  [%s]\n", verdict_name(r->v), r->item->id, clauses);
    if (!deviates) {
        if (r->entry != NULL) {
            fprintf(out, "    expected %s: %s\n", r->entry->outcome_text, r->entry->reason);
        }
        return;
    }
    if (r->o.step_line > 0) {
        fprintf(out, "    at:       %s:%u (step %d)\n", r->item->path, r->o.step_line,
                r->o.step_index + 1);
    }
    if (r->why != NULL) {
        fprintf(out, "    judged:   %s\n", r->why);
    }
    fprintf(out, "    outcome:  %s", raw_verdict_name(r->o.verdict));
    if (r->entry != NULL) {
        fprintf(out, " (expectation file: %s)", r->entry->outcome_text);
    }
    fputc('\n', out);
    indented(out, "message", r->o.message);
    indented(out, "expected", r->o.expected);
    indented(out, "actual", r->o.actual);
    indented(out, "traceback", r->o.traceback);
    report_human_output(out, r->o.output);
    fprintf(out, "    rerun:    %s --filter '%s' --trace\n", info->rerun_prefix, r->item->id);
}

void
report_human_summary(FILE *out, const run_info *info, const tally *t)
{
    /* No Python named its version when no scenario got as far as reporting. */
    fprintf(out, "\n%s (Python %s):", info->impl, info->python[0] ? info->python : "?");
    for (int v = V_PASS; v <= V_ERROR; v++) {
        if (t->counts[v] > 0) {
            fprintf(out, " %s %zu", verdict_name((verdict)v), t->counts[v]);
        }
    }
    fputc('\n', out);
    /* The closing line CI systems read: matching outcomes count as passed. */
    fprintf(out, "interpcheck: %zu passed, %zu failed, %zu skipped\n",
            t->matching - t->counts[V_SKIP], t->deviating, t->counts[V_SKIP]);
}

/* Write what `sb` built and free it: 0, or -1 if building or writing failed. */
static int
emit(FILE *out, strbuf *sb)
{
    char *text = sb_finish(sb);
    if (text == NULL) {
        return -1;
    }
    fputs(text, out);
    free(text);
    return ferror(out) ? -1 : 0;
}

/* ---- TAP 13 ------------------------------------------------------------ */

static void
yaml_block(FILE *out, const char *key, const char *text)
{
    if (text == NULL || text[0] == '\0') {
        return;
    }
    fprintf(out, "  %s: |\n", key);
    for (const char *line = text; *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        fprintf(out, "    %.*s\n", (int)len, line);
        line += len + (eol != NULL);
    }
}

int
report_tap(FILE *out, const run_info *info, const result *results, size_t n)
{
    fprintf(out, "TAP version 13\n1..%zu\n", n);
    for (size_t i = 0; i < n; i++) {
        const result *r = &results[i];
        const char *id = r->item->id;
        switch (r->v) {
        case V_PASS:
            fprintf(out, "ok %zu - %s\n", i + 1, id);
            continue;
        case V_XFAIL:
            fprintf(out, "not ok %zu - %s # TODO %s\n", i + 1, id,
                    r->entry ? r->entry->reason : "expected failure");
            continue;
        case V_SKIP:
            fprintf(out, "ok %zu - %s # SKIP %s\n", i + 1, id,
                    r->entry ? r->entry->reason : "skipped");
            continue;
        default:
            break;
        }
        fprintf(out, "not ok %zu - %s\n  ---\n  verdict: %s\n", i + 1, id, verdict_name(r->v));
        if (r->o.step_line > 0) {
            fprintf(out, "  at: %s:%u\n", r->item->path, r->o.step_line);
        }
        yaml_block(out, "message", r->why ? r->why : r->o.message);
        yaml_block(out, "expected", r->o.expected);
        yaml_block(out, "actual", r->o.actual);
        yaml_block(out, "traceback", r->o.traceback);
        fprintf(out, "  rerun: \"%s --filter '%s' --trace\"\n  ...\n", info->rerun_prefix, id);
    }
    return ferror(out) ? -1 : 0;
}

/* ---- JUnit XML ---------------------------------------------------------- */

int
report_junit(FILE *out, const run_info *info, const result *results, size_t n)
{
    tally t;
    report_tally(results, n, &t);
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    sb_puts(&sb, "<testsuite name=\"");
    sb_xml_attr(&sb, info->impl);
    sb_printf(&sb,
              "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\""
              " timestamp=\"%s\">\n",
              n, t.counts[V_FAIL] + t.counts[V_XPASS],
              t.counts[V_ERROR] + t.counts[V_CRASH] + t.counts[V_TIMEOUT], t.counts[V_SKIP],
              info->date);
    sb_puts(&sb, "  <properties>\n    <property name=\"python\" value=\"");
    sb_xml_attr(&sb, info->python);
    sb_puts(&sb, "\"/>\n    <property name=\"command\" value=\"");
    sb_xml_attr(&sb, info->command_line);
    sb_puts(&sb, "\"/>\n  </properties>\n");
    for (size_t i = 0; i < n; i++) {
        const result *r = &results[i];
        sb_puts(&sb, "  <testcase classname=\"");
        sb_xml_attr(&sb, info->impl);
        sb_puts(&sb, "\" name=\"");
        sb_xml_attr(&sb, r->item->id);
        sb_printf(&sb, "\" time=\"%.3f\"", r->o.seconds);
        if (verdict_matches(r->v) && r->v != V_SKIP) {
            sb_puts(&sb, "/>\n");
            continue;
        }
        sb_puts(&sb, ">\n");
        const char *tag = r->v == V_SKIP                        ? "skipped"
                          : (r->v == V_FAIL || r->v == V_XPASS) ? "failure"
                                                                : "error";
        sb_printf(&sb, "    <%s type=\"%s\" message=\"", tag, verdict_name(r->v));
        sb_xml_attr(&sb, r->why         ? r->why
                         : r->o.message ? r->o.message
                         : r->entry     ? r->entry->reason
                                        : "");
        sb_puts(&sb, "\">");
        if (r->v != V_SKIP) {
            sb_xml_text(&sb, r->item->path);
            sb_printf(&sb, ":%u\n", r->o.step_line);
            char *output = r->o.output && r->o.output[0] ? shorten_output(r->o.output) : NULL;
            const char *parts[] = {r->o.expected, r->o.actual, r->o.traceback, output};
            const char *labels[] = {"expected: ", "actual: ", "", "output:\n"};
            for (int k = 0; k < 4; k++) {
                if (parts[k] != NULL) {
                    sb_xml_text(&sb, labels[k]);
                    sb_xml_text(&sb, parts[k]);
                    sb_puts(&sb, "\n");
                }
            }
            free(output);
        }
        sb_printf(&sb, "</%s>\n  </testcase>\n", tag);
    }
    sb_puts(&sb, "</testsuite>\n</testsuites>\n");
    return emit(out, &sb);
}

/* ---- JSON lines ---------------------------------------------------------- */

static void
json_field(strbuf *sb, const char *name, const char *value)
{
    sb_printf(sb, ",\"%s\":", name);
    if (value != NULL) {
        sb_json_string(sb, value);
    }
    else {
        sb_puts(sb, "null");
    }
}

int
report_jsonl(FILE *out, const run_info *info, const result *results, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const result *r = &results[i];
        const scn_scenario *s = r->item->scenario;
        strbuf sb;
        sb_init(&sb);
        sb_puts(&sb, "{\"id\":");
        sb_json_string(&sb, r->item->id);
        json_field(&sb, "impl", info->impl);
        json_field(&sb, "python", info->python);
        json_field(&sb, "path", r->item->path);
        sb_puts(&sb, ",\"clauses\":[");
        for (size_t k = 0; k < s->n_clauses; k++) {
            sb_puts(&sb, k ? "," : "");
            sb_json_string(&sb, s->clauses[k]);
        }
        sb_puts(&sb, "]");
        json_field(&sb, "level", scn_level_name(s->level));
        json_field(&sb, "verdict", verdict_name(r->v));
        json_field(&sb, "outcome", raw_verdict_name(r->o.verdict));
        sb_printf(&sb, ",\"step\":%d,\"line\":%u,\"seconds\":%.3f", r->o.step_index, r->o.step_line,
                  r->o.seconds);
        json_field(&sb, "message", r->why ? r->why : r->o.message);
        json_field(&sb, "expected", r->o.expected);
        json_field(&sb, "actual", r->o.actual);
        json_field(&sb, "traceback", r->o.traceback);
        json_field(&sb, "expectation", r->entry ? r->entry->reason : NULL);
        sb_puts(&sb, "}\n");
        if (emit(out, &sb) < 0) {
            return -1;
        }
    }
    return 0;
}

/* ---- Markdown ------------------------------------------------------------ */

static void
md_cell(FILE *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '|') {
            fputs("\\|", out);
        }
        else if (*p == '\n') {
            fputs("<br>", out);
        }
        else {
            fputc(*p, out);
        }
    }
}

int
report_markdown(FILE *out, const run_info *info, const result *results, size_t n, const tally *t)
{
    fprintf(out, "# interpcheck: %s\n\n", info->impl);
    fprintf(out, "- Python: %s\n- runner: %s\n- date: %s\n- command: `%s`\n\n", info->python,
            info->runner_version, info->date, info->command_line);
    fprintf(out, "| verdict | count |\n|---|---|\n");
    for (int v = V_PASS; v <= V_ERROR; v++) {
        fprintf(out, "| %s | %zu |\n", verdict_name((verdict)v), t->counts[v]);
    }
    fprintf(out, "\n| scenario | clauses | verdict | detail |\n|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const result *r = &results[i];
        char clauses[512];
        clauses_text(r->item->scenario, clauses, sizeof clauses);
        fprintf(out, "| `%s` | %s | %s | ", r->item->id, clauses, verdict_name(r->v));
        if (r->v == V_PASS) {
            fputs("", out);
        }
        else if (r->entry != NULL && verdict_matches(r->v)) {
            md_cell(out, r->entry->observed);
        }
        else {
            md_cell(out, r->why ? r->why : r->o.message);
        }
        fputs(" |\n", out);
    }
    return ferror(out) ? -1 : 0;
}
