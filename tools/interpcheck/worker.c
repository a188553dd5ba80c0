/*
 * worker.c: children, deadlines and reports (see worker.h).
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

#include "pyhost.h"
#include "strbuf.h"

/* Output beyond this is dropped (the head is what explains a failure). */
#define MAX_OUTPUT ((size_t)256 * 1024)

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

const char *
raw_verdict_name(raw_verdict verdict)
{
    static const char *names[] = {"PASS", "FAIL", "ERROR", "SKIP", "TIMEOUT", "CRASH"};
    return verdict <= RAW_CRASH ? names[verdict] : "?";
}

void
outcome_clear(outcome *o)
{
    free(o->message);
    free(o->expected);
    free(o->actual);
    free(o->traceback);
    free(o->output);
    memset(o, 0, sizeof *o);
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the report protocol ---------------------------------------------- */

static char *
unescape(const char *text, size_t len)
{
    char *out = malloc(len + 1), *w = out;
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\\' && i + 1 < len) {
            i++;
            *w++ = text[i] == 'n' ? '\n' : text[i];
        }
        else {
            *w++ = text[i];
        }
    }
    *w = '\0';
    return out;
}

static int
parse_verdict(const char *word, raw_verdict *verdict)
{
    static const struct {
        const char *name;
        raw_verdict verdict;
    } known[] = {{"PASS", RAW_PASS},
                 {"FAIL", RAW_FAIL},
                 {"ERROR", RAW_ERROR},
                 {"SKIP", RAW_SKIP},
                 {"TIMEOUT", RAW_TIMEOUT}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(word, known[i].name) == 0) {
            *verdict = known[i].verdict;
            return 0;
        }
    }
    return -1;
}

