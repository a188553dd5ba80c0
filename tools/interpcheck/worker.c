/*
 * worker.c: children, deadlines and reports (see worker.h).  State: the
 * slots of one wrk_run() call, on its stack; SIGPIPE is ignored while a
 * child's input is written, SIGINT blocked around each look for Ctrl-C.
 */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "pyhost.h"
#include "strbuf.h"

/* Output beyond this is dropped (the head is what explains a failure). */
#define MAX_OUTPUT ((size_t)256 * 1024)

/* What wrk_run() is doing: its configuration and the caller's events. */
typedef struct {
    const wrk_config *config;
    const pipe_events *events;
} run_ctx;

typedef struct {
    pid_t pid;
    size_t job;
    int report_fd, output_fd; /* -1 once at EOF */
    double started, deadline;
    strbuf report, output;
    size_t report_parsed; /* bytes of `report` already scanned for steps */
    int last_index;
    unsigned last_line;
} slot;

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- children ---------------------------------------------------------- */

static int
pipe_cloexec(int fds[2])
{
    return pipe2(fds, O_CLOEXEC);
}

/* The parent's read ends of every running child's pipes, for a new child to close. */
static size_t
open_fds(const slot *slots, int parallel, int *fds)
{
    size_t n = 0;
    for (int i = 0; i < parallel; i++) {
        if (slots[i].pid > 0) {
            if (slots[i].report_fd >= 0) {
                fds[n++] = slots[i].report_fd;
            }
            if (slots[i].output_fd >= 0) {
                fds[n++] = slots[i].output_fd;
            }
        }
    }
    return n;
}

/*
 * Hand a child its scenario.  The executor reads all of its input before it
 * writes anything.  A child that is gone before reading it (a --python
 * command that is not a Python) gets CRASH from its exit status; it must
 * not take the runner down with SIGPIPE, which is ignored meanwhile.
 */
static void
write_input(int fd, const char *json)
{
    struct sigaction ignore, old;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &old);
    size_t left = strlen(json);
    while (left > 0) {
        ssize_t n = write(fd, json, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break; /* EPIPE: the child's exit status will tell */
        }
        json += n;
        left -= (size_t)n;
    }
    sigaction(SIGPIPE, &old, NULL);
}

static pid_t
spawn_python(const wrk_config *config, const char *json, int report_fd, int output_fd)
{
    int input[2];
    if (pipe_cloexec(input) < 0) {
        return -1;
    }
    char scale[32];
    snprintf(scale, sizeof scale, "%g", config->time_scale);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(input[0], STDIN_FILENO);
        dup2(report_fd, STDOUT_FILENO);
        dup2(output_fd, STDERR_FILENO);
        setenv("PYTHONPATH", config->pythonpath, 1);
        setenv("PYTHONFAULTHANDLER", "1", 1);
        setenv("PYTHONDONTWRITEBYTECODE", "1", 1);
        setenv("PYTHONIOENCODING", "utf-8", 1);
        char script[4096];
        snprintf(script, sizeof script, "exec %s \"$@\"", config->python_cmd);
        execl("/bin/sh", "sh", "-c", script, "interpcheck-python", "-S", "-s",
              config->executor_path, "--impl", config->impl, "--time-scale", scale, (char *)NULL);
        _exit(127);
    }
    close(input[0]);
    if (pid > 0) {
        write_input(input[1], json);
    }
    close(input[1]);
    return pid;
}

