/*
 * worker.c: children, deadlines and reports (see worker.h).  State: the
 * slots of one wrk_run() call, on its stack; SIGPIPE is ignored while a
 * child's input is written, SIGINT blocked around each look for Ctrl-C.
 *
 * Each child leads a process group of its own (setpgid on both sides of
 * the fork), so that whatever it starts goes with it: the group is killed
 * when the child has ended, at its deadline and on Ctrl-C.  A child is done
 * when it has exited (seen through a pidfd, or by looking every
 * POLL_FALLBACK seconds where there is none), not when its pipes close: a
 * helper it left behind may hold them open.  It is looked at with
 * waitid(WNOWAIT) first, so that its pid (the group's id) stays reserved
 * until the group is killed.  At the deadline the child is first asked for
 * every thread's Python stack (faulthandler, on its standard error: see
 * dump_signal); what comes within DUMP_WAIT seconds is the TIMEOUT's
 * traceback.
 */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "pyhost.h"
#include "strbuf.h"

/* Output beyond this is dropped (the head is what explains a failure). */
#define MAX_OUTPUT ((size_t)256 * 1024)

/* After SIGUSR1 at a deadline: the longest wait for the stack dump, and
 * the quiet after its last bytes that ends the wait sooner. */
#define DUMP_WAIT 2.0
#define DUMP_QUIET 0.2
/* Without a pidfd, how often a child is looked at for having exited. */
#define POLL_FALLBACK 0.1
/* What is read of a child's pipes once it has exited, at most (a helper
 * it left behind may keep writing). */
#define MAX_READS_AFTER_EXIT 256

/* What a wrk_run() or a probe is doing: its configuration, the caller's
 * events; a probe may ask for `--version` instead of a scenario and keep
 * the raw report. */
typedef struct {
    const wrk_config *config;
    const pipe_events *events;
    int version_only;
    strbuf *raw_report;
} run_ctx;

typedef struct {
    pid_t pid; /* also its process group's id */
    size_t job;
    int report_fd, output_fd; /* -1 once at EOF */
    int pidfd;                /* readable once the child has exited; -1: none */
    double started, deadline;
    double step_seconds; /* a step's own deadline (pipe_job), 0: none */
    double step_due;     /* when the step running now passes it */
    int step_overran;    /* killed at step_due, not at the scenario's deadline */
    strbuf report, output;
    size_t report_parsed; /* bytes of `report` already scanned for steps */
    int last_index;
    unsigned last_line;
    int dumping;                  /* asked for its stacks at the deadline: output goes to `dump` */
    double dump_until, dump_last; /* end of the wait; when dump bytes last came */
    strbuf dump;
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

/* The parent's descriptors of every running child (pipes, pidfd), for a
 * new child to close. */
static size_t
open_fds(const slot *slots, int parallel, int *fds)
{
    size_t n = 0;
    for (int i = 0; i < parallel; i++) {
        if (slots[i].pid > 0) {
            const int mine[3] = {slots[i].report_fd, slots[i].output_fd, slots[i].pidfd};
            for (int k = 0; k < 3; k++) {
                if (mine[k] >= 0) {
                    fds[n++] = mine[k];
                }
            }
        }
    }
    return n;
}

/* A descriptor that becomes readable when `pid` exits, or -1 (no pidfd on
 * this kernel: the child is then looked at every POLL_FALLBACK seconds). */
static int
open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0); /* close-on-exec by default */
#else
    (void)pid;
    return -1;
