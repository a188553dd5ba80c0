/*
 * cli.c: the command line (see cli.h).  The option table below is the one
 * place an option is written: getopt_long's table, its short-option string,
 * the help text and --list-options are made from it.  No state beyond
 * getopt's own; the lists in cli_options are malloc'd and point into argv.
 */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline.h"

enum {
    OPT_IMPL = 256,
    OPT_PYTHON,
    OPT_LABEL,
    OPT_PATH,
    OPT_EXPECT,
    OPT_FILTER,
    OPT_CLAUSE,
    OPT_FEATURE,
    OPT_WITHOUT_FEATURE,
    OPT_LEVEL,
    OPT_SHARD,
    OPT_TIME_SCALE,
    OPT_REPEAT,
    OPT_TRACE,
    OPT_TAP,
    OPT_JUNIT,
    OPT_JSONL,
    OPT_MARKDOWN,
    OPT_ROOT,
    OPT_TARGET,
    OPT_SPEC,
    OPT_VERSION,
    OPT_LIST_OPTIONS,
};

typedef struct {
    const char *section; /* a heading printed before the option, or NULL */
    const char *name;    /* the long spelling without "--", or NULL */
    int key;             /* the short spelling when below 256 */
    const char *value;   /* the value's name, or NULL for a flag */
    const char *help;    /* lines joined by '\n' */
} option_row;

static const option_row option_table[] = {
    {"Implementation", "impl", OPT_IMPL, "NAME",
     "module implementing the API (default: interpref, built in);\n"
     "adapters: cpython311, cpython313, cpython314"},
    {NULL, "python", OPT_PYTHON, "CMD",
     "run each scenario in another Python: `CMD -S -s executor.py`\n"
     "(CMD may be several words, e.g. 'tools/cpython-chroot run sid\n"
     "python3.14'); default: in this process's embedded Python"},
    {NULL, "label", OPT_LABEL, "NAME", "name of the implementation in reports (default: IMPL)"},
    {NULL, "path", OPT_PATH, "DIR",
     "also search DIR for the implementation's modules (repeatable)"},
    {NULL, "expect", OPT_EXPECT, "FILE", "expectation file (XFAIL/SKIP entries, see expect.h)"},
    {"Selection", "filter", OPT_FILTER, "GLOB", "scenario ids matching GLOB (repeatable; any)"},
    {NULL, "clause", OPT_CLAUSE, "GLOB",
     "scenarios citing a clause matching GLOB (repeatable; any)"},
    {NULL, "feature", OPT_FEATURE, "F", "scenarios that need feature F (repeatable; all)"},
    {NULL, "without-feature", OPT_WITHOUT_FEATURE, "F",
     "leave out scenarios that need F (repeatable)"},
    {NULL, "level", OPT_LEVEL, "L", "MUST, SHOULD, MAY or IMPL (repeatable; any)"},
    {NULL, "shard", OPT_SHARD, "I/N", "the I-th of N interleaved parts (1-based)"},
    {"Running and reporting", NULL, 'j', "N",
     "scenarios in parallel (default: 4 x the online CPUs, at most\n"
     "64: scenarios mostly wait, on queues and deadlines)"},
    {NULL, "repeat", OPT_REPEAT, "N",
     "run each scenario N times; list those whose verdicts differ\n"
     "(flaky) and exit 1 if any does"},
    {NULL, "time-scale", OPT_TIME_SCALE, "F",
     "multiply the time classes and deadlines by F (default 1;\n"
     "below 1, only the short class: FORMAT.md 8)"},
    {NULL, "trace", OPT_TRACE, NULL,
     "print each step as it starts; list every scenario, with its output"},
    {NULL, "verbose", 'v', NULL, "list every scenario, not only deviations"},
    {NULL, "tap", OPT_TAP, NULL, "TAP 13 on standard output instead of the human report"},
    {NULL, "junit", OPT_JUNIT, "FILE", "also write JUnit XML"},
    {NULL, "jsonl", OPT_JSONL, "FILE",
     "also write one JSON object per scenario, each as it ends,\n"
     "after one {\"type\":\"run\"} line (suite, runner, shard...)"},
    {NULL, "markdown", OPT_MARKDOWN, "FILE", "also write a Markdown table"},
    {NULL, "root", OPT_ROOT, "DIR",
     "the conformance folder: ids are relative to it, and the suite,\n"
     "SPEC.md, adapters and executor.py default to its tree's\n"
     "(default: the installed or the source tree's conformance/)"},
    {"diff and coverage", "target", OPT_TARGET, "LABEL=IMPL[@PYTHONCMD]",
     "diff: an implementation to compare (two or more),\n"
     "instead of --impl/--python"},
    {NULL, "spec", OPT_SPEC, "FILE",
     "the SPEC.md whose clauses scenarios may cite (run and diff\n"
     "refuse others) and coverage reads (default: the root's SPEC.md)"},
    {"Other", "help", 'h', NULL, "this text"},
    {NULL, "version", OPT_VERSION, NULL, "the runner's version"},
    {NULL, "list-options", OPT_LIST_OPTIONS, NULL,
     "every option, one a line, with its value's name (for scripts)"},
};

