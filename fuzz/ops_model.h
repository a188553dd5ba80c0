/*
 * ops_model.h: the op programs of the `ops` fuzz harness and an executable
 * model of conformance/SPEC.md to check them against.
 *
 * An input is decoded into a program of at most OPS_MAX_OPS operations on a
 * small fixed world: three subinterpreter slots, three channel slots (each
 * holding main's RecvChannel and SendChannel objects for one channel), and a
 * fixed table of values.  Every byte string decodes to a valid program (slot
 * and value numbers are taken modulo their ranges; missing argument bytes
 * read as 0), so the fuzzer never wastes inputs on syntax.
 *
 * The model is plain C, no Python: which interpreters are alive, which
 * channels exist, what each channel holds in which order, and which end
 * objects (in main's slots and bound as `channels` in subs) keep each channel
 * alive (SPEC LIFE-CH-*).  ops.c asks it what an operation must do, performs
 * the operation on the implementation, compares, then applies the effects.
 *
 * No global state: everything lives in an ops_model the caller owns.
 */
#ifndef INTERPCHECK_FUZZ_OPS_MODEL_H
#define INTERPCHECK_FUZZ_OPS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define OPS_MAX_OPS 48
#define OPS_SUBS 3         /* subinterpreter slots; slot OPS_SUBS means main */
#define OPS_SLOTS 3        /* channel slots in main */
#define OPS_MAX_CHANNELS 8 /* channels created per input */
#define OPS_QUEUE_MAX 12   /* items per channel (sends beyond are skipped) */

typedef enum {
    OP_CREATE,       /* a: sub slot, b: isolated (bit 0) */
    OP_CLOSE,        /* a: interpreter (sub slot, or main) */
    OP_RUN,          /* a: interpreter, b: snippet */
    OP_BIND,         /* a: sub slot, b: channel slot, c: which ends (bit 0 recv, bit 1 send) */
    OP_CHAN_CREATE,  /* a: channel slot */
    OP_DROP,         /* a: channel slot, b: end (0 recv, 1 send, 2 both) */
    OP_REBUILD,      /* a: channel slot, b: end: RecvChannel(id) / SendChannel(id) */
    OP_SEND_NOWAIT,  /* a: channel slot, b: value */
    OP_RECV_NOWAIT,  /* a: channel slot, b: bit 0: pass a default */
    OP_SUB_SEND,     /* a: sub slot, b: value: channels[1].send_nowait(v) in the sub */
    OP_SUB_RECV,     /* a: sub slot, b: bit 0 default: channels[0].recv_nowait() in the sub */
    OP_BLOCK_RECV,   /* a: channel slot, b: helper action, c: value: main blocks in recv() */
    OP_BLOCK_SEND,   /* a: channel slot, b: helper action, c: value: main blocks in send() */
    OP_IS_SHAREABLE, /* a: value */
    OP_LIST_ALL,
    OP_LIST_CHANNELS,
    OP_GET_CURRENT,
    OP_IS_RUNNING, /* a: interpreter */
    OP_MISC,       /* a: variant (ops_misc), b: sub slot, c: channel slot */
    OP_COUNT
} ops_kind;

typedef struct {
    ops_kind kind;
    uint8_t a, b, c;
} ops_op;

/* Decode up to `max` ops; returns how many. */
int ops_decode(const uint8_t *data, size_t size, ops_op *ops, int max);
/* Number of argument bytes of an op kind, and its name. */
int ops_arity(ops_kind kind);
const char *ops_name(ops_kind kind);

/* ---- values ------------------------------------------------------------ */

/* Fixed values, then the six "end" values: main's end d of channel slot k. */
#define OPS_FIXED_VALUES 26
#define OPS_VALUES (OPS_FIXED_VALUES + 2 * OPS_SLOTS)

typedef struct {
    const char *expr; /* Python expression, valid in main, in subs and in scenarios */
    int shareable;    /* SHARE-1 requires it (else SHARE-2: the implementation chooses) */
    int bigint;       /* an int outside int64 (CPython 3.11 cannot send those) */
} ops_value_def;

extern const ops_value_def ops_values[OPS_FIXED_VALUES];

static inline int
ops_value_index(uint8_t byte)
{
    return byte % OPS_VALUES;
}
static inline int
ops_value_is_end(int v)
{
    return v >= OPS_FIXED_VALUES;
}
static inline int
ops_value_end_slot(int v)
{
    return (v - OPS_FIXED_VALUES) / 2;
}
static inline int
ops_value_end_dir(int v)
{
    return (v - OPS_FIXED_VALUES) % 2;
}

/* ---- snippets run in subs (OP_RUN) --------------------------------------- */

