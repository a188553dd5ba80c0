/*
 * report.c: the reporters (see report.h).  Every format carries, for each
 * scenario that does not match its expectations, the step and its line, the
 * clause its failure is charged to, the expected and actual outcome, the
 * traceback, and a command that reruns it.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* ---- clauses: what a failure is charged to ------------------------------ */

void
rpt_charge(rpt_result *r)
{
    const scn_scenario *s = r->item->scenario;
    r->clause = NULL;
    r->setup_failed = 0;
    if (!proto_is_failure(r->o.verdict)) {
        return;
    }
    /* No step started (an implementation that does not import, a child
     * that died first): nothing was checked yet, so it is set-up too. */
    int index = r->o.step_index;
    if (index >= 0 && (size_t)index < s->n_steps) {
        r->clause = scn_step_clause(s, &s->steps[index]);
    }
    r->setup_failed = r->clause == NULL;
}

/*
 * Steps before the deciding one ran and passed; the deciding one failed
 * (or, for ERROR, proved nothing); later ones did not run.  A passing
 * scenario ran every step; one that never ran (SKIP) ran none.
 */
rpt_clause_state
rpt_clause_state_of(const rpt_result *r, const char *clause)
{
    const scn_scenario *s = r->item->scenario;
    if (r->clause != NULL && strcmp(r->clause, clause) == 0) {
        return RPT_CLAUSE_FAILED;
    }
    long ran = r->o.verdict == PROTO_PASS ? (long)s->n_steps : r->o.step_index;
    for (size_t i = 0; i < s->n_steps; i++) {
        const char *c = scn_step_clause(s, &s->steps[i]);
        if (c != NULL && strcmp(c, clause) == 0 && (long)i >= ran) {
            return RPT_CLAUSE_NOT_REACHED;
        }
    }
    return RPT_CLAUSE_PASSED;
}

static int
by_scenarios(const void *a, const void *b)
{
    const rpt_root_cause *x = a, *y = b;
    if ((x->clause == NULL) != (y->clause == NULL)) {
        return x->clause == NULL ? 1 : -1;
    }
    if (x->scenarios != y->scenarios) {
        return x->scenarios > y->scenarios ? -1 : 1;
    }
    return x->clause ? strcmp(x->clause, y->clause) : 0;
}

rpt_root_cause *
rpt_root_causes(const rpt_result *results, size_t n, size_t *n_causes)
{
    rpt_root_cause *causes = NULL;
    size_t count = 0;
    *n_causes = 0;
    for (size_t i = 0; i < n; i++) {
        const rpt_result *r = &results[i];
        /* A self-test's FAIL is the harness working, not a deviation. */
        if (!r->done || !proto_is_failure(r->o.verdict) ||
            (r->o.verdict == PROTO_FAIL && r->item->scenario->verdict == SCN_VERDICT_FAIL)) {
            continue;
        }
        size_t k = 0;
        while (k < count &&
               !(causes[k].clause == r->clause ||
                 (causes[k].clause && r->clause && strcmp(causes[k].clause, r->clause) == 0))) {
            k++;
        }
        if (k == count) {
            rpt_root_cause *grown = realloc(causes, (count + 1) * sizeof *grown);
            if (grown == NULL) {
                free(causes);
                causes = NULL;
                count = 0;
                break;
            }
            causes = grown;
            causes[count++] = (rpt_root_cause){r->clause, 0};
        }
        causes[k].scenarios++;
    }
    if (count > 0) {
        qsort(causes, count, sizeof *causes, by_scenarios);
    }
    *n_causes = count;
    return causes;
}

/* ---- tallies and the human report ---------------------------------------- */

void
rpt_tally_results(const rpt_result *results, size_t n, rpt_tally *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        if (!results[i].done) {
            continue;
        }
        t->counts[results[i].v]++;
        if (expect_verdict_matches(results[i].v)) {
            t->matching++;
        }
        else {
            t->deviating++;
        }
    }
}

/*
 * What a scenario printed or raised is untrusted: the plain-text reports
 * (human, TAP, Markdown) write it through sb_terminal_text(), so that they
 * stay valid UTF-8 and no escape sequence reaches the reader's terminal.
 * Returns malloc'd text, or NULL when out of memory.
 */