#define N_OPTIONS (sizeof option_table / sizeof option_table[0])
#define HELP_COLUMN 23

/* "--name VALUE", "-v, --verbose" or "-j N" into buf. */
static void
spelling(const option_row *row, char *buf, size_t size)
{
    int n = 0;
    if (row->key < 256) {
        n = snprintf(buf, size, "-%c%s", row->key, row->name ? ", " : "");
    }
    if (row->name != NULL) {
        n += snprintf(buf + n, size - (size_t)n, "--%s", row->name);
    }
    if (row->value != NULL) {
        snprintf(buf + n, size - (size_t)n, " %s", row->value);
    }
}

void
cli_usage(FILE *out)
{
    fputs("usage: interpcheck [run|list|coverage|diff] [options] [PATH...]\n"
          "       interpcheck merge [--junit F] [--jsonl F] [--markdown F] FILE.jsonl...\n\n"
          "PATH: scenario files or folders (default: the suite, conformance/suite).\n"
          "merge: the --jsonl files of the shards of one run, as one set of reports;\n"
          "refused (exit 2) when a shard or scenario is missing or doubled, or suite\n"
          "commits or implementations differ.\n"
          "Off a terminal, a progress line goes to stderr at most every 10 s\n"
          "(INTERPCHECK_PROGRESS_SECONDS=N; 0: each scenario).\n",
          out);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const option_row *row = &option_table[i];
        char left[64];
        spelling(row, left, sizeof left);
        if (row->section != NULL) {
            fprintf(out, "\n%s:\n", row->section);
        }
        int width = (int)strlen(left) + 2;
        fprintf(out, "  %s", left);
        if (width >= HELP_COLUMN - 1) {
            fprintf(out, "\n%*s", HELP_COLUMN, "");
        }
        else {
            fprintf(out, "%*s", HELP_COLUMN - width, "");
        }
        for (const char *p = row->help; *p; p++) {
            fputc(*p, out);
            if (*p == '\n') {
                fprintf(out, "%*s", HELP_COLUMN, "");
            }
        }
        fputc('\n', out);
    }
    fputs("\nExit status: 0 all outcomes match expectations, 1 some deviate, 2 broken input.\n",
          out);
}

void
cli_list_options(FILE *out)
{
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const option_row *row = &option_table[i];
        const char *value = row->value ? row->value : "";
        if (row->key < 256) {
            fprintf(out, "-%c%s%s\n", row->key, row->value ? " " : "", value);
        }
        if (row->name != NULL) {
            fprintf(out, "--%s%s%s\n", row->name, row->value ? " " : "", value);
        }
    }
}

int
cli_default_parallel(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long n = (cpus > 0 ? cpus : 1) * CLI_PARALLEL_PER_CPU;
    return n > PIPE_MAX_PARALLEL ? PIPE_MAX_PARALLEL : (int)n;
}

/* getopt_long's tables, from option_table; `longs` has N_OPTIONS + 1 rows. */
static void
getopt_tables(struct option *longs, char *shorts)
{
    size_t n_long = 0, n_short = 0;
    shorts[n_short++] = ':'; /* a missing value is ':', not '?' */
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const option_row *row = &option_table[i];
        if (row->name != NULL) {
            longs[n_long++] = (struct option){
                row->name, row->value ? required_argument : no_argument, NULL, row->key};
        }
        if (row->key < 256) {
            shorts[n_short++] = (char)row->key;
            if (row->value != NULL) {
                shorts[n_short++] = ':';
            }
        }
    }
    longs[n_long] = (struct option){NULL, 0, NULL, 0};
    shorts[n_short] = '\0';
}

static int
append(const char ***list, size_t *n, const char *value, ic_error *err)
{
    const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (grown == NULL) {
        return ic_error_set(err, IC_ERR_NOMEM, "out of memory");
    }
    grown[(*n)++] = value;
    *list = grown;
    return 0;
}

