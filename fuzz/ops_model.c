/*
 * ops_model.c: the fixed values and the SPEC model's state rules (see
 * ops_model.h; decoding is in ops_decode.c).  Plain C, no Python, no global state besides the
 * constant tables.
 */
#include "ops_model.h"

#include <string.h>

/* SPEC SHARE-1/SHARE-2: exact NoneType, int, bytes, str are shareable. */
const ops_value_def ops_values[OPS_FIXED_VALUES] = {
    {"None", 1, 0},
    {"0", 1, 0},
    {"1", 1, 0},
    {"-1", 1, 0},
    {"2**63 - 1", 1, 0},
    {"-2**63", 1, 0},
    {"2**63", 1, 1},
    {"-2**63 - 1", 1, 1},
    {"2**64", 1, 1},
    {"2**1000", 1, 1},
    {"-2**1000", 1, 1},
    {"b''", 1, 0},
    {"b'spam'", 1, 0},
    {"bytes(range(256))", 1, 0},
    {"b'\\x00' * 1000", 1, 0},
    {"''", 1, 0},
    {"'spam'", 1, 0},
    {"'h\\xe9llo \\u20ac \\U0001f600'", 1, 0},
    {"'\\ud800'", 1, 0},
    {"'x' * 10000", 1, 0},
    {"True", 0, 0},
    {"1.5", 0, 0},
    {"()", 0, 0},
    {"[1]", 0, 0},
    {"bytearray(b'x')", 0, 0},
    {"object()", 0, 0},
};

void
ops_model_init(ops_model *m)
{
    memset(m, 0, sizeof *m);
    for (int j = 0; j < OPS_SUBS; j++) {
        m->subs[j].bind[0] = m->subs[j].bind[1] = -1;
    }
    for (int k = 0; k < OPS_SLOTS; k++) {
        m->slots[k].rec = -1;
    }
}

int
ops_model_refs(const ops_model *m, int rec, int end)
{
    int refs = 0;
    for (int k = 0; k < OPS_SLOTS; k++) {
        refs += m->slots[k].rec == rec && m->slots[k].held[end];
    }
    for (int j = 0; j < OPS_SUBS; j++) {
        refs += m->subs[j].state == M_ALIVE && m->subs[j].bind[end] == rec;
    }
    return refs;
}

int
ops_model_slot_exists(const ops_model *m, int k)
{
    int rec = m->slots[k].rec;
    return rec >= 0 && m->chans[rec].exists;
}

void
ops_model_collect(ops_model *m)
{
    for (int rec = 0; rec < m->nchans; rec++) {
        ops_chan *ch = &m->chans[rec];
        if (ch->exists && ops_model_refs(m, rec, M_RECV) + ops_model_refs(m, rec, M_SEND) == 0) {
            ch->exists = 0;
            ch->qlen = 0;
        }
    }
}

int
ops_model_sub_holds(const ops_model *m, int rec)
{
    for (int j = 0; j < OPS_SUBS; j++) {
        if (m->subs[j].state == M_ALIVE &&
            (m->subs[j].bind[M_RECV] == rec || m->subs[j].bind[M_SEND] == rec)) {
            return 1;
        }
    }
    return 0;
}

int
ops_model_rebuilt_matters(const ops_model *m, int rec)
{
    for (int k = 0; k < OPS_SLOTS; k++) {
        const ops_slot *s = &m->slots[k];
        if (s->rec == rec && ((s->held[0] && s->rebuilt[0]) || (s->held[1] && s->rebuilt[1]))) {
            return 1;
        }
    }
    return 0;
}

void
ops_model_push(ops_chan *ch, ops_item item)
{
    if (ch->qlen < OPS_QUEUE_MAX) {
        ch->queue[ch->qlen++] = item;
    }
}

ops_item
ops_model_pop(ops_chan *ch)
{
    ops_item head = ch->queue[0];
    memmove(&ch->queue[0], &ch->queue[1], (size_t)(ch->qlen - 1) * sizeof head);
    ch->qlen--;
    return head;
}