#endif
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
spawn_python(const run_ctx *run, const char *json, int report_fd, int output_fd)
{
    const wrk_config *config = run->config;
    int input[2];
    if (pipe_cloexec(input) < 0) {
        return -1;
    }
    char scale[32];
    snprintf(scale, sizeof scale, "%g", config->time_scale);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0); /* a group of its own: killed whole (see the top) */
        const struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core); /* SIGABRT at the deadline: a dump, no core */
        dup2(input[0], STDIN_FILENO);
        dup2(report_fd, STDOUT_FILENO);
        dup2(output_fd, STDERR_FILENO);
        setenv("PYTHONPATH", config->pythonpath, 1);
        setenv("PYTHONFAULTHANDLER", "1", 1);
        setenv("PYTHONDONTWRITEBYTECODE", "1", 1);
        setenv("PYTHONIOENCODING", "utf-8", 1);
        char script[4096];
        snprintf(script, sizeof script, "exec %s \"$@\"", config->python_cmd);
        if (run->version_only) {
            execl("/bin/sh", "sh", "-c", script, "interpcheck-python", "-S", "-s",
                  config->executor_path, "--version", (char *)NULL);
        }
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
start(const run_ctx *run, const pipe_job *jobs, size_t index, slot *slots, slot *s)
{
    const wrk_config *config = run->config;
    int report[2] = {-1, -1}, output[2] = {-1, -1};
    pid_t pid = -1;
    if (pipe_cloexec(report) < 0 || pipe_cloexec(output) < 0) {
        goto done;
    }
    if (config->python_cmd != NULL) {
        pid = spawn_python(run, run->version_only ? "" : jobs[index].json, report[1], output[1]);
    }
    else {
        int inherited[2 * PIPE_MAX_PARALLEL];
        size_t n = open_fds(slots, config->parallel, inherited);
        pid = pyhost_fork_scenario(jobs[index].json, config->impl, config->time_scale, report[1],
                                   output[1], inherited, n);
    }
    if (pid >= 0) {
        setpgid(pid, pid); /* as the child does: whichever comes first (EACCES after exec) */
        *s = (slot){.pid = pid,
                    .job = index,
                    .report_fd = report[0],
                    .output_fd = output[0],
                    .pidfd = open_pidfd(pid),
                    .started = now(),
                    .deadline = now() + jobs[index].deadline,
                    .step_seconds = jobs[index].step_deadline,
                    .last_index = -1};
        /* Start-up (the import of the implementation) is held to a step's deadline too. */
        s->step_due = s->step_seconds > 0 ? s->started + s->step_seconds : s->deadline;
        sb_init(&s->report);
        sb_init(&s->output);
        sb_init(&s->dump);
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
            s->step_due = s->step_seconds > 0 ? now() + s->step_seconds : s->deadline;
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
abnormal_end(const slot *s, const proto_outcome *o, int complete, int status, int timed_out,
             char *message, size_t size)
{
    message[0] = '\0';
    if (timed_out && s->step_overran) {
        snprintf(message, size,
                 "killed after %.1f s: the step running had taken more than %.1f s"
                 " (a step's own deadline)",
                 o->seconds, s->step_seconds);
    }
    else if (timed_out) {
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

/* The child is gone (status from waitpid), perhaps killed at its deadline. */
static void
finish(const run_ctx *run, slot *s, int status, int timed_out)
{
    proto_outcome o;
    memset(&o, 0, sizeof o);
    char *report = sb_finish(&s->report);
    int complete = report != NULL && proto_parse_report(report, &o);
    if (run->raw_report != NULL && report != NULL) {
        sb_puts(run->raw_report, report);
    }
    free(report);
    o.output = sb_finish(&s->output);
    o.seconds = now() - s->started;
    char message[256];
    abnormal_end(s, &o, complete, status, timed_out, message, sizeof message);
    if (message[0] != '\0') {
        /* Whatever the child said last is no verdict: where it was is. */
        o.verdict = timed_out ? PROTO_TIMEOUT : PROTO_CRASH;
        free(o.message);
        o.message = strdup(message);
        o.step_index = s->last_index;
        o.step_line = s->last_line;
    }
    char *dump = sb_finish(&s->dump);
    if (timed_out && dump != NULL && dump[0] != '\0') {
        free(o.traceback); /* the stack of every thread at the deadline */
        o.traceback = dump;
        dump = NULL;
    }
    free(dump);
    s->pid = 0;
    run->events->on_done(s->job, &o, run->events->ctx);
    proto_outcome_clear(&o);
}

static void
close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static void
close_fds(slot *s)
{
    close_fd(&s->report_fd);
    close_fd(&s->output_fd);
    close_fd(&s->pidfd);
}

/* The child and whatever is left of its process group: killed, reaped. */
static int
kill_group(slot *s)
{
    kill(-s->pid, SIGKILL);
    kill(s->pid, SIGKILL); /* in case its setpgid has not happened */
    int status = 0;
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

static void
kill_all(slot *slots, int parallel)
{
    for (int i = 0; i < parallel; i++) {
        if (slots[i].pid > 0) {
            kill_group(&slots[i]);
            close_fds(&slots[i]);
            sb_free(&slots[i].report);
            sb_free(&slots[i].output);
            sb_free(&slots[i].dump);
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

/* The descriptors of the running children, and the first time one of them
 * needs a look without any (a deadline, the end of a dump, a fallback). */
typedef struct {
    struct pollfd fds[3 * PIPE_MAX_PARALLEL];
    int owner[3 * PIPE_MAX_PARALLEL];
    nfds_t n;
    double wake;
} poll_set;

/* The first of the scenario's deadline and the running step's. */
static double
due(const slot *s)
{
    return s->step_due < s->deadline ? s->step_due : s->deadline;
}

static double
next_look(const slot *s)
{
    double when = s->dumping ? s->dump_until : due(s);
    if (s->dumping && s->dump.len > 0 && s->dump_last + DUMP_QUIET < when) {
        when = s->dump_last + DUMP_QUIET;
    }
    if (s->pidfd < 0 && now() + POLL_FALLBACK < when) {
        when = now() + POLL_FALLBACK;
    }
    return when;
}

static void
collect_fds(const slot *slots, int parallel, poll_set *ps)
{
    ps->n = 0;
    ps->wake = 1e300;
    for (int i = 0; i < parallel; i++) {
        if (slots[i].pid <= 0) {
            continue;
        }
        double when = next_look(&slots[i]);
        ps->wake = when < ps->wake ? when : ps->wake;
        const int all[3] = {slots[i].report_fd, slots[i].output_fd, slots[i].pidfd};
        for (int k = 0; k < 3; k++) {
            if (all[k] >= 0) {
                ps->fds[ps->n] = (struct pollfd){.fd = all[k], .events = POLLIN};
                ps->owner[ps->n++] = i;
            }
        }
    }
}

/* Read what one ready descriptor of *s has (a pidfd has nothing to read). */
static void
read_fd(const run_ctx *run, slot *s, int fd)
{
    if (fd == s->report_fd) {
        drain(&s->report_fd, &s->report, (size_t)-1);
        scan_steps(run->events, s);
    }
    else if (fd == s->output_fd && s->dumping) {
        size_t before = s->dump.len;
        drain(&s->output_fd, &s->dump, MAX_OUTPUT);
        s->dump_last = s->dump.len > before ? now() : s->dump_last;
    }
    else if (fd == s->output_fd) {
        drain(&s->output_fd, &s->output, MAX_OUTPUT);
    }
}

/* Wait for output, an exit or the first deadline and read what came: 0,
 * or INTERRUPTED. */
static int
read_ready(const run_ctx *run, slot *slots, int parallel)
{
    poll_set ps;
    collect_fds(slots, parallel, &ps);
    double wait = ps.wake - now();
    int timeout = wait <= 0 ? 0 : wait > 3600 ? 3600000 : (int)(wait * 1000) + 1;
    int ready = wait_ready(run->config, ps.fds, ps.n, timeout);
    if (ready == INTERRUPTED) {
        return INTERRUPTED;
    }
    for (nfds_t k = 0; ready > 0 && k < ps.n; k++) {
        if (ps.fds[k].revents != 0) {
            read_fd(run, &slots[ps.owner[k]], ps.fds[k].fd);
        }
    }
    return 0;
}

/* What an exited child left in its pipes (all it wrote: it could not have
 * exited with a pipe full), without waiting for an EOF a helper may hold. */
static void
read_left(const run_ctx *run, slot *s)
{
    for (int i = 0; i < MAX_READS_AFTER_EXIT; i++) {
        struct pollfd fds[2];
        nfds_t n = 0;
        const int both[2] = {s->report_fd, s->output_fd};
        for (int k = 0; k < 2; k++) {
            if (both[k] >= 0) {
                fds[n++] = (struct pollfd){.fd = both[k], .events = POLLIN};
            }
        }
        if (n == 0 || poll(fds, n, 0) <= 0) {
            return;
        }
        for (nfds_t k = 0; k < n; k++) {
            if (fds[k].revents != 0) {
                read_fd(run, s, fds[k].fd);
            }
        }
    }
}

/* What asks a child for its stacks: SIGUSR1, which pyhost.c's children
 * register with faulthandler; --python: SIGABRT, on which the
 * PYTHONFAULTHANDLER=1 set for it dumps them, whatever the Python and its
 * copy of executor.py (no core file: RLIMIT_CORE is 0 there). */
static int
dump_signal(const wrk_config *config)
{
    return config->python_cmd != NULL ? SIGABRT : SIGUSR1;
}

static int
has_exited(const slot *s)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    /* WNOWAIT: a zombie still, its pid (the group's id) cannot be reused. */
    return waitid(P_PID, (id_t)s->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == s->pid;
}

/* Finish the children that exited or whose time is up; returns how many. */
static size_t
reap(const run_ctx *run, slot *slots, int parallel)
{
    size_t reaped = 0;
    for (int i = 0; i < parallel; i++) {
        slot *s = &slots[i];
        if (s->pid <= 0) {
            continue;
        }
        double t = now();
        int exited = has_exited(s);
        if (!exited && !s->dumping && t >= due(s)) {
            s->step_overran = t < s->deadline;
            kill(s->pid, dump_signal(run->config)); /* the stack dump first (see the top) */
            s->dumping = 1;
            s->dump_until = t + DUMP_WAIT;
            continue;
        }
        int dumped = s->dumping &&
                     (t >= s->dump_until || (s->dump.len > 0 && t >= s->dump_last + DUMP_QUIET));
        if (!exited && !dumped) {
            continue;
        }
        kill(-s->pid, SIGKILL); /* its helpers, before the pid is released */
        read_left(run, s);
        int status = kill_group(s);
        close_fds(s);
        finish(run, s, status, s->dumping);
        reaped++;
    }
    return reaped;
}

/* The loop of wrk_run() and of the probes: 0, or -1 with err. */
static int
run_jobs(const run_ctx *run, const pipe_job *jobs, size_t n_jobs, ic_error *err)
{
    int parallel = run->config->parallel;
    slot slots[PIPE_MAX_PARALLEL];
    memset(slots, 0, sizeof slots);
    size_t next = 0, running = 0;
    int status = 0;
    while (status == 0 && (next < n_jobs || running > 0)) {
        for (int i = 0; i < parallel && next < n_jobs && status == 0; i++) {
            if (slots[i].pid != 0) {
                continue;
            }
            if (start(run, jobs, next, slots, &slots[i]) < 0) {
                status = ic_error_set(err, IC_ERR_SYSTEM, "cannot start a child: %s",
                                      strerror(errno));
                break;
            }
            next++;
            running++;
        }
        if (status == 0 && read_ready(run, slots, parallel) == INTERRUPTED) {
            status = ic_error_set(err, IC_ERR_INTERRUPTED, "interrupted");
        }
        if (status == 0) {
            running -= reap(run, slots, parallel);
        }
    }
    if (status < 0) {
        kill_all(slots, parallel);
    }
    return status;
}

int
wrk_run(const wrk_config *config, const pipe_job *jobs, size_t n_jobs, const pipe_events *events,
        ic_error *err)
{
    wrk_config cfg = *config;
    cfg.parallel = config->parallel < 1                   ? 1
                   : config->parallel > PIPE_MAX_PARALLEL ? PIPE_MAX_PARALLEL
                                                          : config->parallel;
    run_ctx run = {.config = &cfg, .events = events};
    return run_jobs(&run, jobs, n_jobs, err);
}

/* ---- probes ------------------------------------------------------------ */

/* The one outcome of a probe, taken from the pipeline's on_done. */
static void
probe_done(size_t job, proto_outcome *o, void *ctx)
{
    (void)job;
    *(proto_outcome *)ctx = *o;
    memset(o, 0, sizeof *o);
}

/* The line of a child's output that says most about its end: a "Fatal
 * Python error" line, else the last line that is not empty, into buf. */
static const char *
telling_line(const char *output, char *buf, size_t size)
{
    buf[0] = '\0';
    for (const char *line = output; line != NULL && *line != '\0';) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > 0 && strncmp(buf, "Fatal Python error", 18) != 0) {
            snprintf(buf, size, "%.*s", (int)len, line);
        }
        line = eol ? eol + 1 : NULL;
    }
    return buf;
}

/* How a probe's child ended, when it did not end well, into message. */
static void
probe_failure(const proto_outcome *o, double deadline, char *message, size_t size)
{
    char line[300];
    telling_line(o->output, line, sizeof line);
    if (o->verdict == PROTO_TIMEOUT) {
        snprintf(message, size, "its import did not finish within %.0f s (killed)", deadline);
    }
    else {
        snprintf(message, size, "%s%s%s%s", o->message ? o->message : "no report",
                 line[0] ? " (it printed: " : "", line, line[0] ? ")" : "");
    }
}

/* `CMD -S -s executor.py --version`: 0, or -1 with err. */
static int
probe_version(const wrk_config *config, const pipe_job *job, ic_error *err)
{
    proto_outcome o;
    memset(&o, 0, sizeof o);
    strbuf raw;
    sb_init(&raw);
    pipe_events events = {.on_done = probe_done, .ctx = &o};
    run_ctx run = {.config = config, .events = &events, .version_only = 1, .raw_report = &raw};
    int status = run_jobs(&run, job, 1, err);
    char *text = sb_finish(&raw);
    if (status == 0 && (text == NULL || strncmp(text, "interpcheck-executor ", 21) != 0)) {
        char why[600];
        probe_failure(&o, job->deadline, why, sizeof why);
        if (o.verdict == PROTO_CRASH && text != NULL && text[0] != '\0') {
            snprintf(why, sizeof why, "it printed '%.*s', not the executor's version",
                     (int)strcspn(text, "\n"), text);
        }
        status = ic_error_set(err, IC_ERR_PYTHON,
                              "--python '%s' does not run the executor (CMD -S -s %s "
                              "--version): %s",
                              config->python_cmd, config->executor_path, why);
    }
    free(text);
    proto_outcome_clear(&o);
    return status;
}

int
wrk_probe(const wrk_config *config, ic_error *err)
{
    static const char empty[] = "{\"id\":\"interpcheck-probe\",\"path\":\"<import check>\","
                                "\"steps\":[]}";
    wrk_config one = *config;
    one.parallel = 1;
    pipe_job job = {.json = empty,
                    .deadline = WRK_PROBE_SECONDS *
                                (config->time_scale > 1.0 ? config->time_scale : 1.0)};
    if (config->python_cmd != NULL && probe_version(&one, &job, err) < 0) {
        return -1;
    }
    proto_outcome o;
    memset(&o, 0, sizeof o);
    pipe_events events = {.on_done = probe_done, .ctx = &o};
    run_ctx run = {.config = &one, .events = &events};
    int status = run_jobs(&run, &job, 1, err);
    if (status == 0 && o.verdict != PROTO_PASS) {
        char why[600];
        probe_failure(&o, job.deadline, why, sizeof why);
        /* executor.py says "cannot import NAME: WHY": WHY is the news. */
        size_t skip = strlen("cannot import ") + strlen(config->impl) + 2;
        const char *text = o.verdict == PROTO_ERROR && o.message != NULL &&
                                   strncmp(o.message, "cannot import ", 14) == 0 &&
                                   strlen(o.message) >= skip
                               ? o.message + skip
                               : why;
        status = ic_error_set(err, IC_ERR_PYTHON, "cannot import the implementation '%s': %s",
                              config->impl, text);
    }
    proto_outcome_clear(&o);
    return status;
}