/* The spelling of the option with `key`, as a message names it. */
static const char *
option_name(int key, char *buf, size_t size)
{
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const option_row *row = &option_table[i];
        if (row->key == key && row->name != NULL) {
            snprintf(buf, size, "--%s", row->name);
            return buf;
        }
    }
    snprintf(buf, size, "-%c", key);
    return buf;
}

static int
parse_level(const char *text, cli_options *o, ic_error *err)
{
    static const char *const names[] = {"MUST", "SHOULD", "MAY", "IMPL"};
    for (int k = 0; k < 4; k++) {
        if (strcmp(text, names[k]) == 0) {
            o->filter.levels |= 1 << k;
            return 0;
        }
    }
    return ic_error_set(err, IC_ERR_USAGE, "unknown level '%s' (MUST, SHOULD, MAY or IMPL)", text);
}

/* The whole number from 1 to `max` that option `name` is given as `value`
 * into *out: 0, or -1 with err. */
static int
count_option(const char *name, const char *value, int max, int *out, ic_error *err)
{
    char *end;
    long n = strtol(value, &end, 10);
    if (*end != '\0' || n < 1 || n > max) {
        return ic_error_set(err, IC_ERR_USAGE, "%s takes a number from 1 to %d, not '%s'", name,
                            max, value);
    }
    *out = (int)n;
    return 0;
}

static int
parse_numbers(int key, const char *value, cli_options *o, ic_error *err)
{
    if (key == OPT_REPEAT) {
        return count_option("--repeat", value, CLI_MAX_REPEAT, &o->repeat, err);
    }
    if (key == 'j') {
        return count_option("-j", value, PIPE_MAX_PARALLEL, &o->parallel, err);
    }
    char *end;
    o->time_scale = strtod(value, &end);
    if (*end != '\0' || !(o->time_scale > 0 && o->time_scale <= CLI_MAX_TIME_SCALE)) {
        return ic_error_set(err, IC_ERR_USAGE,
                            "--time-scale takes a number above 0 and at most %g, not '%s'",
                            CLI_MAX_TIME_SCALE, value);
    }
    return 0;
}

/* The selection options: 0, or -1 with err. */
static int
parse_selection(int key, const char *value, cli_options *o, ic_error *err)
{
    o->filtered = 1;
    switch (key) {
    case OPT_FILTER:
        return append(&o->filter.globs, &o->filter.n_globs, value, err);
    case OPT_CLAUSE:
        return append(&o->filter.clauses, &o->filter.n_clauses, value, err);
    case OPT_LEVEL:
        return parse_level(value, o, err);
    case OPT_SHARD:
        if (plan_parse_shard(value, &o->filter.shard, &o->filter.shards) < 0) {
            return ic_error_set(err, IC_ERR_USAGE, "--shard takes I/N with 1 <= I <= N, not '%s'",
                                value);
        }
        return 0;
    default: { /* --feature, --without-feature */
        unsigned bit = plan_feature_bit(value);
        if (bit == 0) {
            return ic_error_set(err, IC_ERR_USAGE, "unknown feature '%s'", value);
        }
        *(key == OPT_FEATURE ? &o->filter.features : &o->filter.without) |= bit;
        return 0;
    }
    }
}

/* The options that only set a field of cli_options: a string or a flag. */
static const struct {
    int key;
    size_t offset;
    int is_flag;
} field_options[] = {
    {OPT_IMPL, offsetof(cli_options, impl), 0},
    {OPT_PYTHON, offsetof(cli_options, python_cmd), 0},
    {OPT_LABEL, offsetof(cli_options, label), 0},
    {OPT_EXPECT, offsetof(cli_options, expect_path), 0},
    {OPT_ROOT, offsetof(cli_options, root), 0},
    {OPT_SPEC, offsetof(cli_options, spec), 0},
    {OPT_JUNIT, offsetof(cli_options, junit), 0},
    {OPT_JSONL, offsetof(cli_options, jsonl), 0},
    {OPT_MARKDOWN, offsetof(cli_options, markdown), 0},
    {OPT_TRACE, offsetof(cli_options, trace), 1},
    {'v', offsetof(cli_options, verbose), 1},
    {OPT_TAP, offsetof(cli_options, tap), 1},
};

