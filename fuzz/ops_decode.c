/*
 * ops_decode.c: the `ops` input as a program (ops_model.h: every byte
 * string decodes to a valid one) and the program as text, for OPS_PRINT and
 * findings.
 *
 * No global state besides the constant table.
 */
#include "ops.h"

#include <string.h>

static const struct {
    const char *name;
    int arity;
} op_table[OP_COUNT] = {
    [OP_CREATE] = {"create", 2},
    [OP_CLOSE] = {"close", 1},
    [OP_RUN] = {"run", 2},
    [OP_BIND] = {"bind", 3},
    [OP_CHAN_CREATE] = {"create_channel", 1},
    [OP_DROP] = {"drop_end", 2},
    [OP_REBUILD] = {"rebuild_end", 2},
    [OP_SEND_NOWAIT] = {"send_nowait", 2},
    [OP_RECV_NOWAIT] = {"recv_nowait", 2},
    [OP_SUB_SEND] = {"sub_send_nowait", 2},
    [OP_SUB_RECV] = {"sub_recv_nowait", 2},
    [OP_BLOCK_RECV] = {"blocking_recv", 3},
    [OP_BLOCK_SEND] = {"blocking_send", 3},
    [OP_IS_SHAREABLE] = {"is_shareable", 1},
    [OP_LIST_ALL] = {"list_all", 0},
    [OP_LIST_CHANNELS] = {"list_all_channels", 0},
    [OP_GET_CURRENT] = {"get_current", 0},
    [OP_IS_RUNNING] = {"is_running", 1},
    [OP_MISC] = {"misc", 3},
};

int
ops_arity(ops_kind kind)
{
    return kind < OP_COUNT ? op_table[kind].arity : 0;
}

const char *
ops_name(ops_kind kind)
{
    return kind < OP_COUNT ? op_table[kind].name : "?";
}

int
ops_decode(const uint8_t *data, size_t size, ops_op *ops, int max)
{
    size_t pos = 0;
    int n = 0;
    while (pos < size && n < max) {
        ops_op op;
        op.kind = (ops_kind)(data[pos++] % OP_COUNT);
        uint8_t args[3] = {0, 0, 0};
        for (int i = 0; i < op_table[op.kind].arity; i++) {
            args[i] = pos < size ? data[pos++] : 0;
        }
        op.a = args[0];
        op.b = args[1];
        op.c = args[2];
        ops[n++] = op;
    }
    return n;
}

/* ---- the program as text ------------------------------------------------------ */

static void
print_op(FILE *f, int i)
{
    const ops_op *op = &prog[i];
    fprintf(f, "  %2d %-18s", i, ops_name(op->kind));
    int arity = ops_arity(op->kind);
    uint8_t args[3] = {op->a, op->b, op->c};
    for (int k = 0; k < arity; k++) {
        fprintf(f, " %3u", args[k]);
    }
    switch (op->kind) {
    case OP_SEND_NOWAIT:
    case OP_SUB_SEND:
    case OP_IS_SHAREABLE: {
        int v = ops_value_index(op->kind == OP_IS_SHAREABLE ? op->a : op->b);
        if (ops_value_is_end(v)) {
            fprintf(f, "   (%s%d)", ops_value_end_dir(v) ? "s" : "r", ops_value_end_slot(v));
        }
        else {
            fprintf(f, "   (%s)", ops_values[v].expr);
        }
        break;
    }
    default:
        break;
    }
    fprintf(f, "%s\n", i == cur_op ? "   <== here" : "");
}

void
print_program(FILE *f)
{
    fprintf(f, "ops program (%d ops, impl %s, create/close %s):\n", nprog,
            cpython_mode ? "cpython" : "interpref",
            lifecycle_on ? "on" : "off (OPS_LIFECYCLE: not this input's turn)");
    for (int i = 0; i < nprog; i++) {
        print_op(f, i);
    }
}