static char *
printable(const char *text)
{
    strbuf sb;
    sb_init(&sb);
    sb_terminal_text(&sb, text);
    return sb_finish(&sb);
}

static void
indented(FILE *out, const char *label, const char *untrusted)
{
    if (untrusted == NULL || untrusted[0] == '\0') {
        return;
    }
    char *text = printable(untrusted);
    if (text == NULL) {
        fprintf(out, "    %s: (out of memory)\n", label);
    }
    else if (strchr(text, '\n') == NULL) {
        fprintf(out, "    %s: %s\n", label, text);
    }
    else {
        fprintf(out, "    %s:\n", label);
        for (const char *line = text; *line;) {
            const char *eol = strchr(line, '\n');
            size_t len = eol ? (size_t)(eol - line) : strlen(line);
            fprintf(out, "      %.*s\n", (int)len, line);
            line += len + (eol != NULL);
        }
    }
    free(text);
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
rpt_human_output(FILE *out, const char *output)
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
rpt_human_result(FILE *out, const rpt_run_info *info, const rpt_result *r, int verbose)
{
    int deviates = !expect_verdict_matches(r->v);
    if (!deviates && !verbose) {
        return;
    }
    char clauses[512];
    clauses_text(r->item->scenario, clauses, sizeof clauses);
    fprintf(out, "%-7s %s  [%s]\n", expect_verdict_name(r->v), r->item->id, clauses);
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
    if (proto_is_failure(r->o.verdict)) {
        fprintf(out, "    clause:   %s\n", r->clause ? r->clause : "set-up (charged to no clause)");
    }
    if (r->why != NULL) {
        fprintf(out, "    judged:   %s\n", r->why);
    }
    fprintf(out, "    outcome:  %s", proto_verdict_name(r->o.verdict));
    if (r->entry != NULL) {
        fprintf(out, " (expectation file: %s)", r->entry->outcome_text);
    }
    fputc('\n', out);
    indented(out, "message", r->o.message);
    indented(out, "expected", r->o.expected);
    indented(out, "actual", r->o.actual);
    indented(out, "traceback", r->o.traceback);
    rpt_human_output(out, r->o.output);
    fprintf(out, "    rerun:    %s --filter '%s' --trace\n", info->rerun_prefix, r->item->id);
}

static const char *
plural(size_t n)
{
    return n == 1 ? "" : "s";
}

/*
 * The root causes, one a line: a deviation in one clause that stops many
 * scenarios is one thing to fix, and reads as one here.
 */
static void
human_root_causes(FILE *out, const rpt_result *results, size_t n)
{
    size_t n_causes;
    rpt_root_cause *causes = rpt_root_causes(results, n, &n_causes);
    if (n_causes == 0) {
        free(causes);
        return;
    }
    size_t clauses = n_causes, width = 0;
    if (causes[n_causes - 1].clause == NULL) {
        clauses--;
    }
    for (size_t i = 0; i < clauses; i++) {
        size_t len = strlen(causes[i].clause);
        width = len > width ? len : width;
    }
    fprintf(out, "root causes: %zu failing clause%s", clauses, plural(clauses));
    if (clauses < n_causes) {
        size_t setup = causes[clauses].scenarios;
        fprintf(out, ", %zu set-up failure%s", setup, plural(setup));
    }
    fputc('\n', out);
    for (size_t i = 0; i < clauses; i++) {
        fprintf(out, "  %-*s  stopped %zu scenario%s\n", (int)width, causes[i].clause,
                causes[i].scenarios, plural(causes[i].scenarios));
    }
    free(causes);
}

void
rpt_human_summary(FILE *out, const rpt_run_info *info, const rpt_tally *t,
                  const rpt_result *results, size_t n)
{
    /* No Python named its version when no scenario got as far as reporting. */
    fprintf(out, "\n%s (Python %s):", info->impl, info->python[0] ? info->python : "?");
    for (int v = EXPECT_PASS; v <= EXPECT_ERROR; v++) {
        if (t->counts[v] > 0) {
            fprintf(out, " %s %zu", expect_verdict_name((expect_verdict)v), t->counts[v]);
        }
    }
    fputc('\n', out);
    human_root_causes(out, results, n);
    /* The closing line CI systems read: matching outcomes count as passed. */
    fprintf(out, "interpcheck: %zu passed, %zu failed, %zu skipped\n",
            t->matching - t->counts[EXPECT_SKIP], t->deviating, t->counts[EXPECT_SKIP]);
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
yaml_block(FILE *out, const char *key, const char *untrusted)
{
    if (untrusted == NULL || untrusted[0] == '\0') {
        return;
    }
    char *text = printable(untrusted);
    fprintf(out, "  %s: |\n", key);
    for (const char *line = text ? text : "(out of memory)"; *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        fprintf(out, "    %.*s\n", (int)len, line);
        line += len + (eol != NULL);
    }
    free(text);
}

int
rpt_tap(FILE *out, const rpt_run_info *info, const rpt_result *results, size_t n)
{
    fprintf(out, "TAP version 13\n1..%zu\n", n);
    for (size_t i = 0; i < n; i++) {
        const rpt_result *r = &results[i];
        const char *id = r->item->id;
        switch (r->v) {
        case EXPECT_PASS:
            fprintf(out, "ok %zu - %s\n", i + 1, id);
            continue;
        case EXPECT_XFAIL:
            fprintf(out, "not ok %zu - %s # TODO %s\n", i + 1, id,
                    r->entry ? r->entry->reason : "expected failure");
            continue;
        case EXPECT_SKIP:
            fprintf(out, "ok %zu - %s # SKIP %s\n", i + 1, id,
                    r->entry ? r->entry->reason : "skipped");
            continue;
        default:
            break;
        }
        fprintf(out, "not ok %zu - %s\n  ---\n  verdict: %s\n", i + 1, id,
                expect_verdict_name(r->v));
        if (r->o.step_line > 0) {
            fprintf(out, "  at: %s:%u\n", r->item->path, r->o.step_line);
        }
        if (proto_is_failure(r->o.verdict)) {
            fprintf(out, "  clause: %s\n", r->clause ? r->clause : "set-up");
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
rpt_junit(FILE *out, const rpt_run_info *info, const rpt_result *results, size_t n)
{
    rpt_tally t;
    rpt_tally_results(results, n, &t);
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    sb_puts(&sb, "<testsuite name=\"");
    sb_xml_attr(&sb, info->impl);
    sb_printf(&sb,
              "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\""
              " timestamp=\"%s\">\n",
              n, t.counts[EXPECT_FAIL] + t.counts[EXPECT_XPASS],
              t.counts[EXPECT_ERROR] + t.counts[EXPECT_CRASH] + t.counts[EXPECT_TIMEOUT],
              t.counts[EXPECT_SKIP], info->date);
    sb_puts(&sb, "  <properties>\n    <property name=\"python\" value=\"");
    sb_xml_attr(&sb, info->python);
    sb_puts(&sb, "\"/>\n    <property name=\"command\" value=\"");
    char *command = rpt_scrub(info, info->command_line);
    sb_xml_attr(&sb, command ? command : "");
    free(command);
    sb_puts(&sb, "\"/>\n  </properties>\n");
    for (size_t i = 0; i < n; i++) {
        const rpt_result *r = &results[i];
        sb_puts(&sb, "  <testcase classname=\"");
        sb_xml_attr(&sb, info->impl);
        sb_puts(&sb, "\" name=\"");
        sb_xml_attr(&sb, r->item->id);
        sb_printf(&sb, "\" time=\"%.3f\"", r->o.seconds);
        if (expect_verdict_matches(r->v) && r->v != EXPECT_SKIP) {
            sb_puts(&sb, "/>\n");
            continue;
        }
        sb_puts(&sb, ">\n");
        const char *tag = r->v == EXPECT_SKIP                             ? "skipped"
                          : (r->v == EXPECT_FAIL || r->v == EXPECT_XPASS) ? "failure"
                                                                          : "error";
        sb_printf(&sb, "    <%s type=\"%s\" message=\"", tag, expect_verdict_name(r->v));
        sb_xml_attr(&sb, r->why         ? r->why
                         : r->o.message ? r->o.message
                         : r->entry     ? r->entry->reason
                                        : "");
        sb_puts(&sb, "\">");
        if (r->v != EXPECT_SKIP) {
            char *path = rpt_scrub(info, r->item->path);
            sb_xml_text(&sb, path ? path : "");
            free(path);
            sb_printf(&sb, ":%u\n", r->o.step_line);
            if (proto_is_failure(r->o.verdict)) {
                sb_puts(&sb, "clause: ");
                sb_xml_text(&sb, r->clause ? r->clause : "set-up");
                sb_puts(&sb, "\n");
            }
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

/* ---- paths in written reports -------------------------------------------- */

/* Every "prefix/" in text replaced by `by` into sb. */
static void
replace_prefix(strbuf *sb, const char *text, const char *prefix, const char *by)
{
    size_t len = prefix ? strlen(prefix) : 0;
    while (len > 1 && prefix[len - 1] == '/') {
        len--;
    }
    if (len <= 1) { /* "" or "/": nothing to strip */
        sb_puts(sb, text);
        return;
    }
    for (const char *p = text; *p;) {
        const char *hit = strstr(p, prefix);
        while (hit != NULL && hit[len] != '/') {
            hit = strstr(hit + 1, prefix);
        }
        if (hit == NULL) {
            sb_puts(sb, p);
            break;
        }
        sb_append(sb, p, (size_t)(hit - p));
        sb_puts(sb, by);
        p = hit + len + 1;
    }
}

char *
rpt_scrub(const rpt_run_info *info, const char *text)
{
    if (text == NULL) {
        return NULL;
    }
    strbuf sb;
    sb_init(&sb);
    replace_prefix(&sb, text, info->strip_root, "");
    char *stripped = sb_finish(&sb);
    if (stripped == NULL) {
        return NULL;
    }
    sb_init(&sb);
    replace_prefix(&sb, stripped, getenv("HOME"), "~/");
    free(stripped);
    return sb_finish(&sb);
}

/* ---- JSON lines ---------------------------------------------------------- */

static void
json_field(strbuf *sb, const rpt_run_info *info, const char *name, const char *value)
{
    sb_printf(sb, ",\"%s\":", name);
    char *text = rpt_scrub(info, value);
    if (text != NULL) {
        sb_json_string(sb, text);
    }
    else {
        sb_puts(sb, "null");
    }
    free(text);
}

/* Write a line and flush it: a reader (tail -f, CI) sees each as it comes. */
static int
emit_line(FILE *out, strbuf *sb)
{
    if (emit(out, sb) < 0 || fflush(out) != 0) {
        return -1;
    }
    return 0;
}

int
rpt_jsonl_run(FILE *out, const rpt_run_info *info)
{
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "{\"type\":\"run\"");
    json_field(&sb, info, "suite", info->suite_version ? info->suite_version : "unknown");
    json_field(&sb, info, "runner", info->runner_version);
    json_field(&sb, info, "impl", info->impl);
    json_field(&sb, info, "python", info->python);
    json_field(&sb, info, "shard", info->shard ? info->shard : "1/1");
    json_field(&sb, info, "date", info->date);
    sb_puts(&sb, ",\"options\":[");
    for (int i = 0; i < info->n_options; i++) {
        char *text = rpt_scrub(info, info->options[i]);
        sb_puts(&sb, i ? "," : "");
        sb_json_string(&sb, text ? text : "");
        free(text);
    }
    sb_puts(&sb, "]}\n");
    return emit_line(out, &sb);
}

/* The clauses of r's scenario in each of the three states. */
static void
json_clause_states(strbuf *sb, const rpt_result *r)
{
    const scn_scenario *s = r->item->scenario;
    /* Each header clause in exactly one of the three lists. */
    static const char *const lists[] = {"clauses_passed", "clauses_failed", "clauses_not_reached"};
    for (int state = RPT_CLAUSE_PASSED; state <= RPT_CLAUSE_NOT_REACHED; state++) {
        sb_printf(sb, ",\"%s\":[", lists[state]);
        int first = 1;
        for (size_t k = 0; k < s->n_clauses; k++) {
            if (rpt_clause_state_of(r, s->clauses[k]) == (rpt_clause_state)state) {
                sb_puts(sb, first ? "" : ",");
                sb_json_string(sb, s->clauses[k]);
                first = 0;
            }
        }
        sb_puts(sb, "]");
    }
}

int
rpt_jsonl_result(FILE *out, const rpt_run_info *info, const rpt_result *r)
{
    const scn_scenario *s = r->item->scenario;
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "{\"id\":");
    sb_json_string(&sb, r->item->id);
    json_field(&sb, info, "impl", info->impl);
    json_field(&sb, info, "python", info->python);
    json_field(&sb, info, "path", r->item->path);
    sb_puts(&sb, ",\"clauses\":[");
    for (size_t k = 0; k < s->n_clauses; k++) {
        sb_puts(&sb, k ? "," : "");
        sb_json_string(&sb, s->clauses[k]);
    }
    sb_puts(&sb, "]");
    json_field(&sb, info, "level", scn_level_name(s->level));
    json_field(&sb, info, "verdict", expect_verdict_name(r->v));
    json_field(&sb, info, "outcome", proto_verdict_name(r->o.verdict));
    sb_printf(&sb, ",\"step\":%d,\"line\":%u,\"seconds\":%.3f", r->o.step_index, r->o.step_line,
              r->o.seconds);
    /* The raw message stays apart from the judgement: expectation files are
     * drafted from it (tools/expectations_draft.py) and merge reads it back. */
    json_field(&sb, info, "message", r->o.message);
    json_field(&sb, info, "judged", r->why);
    json_field(&sb, info, "expected", r->o.expected);
    json_field(&sb, info, "actual", r->o.actual);
    json_field(&sb, info, "traceback", r->o.traceback);
    json_field(&sb, info, "expectation", r->entry ? r->entry->reason : NULL);
    json_field(&sb, info, "clause", r->clause);
    sb_printf(&sb, ",\"setup_failed\":%s", r->setup_failed ? "true" : "false");
    json_clause_states(&sb, r);
    sb_puts(&sb, "}\n");
    return emit_line(out, &sb);
}

int
rpt_jsonl(FILE *out, const rpt_run_info *info, const rpt_result *results, size_t n)
{
    if (rpt_jsonl_run(out, info) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (rpt_jsonl_result(out, info, &results[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

/* ---- Markdown ------------------------------------------------------------ */

static void
md_cell(FILE *out, const char *untrusted)
{
    char *text = printable(untrusted ? untrusted : "");
    for (const char *p = text ? text : "(out of memory)"; *p; p++) {
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
    free(text);
}

int
rpt_markdown(FILE *out, const rpt_run_info *info, const rpt_result *results, size_t n,
             const rpt_tally *t)
{
    fprintf(out, "# interpcheck: %s\n\n", info->impl);
    char *command = rpt_scrub(info, info->command_line);
    fprintf(out, "- Python: %s\n- runner: %s\n- date: %s\n- command: `%s`\n\n", info->python,
            info->runner_version, info->date, command ? command : "");
    free(command);
    fprintf(out, "| verdict | count |\n|---|---|\n");
    for (int v = EXPECT_PASS; v <= EXPECT_ERROR; v++) {
        fprintf(out, "| %s | %zu |\n", expect_verdict_name((expect_verdict)v), t->counts[v]);
    }
    size_t n_causes;
    rpt_root_cause *causes = rpt_root_causes(results, n, &n_causes);
    if (n_causes > 0) {
        fprintf(out, "\nRoot causes: the clauses failures are charged to, and set-up failures.\n"
                     "\n| root cause | scenarios stopped |\n|---|---|\n");
        for (size_t i = 0; i < n_causes; i++) {
            fprintf(out, "| %s | %zu |\n", causes[i].clause ? causes[i].clause : "set-up",
                    causes[i].scenarios);
        }
    }
    free(causes);
    fprintf(out, "\n| scenario | clauses | verdict | charged to | detail |\n"
                 "|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const rpt_result *r = &results[i];
        char clauses[512];
        clauses_text(r->item->scenario, clauses, sizeof clauses);
        fprintf(out, "| `%s` | %s | %s | %s | ", r->item->id, clauses, expect_verdict_name(r->v),
                proto_is_failure(r->o.verdict) ? (r->clause ? r->clause : "set-up") : "");
        if (r->v == EXPECT_PASS) {
            /* no detail */
        }
        else if (r->entry != NULL && expect_verdict_matches(r->v)) {
            md_cell(out, r->entry->observed);
        }
        else {
            md_cell(out, r->why ? r->why : r->o.message);
        }
        fputs(" |\n", out);
    }
    return ferror(out) ? -1 : 0;
}