/* One option getopt_long returned: 0, or -1 with err. */
static int
take_option(int key, const char *value, cli_options *o, ic_error *err)
{
    for (size_t i = 0; i < sizeof field_options / sizeof field_options[0]; i++) {
        if (field_options[i].key == key) {
            char *field = (char *)o + field_options[i].offset;
            if (field_options[i].is_flag) {
                *(int *)field = 1;
            }
            else {
                *(const char **)field = value;
            }
            o->root_given |= key == OPT_ROOT;
            return 0;
        }
    }
    switch (key) {
    case OPT_PATH:
        return append(&o->extra_paths, &o->n_extra_paths, value, err);
    case OPT_TARGET:
        return append(&o->targets, &o->n_targets, value, err);
    case 'j':
    case OPT_REPEAT:
    case OPT_TIME_SCALE:
        return parse_numbers(key, value, o, err);
    default:
        return parse_selection(key, value, o, err);
    }
}

/* What getopt_long could not take, as a message. */
static int
bad_option(int got, char **args, ic_error *err)
{
    if (got == ':') {
        char name[64];
        return ic_error_set(err, IC_ERR_USAGE, "%s needs a value",
                            option_name(optopt, name, sizeof name));
    }
    if (optopt > 0 && optopt < 256 && isalnum(optopt)) {
        return ic_error_set(err, IC_ERR_USAGE, "unknown option '-%c'", optopt);
    }
    return ic_error_set(err, IC_ERR_USAGE, "unknown option '%s'", args[optind - 1]);
}

/* Options and paths of args[1..n): 0, or -1 with err.  args is permuted. */
static int
parse_args(int n, char **args, cli_options *o, ic_error *err)
{
    struct option longs[N_OPTIONS + 1];
    char shorts[2 * N_OPTIONS + 2];
    getopt_tables(longs, shorts);
    opterr = 0;
    optind = 1;
    int key;
    while ((key = getopt_long(n, args, shorts, longs, NULL)) != -1) {
        if (key == '?' || key == ':') {
            return bad_option(key, args, err);
        }
        if (take_option(key, optarg, o, err) < 0) {
            return -1;
        }
    }
    for (int i = optind; i < n; i++) {
        if (append(&o->paths, &o->n_paths, args[i], err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* -h, --help, --version and --list-options win over everything, even a
 * bad option before them. */
static cli_action
early_action(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            return CLI_HELP;
        }
        if (strcmp(argv[i], "--version") == 0) {
            return CLI_VERSION;
        }
        if (strcmp(argv[i], "--list-options") == 0) {
            return CLI_LIST_OPTIONS;
        }
    }
    return CLI_RUN;
}

cli_action
cli_parse(int argc, char **argv, cli_options *o, ic_error *err)
{
    *o = (cli_options){.command = "run",
                       .impl = "interpref",
                       .parallel = cli_default_parallel(),
                       .repeat = 1,
                       .time_scale = 1.0,
                       .argc = argc,
                       .argv = argv};
    cli_action action = early_action(argc, argv);
    if (action != CLI_RUN) {
        return action;
    }
    static const char *const commands[] = {"run", "list", "coverage", "diff", "merge"};
    int first = 1;
    for (size_t i = 0; argc > 1 && i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i]) == 0) {
            o->command = commands[i];
            first = 2;
        }
    }
    /* getopt_long permutes what it parses: a copy, so argv stays as given. */
    char **args = malloc((size_t)(argc - first + 2) * sizeof *args);
    if (args == NULL) {
        ic_error_set(err, IC_ERR_NOMEM, "out of memory");
        return CLI_ERROR;
    }
    args[0] = argv[0];
    memcpy(args + 1, argv + first, (size_t)(argc - first) * sizeof *args);
    args[argc - first + 1] = NULL;
    int status = parse_args(argc - first + 1, args, o, err);
    free(args);
    if (status == 0) {
        status = layout_locate(o->root_given ? o->root : NULL, &o->layout, err);
    }
    if (status == 0) {
        o->root = o->layout.root;
        o->spec_given = o->spec != NULL;
        o->spec = o->spec ? o->spec : o->layout.spec;
    }
    if (status == 0 && o->n_paths == 0) {
        o->whole_suite = 1;
        status = append(&o->paths, &o->n_paths, o->layout.suite, err);
    }
    return status == 0 ? CLI_RUN : CLI_ERROR;
}

void
cli_free(cli_options *o)
{
    free(o->filter.globs);
    free(o->filter.clauses);
    free(o->paths);
    free(o->targets);
    free(o->extra_paths);
    layout_free(&o->layout);
}