typedef enum {
    SNIP_PASS,
    SNIP_ASSIGN,
    SNIP_RAISE,
    SNIP_SYNTAX,
    SNIP_EXIT,
    SNIP_CURRENT_ID, /* templated: the sub's own id */
    SNIP_UNBIND,     /* channels = None */
    SNIP_THREAD,     /* start and join a thread: refused in isolated subs */
    SNIP_LIST_ALL,   /* templated: the live ids */
    SNIP_MAIN_RUNNING,
    SNIP_CLOSE_CURRENT, /* close() of the current interpreter raises RuntimeError */
    SNIP_SHAREABLE,
    SNIP_COUNT
} ops_snippet;

/* ---- argument validation and handles (OP_MISC) ---------------------------- */

typedef enum {
    MISC_INTERP_NEGATIVE,    /* Interpreter(-1): IMPL ValueError, or use fails (INTERP-OBJ-3) */
    MISC_INTERP_STR,         /* Interpreter('1'): TypeError (INTERP-OBJ-2) */
    MISC_RECV_NEGATIVE,      /* RecvChannel(-1): IMPL ValueError, or use fails (CH-END-3) */
    MISC_SEND_FLOAT,         /* SendChannel(1.0): TypeError (CH-END-2) */
    MISC_INTERP_IDENTITY,    /* Interpreter(id) == handle, equal hashes (INTERP-OBJ-8, -10) */
    MISC_END_IDENTITY,       /* RecvChannel(n) vs SendChannel(n) (CH-END-8, CH-END-10) */
    MISC_RUN_BYTES,          /* run(b'pass'): TypeError (INTERP-RUN-7) */
    MISC_RUN_LIST,           /* run('pass', channels=[r, s]): TypeError (INTERP-CHAN-6) */
    MISC_RUN_SWAPPED,        /* run('pass', channels=(s, r)): ValueError (INTERP-CHAN-7) */
    MISC_CREATE_CHANNEL_ARG, /* create_channel(1): TypeError (ARG-1) */
    MISC_SEND_NO_ARG,        /* send_nowait(): TypeError (ARG-3) */
    MISC_RECV_TWO_ARGS,      /* recv_nowait(1, 2): TypeError (ARG-4) */
    MISC_IS_RUNNING_ARG,     /* is_running(1): TypeError (ARG-2) */
    MISC_INTERP_HUGE,        /* Interpreter(2**70): IMPL (INTERP-OBJ-5) */
    MISC_LOWLEVEL,           /* CPython 3.13+: a low-level module call with bad arguments */
    MISC_COUNT
} ops_misc;

/* ---- the model --------------------------------------------------------- */

enum { M_EMPTY = 0, M_ALIVE, M_CLOSED };
enum { M_RECV = 0, M_SEND = 1 };

typedef struct {
    int value;   /* fixed value index, or -1 for an end */
    int end_rec; /* end: the channel record it names */
    int end_dir; /* end: M_RECV or M_SEND */
} ops_item;

typedef struct {
    int64_t id;
    int exists;
    ops_item queue[OPS_QUEUE_MAX];
    int qlen;
    int end_queued; /* an end of this channel was queued in this input (LIFE-CH-5) */
} ops_chan;

typedef struct {
    int state; /* M_EMPTY, M_ALIVE, M_CLOSED */
    int64_t id;
    int isolated;
    int bind[2]; /* channel record of the end bound in `channels`, or -1 */
} ops_sub;

typedef struct {
    int rec;        /* channel record, or -1: the slot never had a channel */
    int held[2];    /* main holds an end object of this end */
    int rebuilt[2]; /* ... built from the id (SPEC LIFE-CH-3) */
} ops_slot;

typedef struct {
    ops_sub subs[OPS_SUBS];
    ops_slot slots[OPS_SLOTS];
    ops_chan chans[OPS_MAX_CHANNELS];
    int nchans;
    int creates; /* interpreters created by this input */
} ops_model;

void ops_model_init(ops_model *m);

/* End objects of `end` of record `rec` alive anywhere (main slots, live subs). */
int ops_model_refs(const ops_model *m, int rec, int end);
/* The channel of slot k exists (the slot has a record and it exists). */
int ops_model_slot_exists(const ops_model *m, int k);
/*
 * Destroy every channel whose last end object is gone, queued items and all
 * (SPEC LIFE-CH-2): after a drop, and after close() of a sub (LIFE-INTERP-2).
 * Losing the last end of one side only changes nothing: blocked calls keep
 * waiting (CH-RECV-6, CH-SEND-7).
 */
void ops_model_collect(ops_model *m);
/* Does some live sub bind an end of record `rec`?  (For attributing
 * lifetime differences to SPEC LIFE-CH-4.) */
int ops_model_sub_holds(const ops_model *m, int rec);
/* Is the record kept alive only through rebuilt ends (LIFE-CH-3)? */
int ops_model_rebuilt_matters(const ops_model *m, int rec);

void ops_model_push(ops_chan *ch, ops_item item);
ops_item ops_model_pop(ops_chan *ch);

#endif /* INTERPCHECK_FUZZ_OPS_MODEL_H */