int
worker_parse_report(const char *text, outcome *o)
{
    int header = 0, verdict_seen = 0, ended = 0;
    o->step_index = -1;
    for (const char *line = text; *line != '\0';) {
        const char *eol = strchr(line, '\n');
        if (eol == NULL) {
            break; /* an unfinished last line does not count */
        }
        size_t len = (size_t)(eol - line);
        int index;
        unsigned number;
        char word[16];
        if (!header) {
            header = strncmp(line, "interpcheck-report 1", len) == 0 && len == 20;
        }
        else if (sscanf(line, "step %d %u", &index, &number) == 2) {
            o->step_index = index;
            o->step_line = number;
        }
        else if (sscanf(line, "python %31s", o->python) == 1) {
            /* the version, for provenance */
        }
        else if (strncmp(line, "field ", 6) == 0) {
            const char *name = line + 6, *space = memchr(name, ' ', len - 6);
            char **slot = NULL;
            size_t name_len = space ? (size_t)(space - name) : 0;
            if (name_len == 7 && strncmp(name, "message", 7) == 0) {
                slot = &o->message;
            }
            else if (name_len == 8 && strncmp(name, "expected", 8) == 0) {
                slot = &o->expected;
            }
            else if (name_len == 6 && strncmp(name, "actual", 6) == 0) {
                slot = &o->actual;
            }
            else if (name_len == 9 && strncmp(name, "traceback", 9) == 0) {
                slot = &o->traceback;
            }
            if (slot != NULL) {
                free(*slot);
                *slot = unescape(space + 1, (size_t)(eol - space - 1));
            }
        }
        else if (sscanf(line, "verdict %15s %d %u", word, &index, &number) == 3 &&
                 parse_verdict(word, &o->verdict) == 0) {
            verdict_seen = 1;
            o->step_index = index;
            o->step_line = number;
        }
        else if (len == 3 && strncmp(line, "end", 3) == 0) {
            ended = verdict_seen;
        }
        line = eol + 1;
    }
    return header && ended;
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
spawn_python(const worker_config *config, const char *json, int report_fd, int output_fd)
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

static int
start(const worker_config *config, const job *jobs, size_t index, slot *slots, slot *s)
{
    int report[2], output[2];
    if (pipe_cloexec(report) < 0) {
        return -1;
    }
    if (pipe_cloexec(output) < 0) {
        close(report[0]);
        close(report[1]);
        return -1;
    }
    pid_t pid;
    if (config->python_cmd != NULL) {
        pid = spawn_python(config, jobs[index].json, report[1], output[1]);
    }
    else {
        int inherited[2 * 64];
        size_t n = open_fds(slots, config->parallel, inherited);
        pid = pyhost_fork_scenario(jobs[index].json, config->impl, config->time_scale, report[1],
                                   output[1], inherited, n);
    }
    close(report[1]);
    close(output[1]);
    if (pid < 0) {
        close(report[0]);
        close(output[0]);
        return -1;
    }
    *s = (slot){.pid = pid,
                .job = index,
                .report_fd = report[0],
                .output_fd = output[0],
                .started = now(),
                .deadline = now() + jobs[index].deadline,
                .last_index = -1};
    sb_init(&s->report);
    sb_init(&s->output);
    return 0;
}

/* Report newly completed `step` lines to on_step and remember the last. */
static void
scan_steps(const worker_config *config, slot *s)
{
    while (s->report.data != NULL && s->report_parsed < s->report.len) {
        char *line = s->report.data + s->report_parsed;
        char *eol = memchr(line, '\n', s->report.len - s->report_parsed);
        if (eol == NULL) {
            return;
        }
        int index;
        unsigned number;
        if (sscanf(line, "step %d %u", &index, &number) == 2) {
            s->last_index = index;
            s->last_line = number;
            if (config->on_step != NULL) {
                config->on_step(s->job, index, number, config->ctx);
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
        for (size_t start = 0, i = 0; i <= kept; i++) {
            if (i == kept || buf[i] == '\0') {
                sb_append(sb, buf + start, i - start);
                if (i < kept) {
                    sb_puts(sb, "\xE2\x90\x80");
                }
                start = i + 1;
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

static char *
copy(const char *text)
{
    return text ? strdup(text) : NULL;
}

/* The child is gone (status from waitpid) or was killed at its deadline. */
static void
finish(const worker_config *config, slot *s, int status, int timed_out)
{
    outcome o;
    memset(&o, 0, sizeof o);
    char *report = sb_finish(&s->report);
    int complete = report != NULL && worker_parse_report(report, &o);
    free(report);
    o.output = sb_finish(&s->output);
    o.seconds = now() - s->started;
    char message[256];
    if (timed_out) {
        o.verdict = RAW_TIMEOUT;
        snprintf(message, sizeof message, "killed after %.1f s (the scenario's deadline)",
                 o.seconds);
    }
    else if (complete && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        message[0] = '\0';
    }
    else if (WIFSIGNALED(status)) {
        o.verdict = RAW_CRASH;
        snprintf(message, sizeof message, "the implementation crashed: signal %d (%s)",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    }
    else {
        o.verdict = RAW_CRASH;
        snprintf(message, sizeof message, "the process exited with status %d %s",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                 complete ? "after its report" : "before completing its report");
    }
    if (message[0] != '\0') {
        /* Whatever the child said last is no verdict: where it was is. */
        free(o.message);
        o.message = copy(message);
        o.step_index = s->last_index;
        o.step_line = s->last_line;
    }
    s->pid = 0;
    config->on_done(s->job, &o, config->ctx);
    outcome_clear(&o);
}

static void
kill_all(slot *slots, int parallel)
{
    for (int i = 0; i < parallel; i++) {
        if (slots[i].pid > 0) {
            kill(slots[i].pid, SIGKILL);
            waitpid(slots[i].pid, NULL, 0);
            if (slots[i].report_fd >= 0) {
                close(slots[i].report_fd);
            }
            if (slots[i].output_fd >= 0) {
                close(slots[i].output_fd);
            }
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
wait_ready(const worker_config *config, struct pollfd *fds, nfds_t nfds, int timeout_ms)
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

int
worker_run(const worker_config *config, const job *jobs, size_t n_jobs)
{
    int parallel = config->parallel < 1 ? 1 : config->parallel > 64 ? 64 : config->parallel;
    worker_config cfg = *config;
    cfg.parallel = parallel;
    slot slots[64];
    memset(slots, 0, sizeof slots);
    size_t next = 0, running = 0;
    while (next < n_jobs || running > 0) {
        for (int i = 0; i < parallel && next < n_jobs; i++) {
            if (slots[i].pid == 0) {
                if (start(&cfg, jobs, next, slots, &slots[i]) < 0) {
                    fprintf(stderr, "interpcheck: cannot start a child: %s\n", strerror(errno));
                    kill_all(slots, parallel);
                    return -1;
                }
                next++;
                running++;
            }
        }
        struct pollfd fds[128];
        int owner[128];
        nfds_t nfds = 0;
        double wake = 1e300;
        for (int i = 0; i < parallel; i++) {
            if (slots[i].pid <= 0) {
                continue;
            }
            if (slots[i].deadline < wake) {
                wake = slots[i].deadline;
            }
            const int both[2] = {slots[i].report_fd, slots[i].output_fd};
            for (int k = 0; k < 2; k++) {
                if (both[k] >= 0) {
                    fds[nfds] = (struct pollfd){.fd = both[k], .events = POLLIN};
                    owner[nfds++] = i;
                }
            }
        }
        double wait = wake - now();
        int timeout = wait <= 0 ? 0 : wait > 3600 ? 3600000 : (int)(wait * 1000) + 1;
        int ready = nfds > 0 ? wait_ready(&cfg, fds, nfds, timeout) : 0;
        if (ready == INTERRUPTED) {
            fprintf(stderr, "interpcheck: interrupted\n");
            kill_all(slots, parallel);
            return -1;
        }
        for (nfds_t k = 0; ready > 0 && k < nfds; k++) {
            if (fds[k].revents == 0) {
                continue;
            }
            slot *s = &slots[owner[k]];
            if (fds[k].fd == s->report_fd) {
                drain(&s->report_fd, &s->report, (size_t)-1);
                scan_steps(&cfg, s);
            }
            else if (fds[k].fd == s->output_fd) {
                drain(&s->output_fd, &s->output, MAX_OUTPUT);
            }
        }
        for (int i = 0; i < parallel; i++) {
            slot *s = &slots[i];
            if (s->pid <= 0) {
                continue;
            }
            int status = 0;
            if (s->report_fd < 0 && s->output_fd < 0) {
                waitpid(s->pid, &status, 0);
                finish(&cfg, s, status, 0);
                running--;
            }
            else if (now() >= s->deadline) {
                kill(s->pid, SIGKILL);
                waitpid(s->pid, &status, 0);
                if (s->report_fd >= 0) {
                    close(s->report_fd);
                }
                if (s->output_fd >= 0) {
                    close(s->output_fd);
                }
                finish(&cfg, s, status, 1);
                running--;
            }
        }
    }
    return 0;
}
