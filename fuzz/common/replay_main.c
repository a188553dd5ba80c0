/*
 * replay_main.c: a main() for fuzz harnesses built without a fuzzing engine.
 *
 *     fuzz_<harness>_replay [-q] PATH...
 *
 * Feeds every file named on the command line, and every regular file below
 * every directory named there (recursively, in sorted order, hidden files
 * skipped), to LLVMFuzzerTestOneInput(), once each, after calling
 * LLVMFuzzerInitialize() if the harness defines it.  A harness reports a
 * finding by aborting, so the replay fails exactly when some stored input
 * still finds something: the `corpus-replay` CTest label runs this over the
 * committed corpora in every build tree (release, asan, coverage), where
 * neither libFuzzer nor AFL++ is linked.
 *
 * Exit status: 0 when every input ran (the harness returned), 2 for a usage
 * or I/O error.  Prints one line per input with -v, else a summary.
 *
 * No global state besides the options; every buffer is freed before exit.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int verbose;
static unsigned long n_inputs;
static unsigned long long n_bytes;

static int
read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap) {
            break;
        }
        uint8_t *grown = realloc(buf, cap * 2);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int failed = buf == NULL || ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        return -1;
    }
    *data = buf;
    *size = len;
    return 0;
}

static int
run_file(const char *path)
{
    uint8_t *data;
    size_t size;
    if (read_file(path, &data, &size) < 0) {
        return -1;
    }
    if (verbose) {
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    }
    /* An exact-size copy, so ASan catches reads past the end of the input. */
    uint8_t *exact = malloc(size ? size : 1);
    if (exact == NULL) {
        free(data);
        return -1;
    }
    memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    n_inputs++;
    n_bytes += size;
    return 0;
}

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path);

static int
run_dir(const char *path)
{
    DIR *dir = opendir(path);
    if (dir == NULL) {
        fprintf(stderr, "replay: cannot open directory %s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int result = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (grown == NULL) {
                result = -1;
                break;
            }
            names = grown;
        }
        size_t len = strlen(path) + strlen(entry->d_name) + 2;
        names[n] = malloc(len);
        if (names[n] == NULL) {
            result = -1;
            break;
        }
        snprintf(names[n], len, "%s/%s", path, entry->d_name);
        n++;
    }
    closedir(dir);
    if (result == 0 && n > 0) {
        qsort(names, n, sizeof *names, compare_names);
    }
    for (size_t i = 0; i < n; i++) {
        if (result == 0 && run_path(names[i]) < 0) {
            result = -1;
        }
        free(names[i]);
    }
    free(names);
    return result;
}

static int
run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        return run_dir(path);
    }
    if (S_ISREG(st.st_mode)) {
        return run_file(path);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        verbose = 1;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-v] FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize != NULL) {
        LLVMFuzzerInitialize(&argc, &argv);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = first; i < argc; i++) {
        if (run_path(argv[i]) < 0) {
            return 2;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "replay: %lu inputs (%llu bytes) in %.2f s, no finding\n", n_inputs, n_bytes,
            seconds);
    return 0;
}