/* Start job `index` in slot *s: 0, or -1 (errno says why). */
static int
start(const wrk_config *config, const pipe_job *jobs, size_t index, slot *slots, slot *s)
{
    int report[2] = {-1, -1}, output[2] = {-1, -1};
    pid_t pid = -1;
    if (pipe_cloexec(report) < 0 || pipe_cloexec(output) < 0) {
        goto done;
    }
    if (config->python_cmd != NULL) {
        pid = spawn_python(config, jobs[index].json, report[1], output[1]);
    }
    else {
        int inherited[2 * PIPE_MAX_PARALLEL];
        size_t n = open_fds(slots, config->parallel, inherited);
        pid = pyhost_fork_scenario(jobs[index].json, config->impl, config->time_scale, report[1],
                                   output[1], inherited, n);
    }
    if (pid >= 0) {
        *s = (slot){.pid = pid,
                    .job = index,
                    .report_fd = report[0],
                    .output_fd = output[0],
                    .started = now(),
                    .deadline = now() + jobs[index].deadline,
                    .last_index = -1};
        sb_init(&s->report);
        sb_init(&s->output);
        report[0] = output[0] = -1; /* the slot's now */
    }
done:;
    int saved = errno; /* what a failure says, not what close() says */
    const int fds[] = {report[0], report[1], output[0], output[1]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    errno = saved;
    return pid >= 0 ? 0 : -1;
}

/* Report newly completed `step` lines to on_step and remember the last. */
static void
scan_steps(const pipe_events *events, slot *s)
{
    while (s->report.data != NULL && s->report_parsed < s->report.len) {
        char *line = s->report.data + s->report_parsed;
        char *eol = memchr(line, '\n', s->report.len - s->report_parsed);
        if (eol == NULL) {
            return;
        }
        int index;
        unsigned number;
        if (proto_step_line(line, &index, &number)) {
            s->last_index = index;
            s->last_line = number;
            if (events->on_step != NULL) {
                events->on_step(s->job, index, number, events->ctx);
            }
        }
        s->report_parsed = (size_t)(eol - s->report.data) + 1;
    }
}

static void
drain(int *fd, strbuf *sb, size_t limit)
{
    char buf[8192];
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0) {
        size_t kept = 0;
        if (sb->len < limit) {
            size_t room = limit - sb->len;
            kept = (size_t)n < room ? (size_t)n : room;
        }
        /* What a scenario prints is kept as a C string, so a NUL byte would
         * silently cut it short: it is shown as U+2400 SYMBOL FOR NULL. */
        for (size_t from = 0, i = 0; i <= kept; i++) {
            if (i == kept || buf[i] == '\0') {
                sb_append(sb, buf + from, i - from);
                if (i < kept) {
                    sb_puts(sb, "\xE2\x90\x80");
                }
                from = i + 1;
            }
        }
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    close(*fd);
    *fd = -1;
}

/* Why a child's outcome is not what its report says, into message ("" if it is). */
static void
abnormal_end(const proto_outcome *o, int complete, int status, int timed_out, char *message,
             size_t size)
{
    message[0] = '\0';
    if (timed_out) {
        snprintf(message, size, "killed after %.1f s (the scenario's deadline)", o->seconds);
    }
    else if (complete && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return;
    }
    else if (WIFSIGNALED(status)) {
        snprintf(message, size, "the implementation crashed: signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    }
    else {
        snprintf(message, size, "the process exited with status %d %s",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                 complete ? "after its report" : "before completing its report");
    }
}

/* The child is gone (status from waitpid) or was killed at its deadline. */
static void
finish(const pipe_events *events, slot *s, int status, int timed_out)
{
    proto_outcome o;
    memset(&o, 0, sizeof o);
    char *report = sb_finish(&s->report);
    int complete = report != NULL && proto_parse_report(report, &o);
    free(report);
    o.output = sb_finish(&s->output);
    o.seconds = now() - s->started;
    char message[256];
    abnormal_end(&o, complete, status, timed_out, message, sizeof message);
    if (message[0] != '\0') {
        /* Whatever the child said last is no verdict: where it was is. */
        o.verdict = timed_out ? PROTO_TIMEOUT : PROTO_CRASH;
        free(o.message);
        o.message = strdup(message);
        o.step_index = s->last_index;
        o.step_line = s->last_line;
    }
    s->pid = 0;
    events->on_done(s->job, &o, events->ctx);
    proto_outcome_clear(&o);
}

static void
close_pipes(slot *s)
{
    if (s->report_fd >= 0) {
        close(s->report_fd);
    }
    if (s->output_fd >= 0) {
        close(s->output_fd);
    }
}

static void
kill_all(slot *slots, int parallel)
{
    for (int i = 0; i < parallel; i++) {
        if (slots[i].pid > 0) {
            kill(slots[i].pid, SIGKILL);
            waitpid(slots[i].pid, NULL, 0);
            close_pipes(&slots[i]);
            sb_free(&slots[i].report);
            sb_free(&slots[i].output);
            slots[i].pid = 0;
        }
    }
}

#define INTERRUPTED (-2)

/*
 * poll() that Ctrl-C cannot slip past.  In in-process mode the embedded
 * Python's handler only records a SIGINT; if one arrived after the last
 * look at that record and before poll() started, poll() would wait for the
 * next deadline and the run would go on.  So SIGINT is blocked from the look
 * (pyhost_check_signals) until ppoll() unblocks it while it waits: one that
 * comes in between interrupts the wait.  Returns what ppoll() returns, or
 * INTERRUPTED when a Python signal handler raised (KeyboardInterrupt).
 */
static int
wait_ready(const wrk_config *config, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    sigset_t sigint, old;
    sigemptyset(&sigint);
    sigaddset(&sigint, SIGINT);
    sigprocmask(SIG_BLOCK, &sigint, &old);
    int ready = INTERRUPTED;
    if (config->python_cmd != NULL || pyhost_check_signals() == 0) {
        struct timespec ts = {.tv_sec = timeout_ms / 1000,
                              .tv_nsec = (long)(timeout_ms % 1000) * 1000000L};
        ready = ppoll(fds, nfds, &ts, &old);
        if (ready < 0 && errno == EINTR && config->python_cmd == NULL &&
            pyhost_check_signals() < 0) {
            ready = INTERRUPTED;
        }
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return ready;
}

/* The pipes of the running children, and the first deadline among them. */
typedef struct {
    struct pollfd fds[2 * PIPE_MAX_PARALLEL];
    int owner[2 * PIPE_MAX_PARALLEL];
    nfds_t n;
    double wake;
} poll_set;

static void
collect_fds(const slot *slots, int parallel, poll_set *ps)
{
    ps->n = 0;
    ps->wake = 1e300;
    for (int i = 0; i < parallel; i++) {
        if (slots[i].pid <= 0) {
            continue;
        }
        if (slots[i].deadline < ps->wake) {
            ps->wake = slots[i].deadline;
        }
        const int both[2] = {slots[i].report_fd, slots[i].output_fd};
        for (int k = 0; k < 2; k++) {
            if (both[k] >= 0) {
                ps->fds[ps->n] = (struct pollfd){.fd = both[k], .events = POLLIN};
                ps->owner[ps->n++] = i;
            }
        }
    }
}

/* Wait for output or the first deadline and read what came: 0, or INTERRUPTED. */
static int
read_ready(const run_ctx *run, slot *slots, int parallel)
{
    poll_set ps;
    collect_fds(slots, parallel, &ps);
    double wait = ps.wake - now();
    int timeout = wait <= 0 ? 0 : wait > 3600 ? 3600000 : (int)(wait * 1000) + 1;
    int ready = ps.n > 0 ? wait_ready(run->config, ps.fds, ps.n, timeout) : 0;
    if (ready == INTERRUPTED) {
        return INTERRUPTED;
    }
    for (nfds_t k = 0; ready > 0 && k < ps.n; k++) {
        if (ps.fds[k].revents == 0) {
            continue;
        }
        slot *s = &slots[ps.owner[k]];
        if (ps.fds[k].fd == s->report_fd) {
            drain(&s->report_fd, &s->report, (size_t)-1);
            scan_steps(run->events, s);
        }
        else if (ps.fds[k].fd == s->output_fd) {
            drain(&s->output_fd, &s->output, MAX_OUTPUT);
        }
    }
    return 0;
}

/* Finish the children that closed their pipes or passed their deadline;
 * returns how many. */
static size_t
reap(const run_ctx *run, slot *slots, int parallel)
{
    size_t reaped = 0;
    for (int i = 0; i < parallel; i++) {
        slot *s = &slots[i];
        if (s->pid <= 0) {
            continue;
        }
        int status = 0, timed_out = 0;
        if (s->report_fd >= 0 || s->output_fd >= 0) {
            if (now() < s->deadline) {
                continue;
            }
            kill(s->pid, SIGKILL);
            timed_out = 1;
        }
        waitpid(s->pid, &status, 0);
        if (timed_out) {
            close_pipes(s);
        }
        finish(run->events, s, status, timed_out);
        reaped++;
    }
    return reaped;
}

int
wrk_run(const wrk_config *config, const pipe_job *jobs, size_t n_jobs, const pipe_events *events,
        ic_error *err)
{
    int parallel = config->parallel < 1                   ? 1
                   : config->parallel > PIPE_MAX_PARALLEL ? PIPE_MAX_PARALLEL
                                                          : config->parallel;
    wrk_config cfg = *config;
    cfg.parallel = parallel;
    run_ctx run = {.config = &cfg, .events = events};
    slot slots[PIPE_MAX_PARALLEL];
    memset(slots, 0, sizeof slots);
    size_t next = 0, running = 0;
    int status = 0;
    while (status == 0 && (next < n_jobs || running > 0)) {
        for (int i = 0; i < parallel && next < n_jobs && status == 0; i++) {
            if (slots[i].pid != 0) {
                continue;
            }
            if (start(&cfg, jobs, next, slots, &slots[i]) < 0) {
                status = ic_error_set(err, IC_ERR_SYSTEM, "cannot start a child: %s",
                                      strerror(errno));
                break;
            }
            next++;
            running++;
        }
        if (status == 0 && read_ready(&run, slots, parallel) == INTERRUPTED) {
            status = ic_error_set(err, IC_ERR_INTERRUPTED, "interrupted");
        }
        if (status == 0) {
            running -= reap(&run, slots, parallel);
        }
    }
    if (status < 0) {
        kill_all(slots, parallel);
    }
    return status;
}
