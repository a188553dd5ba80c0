/*
 * cmd_meta.c: what a run says about itself beyond cmd_fill_info (see
 * commands.h): the suite's version, the shard, the options, the root the
 * written reports strip; and the live progress lines for logs (stderr not
 * a terminal), so that CI output is never silent for minutes.
 */
#include "commands.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"

/* The first line `command` prints when run in the folder `dir`, without its
 * newline, into buf ("" if none, if `dir` is not there or the command
 * failed).  Every caller asks git about the checkout `dir` is in. */
static void
first_line(const char *dir, const char *command, char *buf, size_t size)
{
    buf[0] = '\0';
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "cd ");
    sb_shell_word(&sb, dir);
    sb_printf(&sb, " 2>/dev/null && %s", command);
    char *line = sb_finish(&sb);
    /* Out of memory: `false` prints nothing, as a failed command would. */
    FILE *p = popen(line ? line : "false", "r");
    free(line);
    if (p == NULL) {
        return;
    }
    if (fgets(buf, (int)size, p) == NULL) {
        buf[0] = '\0';
    }
    buf[strcspn(buf, "\n")] = '\0';
    if (pclose(p) != 0) {
        buf[0] = '\0';
    }
}

void
cmd_suite_version(const char *root, char *buf, size_t size)
{
    /* Given by the environment: no `git` child is started.  The memcheck
     * tree sets it, since valgrind does not follow those children and would
     * report their logs as incomplete. */
    const char *given = getenv("INTERPCHECK_SUITE_VERSION");
    if (given != NULL && given[0] != '\0') {
        snprintf(buf, size, "%s", given);
        return;
    }
    /* The commit of the suite's files (scenarios and SPEC), not the whole
     * checkout's: "-dirty" only when they have uncommitted changes. */
    char commit[64];
    first_line(root, "git log -1 --format=%h -- suite SPEC.md 2>/dev/null", commit, sizeof commit);
    if (commit[0] == '\0') {
        snprintf(buf, size, "unknown");
        return;
    }
    char dirty[256];
    first_line(root, "git status --porcelain -- suite SPEC.md 2>/dev/null | head -n 1", dirty,
               sizeof dirty);
    snprintf(buf, size, "%s%s", commit, dirty[0] ? "-dirty" : "");
}

/* The checkout `dir` is in (the nearest folder upwards holding `.git`, a
 * folder or, in a worktree, a file) into buf; "" outside one.  Looked up
 * here rather than asked of `git rev-parse`: one child fewer per run, and
 * none that valgrind would not follow (see cmd_suite_version). */
static void
checkout_of(const char *dir, char *buf, size_t size)
{
    buf[0] = '\0';
    char path[PATH_MAX];
    if (realpath(dir, path) == NULL) {
        return;
    }
    for (;;) {
        size_t len = strlen(path);
        char probe[PATH_MAX + 8];
        snprintf(probe, sizeof probe, "%s%s.git", path, len > 1 ? "/" : "");
        if (access(probe, F_OK) == 0) {
            snprintf(buf, size, "%s", path);
            return;
        }
        char *slash = strrchr(path, '/');
        if (slash == NULL || len <= 1) {
            return;
        }
        slash[slash == path ? 1 : 0] = '\0';
    }
}

void
cmd_fill_meta(rpt_run_info *info, const cli_options *o, cmd_meta *m)
{
    memset(m, 0, sizeof *m);
    cmd_suite_version(o->root, m->suite, sizeof m->suite);
    snprintf(m->shard, sizeof m->shard, "%u/%u", o->filter.shards ? o->filter.shard : 1u,
             o->filter.shards ? o->filter.shards : 1u);
    checkout_of(o->root ? o->root : ".", m->strip_root, sizeof m->strip_root);
    info->suite_version = m->suite;
    info->shard = m->shard;
    info->options = (const char **)(o->argv + 1);
    info->n_options = o->argc > 0 ? o->argc - 1 : 0;
    info->strip_root = m->strip_root;
}

/* ---- live progress for logs ------------------------------------------------ */

int
cmd_live_interval(void)
{
    const char *text = getenv("INTERPCHECK_PROGRESS_SECONDS");
    char *end;
    long n = text ? strtol(text, &end, 10) : -1;
    return text && *end == '\0' && n >= 0 ? (int)n : CMD_LIVE_SECONDS;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

cmd_live
cmd_live_start(int on)
{
    double t = now();
    return (cmd_live){.on = on, .interval = cmd_live_interval(), .started = t, .last = t};
}

void
cmd_live_line(cmd_live *l, const rpt_result *r, size_t done, size_t total)
{
    double t = now();
    l->counts[r->v]++;
    /* A run shorter than the interval stays silent; a longer one gets its
     * last line too, so that the log shows it ended. */
    if (t - l->last < l->interval && !(done == total && l->printed)) {
        return;
    }
    l->printed = 1;
    l->last = t;
    fprintf(stderr, "interpcheck: [%zu/%zu] %.0f s:", done, total, t - l->started);
    for (int v = EXPECT_PASS; v <= EXPECT_ERROR; v++) {
        if (l->counts[v] > 0) {
            fprintf(stderr, " %s %zu", expect_verdict_name((expect_verdict)v), l->counts[v]);
        }
    }
    fprintf(stderr, "; last %s %s (%.1f s)\n", expect_verdict_name(r->v), r->item->id,
            r->o.seconds);
    fflush(stderr);
}
