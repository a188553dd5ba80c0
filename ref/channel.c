/*
 * channel.c: the channel core (see channel.h for the model).
 *
 * Invariant that keeps FIFO order simple: receivers are registered as blocked
 * only while the queue is empty, and a sender that finds a blocked receiver
 * hands its item straight to the oldest one instead of queueing it.  So at
 * any moment either the queue or the list of blocked receivers is empty.
 *
 * Everything here runs under registry_lock(), except the sem_wait() itself.
 */
#include "channel.h"

#include <errno.h>

#include "alloc.h"
#include "registry.h"

/* PAUSED: a receiver interrupted by a signal, off the list while Python's
 * handlers run, so that nothing is handed to a call that may not return. */
enum { W_IDLE = 0, W_WAITING, W_DONE, W_PAUSED };

struct ch_item {
    ch_item *next;
    void *data;
    ch_free_fn free;
    ch_waiter *sender; /* a send() waiting for this item's receipt */
};

/* How many references one interpreter holds on each end. */
typedef struct {
    int64_t interp;
    long refs[2];
} ch_holder;

struct channel {
    channel *next; /* the global list, ascending id */
    int64_t id;
    long refs[2]; /* indexed by ch_end, summed over holders */
    ch_holder *holders;
    size_t nholders, holders_cap;
    ch_item *head, *tail;
    size_t count;
    ch_waiter *recv_head, *recv_tail; /* blocked receivers, oldest first */
};

static channel *channels_head, *channels_tail;
static int64_t next_channel_id;

/* ---- small helpers, lock held ------------------------------------------ */

static void
free_item(ch_item *item)
{
    if (item->free != NULL) {
        item->free(item->data);
    }
    ref_free(item);
}

static ch_holder *
find_holder(channel *ch, int64_t interp)
{
    for (size_t i = 0; i < ch->nholders; i++) {
        if (ch->holders[i].interp == interp) {
            return &ch->holders[i];
        }
    }
    return NULL;
}

static ch_holder *
add_holder(channel *ch, int64_t interp)
{
    ch_holder *h = find_holder(ch, interp);
    if (h != NULL) {
        return h;
    }
    if (ch->nholders == ch->holders_cap) {
        size_t newcap = ch->holders_cap ? ch->holders_cap * 2 : 2;
        ch_holder *grown = ref_realloc(ch->holders, newcap * sizeof *grown);
        if (grown == NULL) {
            return NULL;
        }
        ch->holders = grown;
        ch->holders_cap = newcap;
    }
    h = &ch->holders[ch->nholders++];
    *h = (ch_holder){.interp = interp};
    return h;
}

static void
remove_holder(channel *ch, ch_holder *h)
{
    *h = ch->holders[--ch->nholders];
}

/* The wait is over: the item was handed over, or (sender) received. */
static void
wake(ch_waiter *w)
{
    w->state = W_DONE;
    sem_post(&w->sem);
}

static void
start_waiting(ch_waiter *w, channel *ch, int sending)
{
    w->next = NULL;
    w->state = W_WAITING;
    w->sending = sending;
    w->ch = ch;
    w->item = NULL;
    w->data = NULL;
    w->free = NULL;
    sem_init(&w->sem, 0, 0);
}

/* Put `w` last in the list of blocked receivers.  The same steps as the
 * tail append in deliver(), kept apart on purpose: this list has its own
 * node type and head/tail, and C has no generic list. */
static void
append_receiver(channel *ch, ch_waiter *w)
{
    w->next = NULL;
    if (ch->recv_tail != NULL) {
        ch->recv_tail->next = w;
    }
    else {
        ch->recv_head = w;
    }
    ch->recv_tail = w;
}

/* Queue `item` at the tail (or head), or hand it to the oldest blocked receiver. */
static int
deliver(channel *ch, ch_item *item, int at_head)
{
    ch_waiter *r = ch->recv_head;
    if (r != NULL) {
        ch->recv_head = r->next;
        if (ch->recv_head == NULL) {
            ch->recv_tail = NULL;
        }
        r->item = item;
        wake(r);
        return 1;
    }
    if (at_head) {
        item->next = ch->head;
        ch->head = item;
        if (ch->tail == NULL) {
            ch->tail = item;
        }
    }
    else {
        item->next = NULL;
        if (ch->tail != NULL) {
            ch->tail->next = item;
        }
        else {
            ch->head = item;
        }
        ch->tail = item;
    }
    ch->count++;
    return 0;
}

static void
unlink_item(channel *ch, ch_item *item)
{
    ch_item **link = &ch->head, *prev = NULL;
    while (*link != item) {
        prev = *link;
        link = &(*link)->next;
    }
    *link = item->next;
    if (ch->tail == item) {
        ch->tail = prev;
    }
    ch->count--;
}

static int
in_queue(const channel *ch, const ch_item *item)
{
    for (ch_item *it = ch->head; it != NULL; it = it->next) {
        if (it == item) {
            return 1;
        }
    }
    return 0;
}

static ch_item *
pop_item(channel *ch)
{
    ch_item *item = ch->head;
    ch->head = item->next;
    if (ch->head == NULL) {
        ch->tail = NULL;
    }
    ch->count--;
    return item;
}

static void
destroy(channel *ch)
{
    channel **link = &channels_head, *prev = NULL;
    while (*link != ch) {
        prev = *link;
        link = &(*link)->next;
    }
    *link = ch->next;
    if (channels_tail == ch) {
        channels_tail = prev;
    }
    while (ch->head != NULL) {
        free_item(pop_item(ch));
    }
    ref_free(ch->holders);
    ref_free(ch);
}

/*
 * Drop references; with none left on either end, destroy the channel.  No
 * waiter can be left then: each blocked call holds a reference.  When only
 * one end has none left, waiters stay as they are (see channel.h).
 */
static void
drop_refs(channel *ch, long recv, long send)
{
    ch->refs[CH_RECV] -= recv;
    ch->refs[CH_SEND] -= send;
    if (ch->refs[CH_RECV] == 0 && ch->refs[CH_SEND] == 0) {
        destroy(ch);
    }
}

static channel *
find_channel(int64_t id)
{
    for (channel *ch = channels_head; ch != NULL; ch = ch->next) {
        if (ch->id == id) {
            return ch;
        }
        if (ch->id > id) {
            break;
        }
    }
    return NULL;
}

/* ---- lifetime ---------------------------------------------------------- */

ch_status
channel_create(int64_t interp, int64_t *id, channel **out)
{
    channel *ch = ref_calloc(1, sizeof *ch);
    if (ch == NULL) {
        return CH_NO_MEMORY;
    }
    registry_lock();
    ch_holder *h = add_holder(ch, interp);
    if (h == NULL) {
        registry_unlock();
        ref_free(ch);
        return CH_NO_MEMORY;
    }
    h->refs[CH_RECV] = h->refs[CH_SEND] = 1;
    ch->refs[CH_RECV] = ch->refs[CH_SEND] = 1;
    ch->id = next_channel_id++;
    if (channels_tail != NULL) {
        channels_tail->next = ch;
    }
    else {
        channels_head = ch;
    }
    channels_tail = ch;
    *id = ch->id;
    *out = ch;
    registry_unlock();
    return CH_OK;
}

ch_status
channel_acquire(int64_t id, ch_end end, int64_t interp, channel **out)
{
    ch_status status = CH_OK;
    registry_lock();
    channel *ch = find_channel(id);
    if (ch == NULL) {
        status = CH_NOT_FOUND;
    }
    else {
        ch_holder *h = add_holder(ch, interp);
        if (h == NULL) {
            status = CH_NO_MEMORY;
        }
        else {
            h->refs[end]++;
            ch->refs[end]++;
            *out = ch;
        }
    }
    registry_unlock();
    return status;
}

void
channel_release(channel *ch, ch_end end, int64_t interp)
{
    registry_lock();
    ch_holder *h = find_holder(ch, interp);
    if (h != NULL) {
        /* No holder means channel_forget_interp() already dropped it. */
        h->refs[end]--;
        if (h->refs[CH_RECV] == 0 && h->refs[CH_SEND] == 0) {
            remove_holder(ch, h);
        }
        drop_refs(ch, end == CH_RECV, end == CH_SEND);
    }
    registry_unlock();
}

/* ---- send and receive -------------------------------------------------- */

ch_status
channel_send(channel *ch, void *data, ch_free_fn free, ch_waiter *w)
{
    ch_item *item = ref_malloc(sizeof *item);
    if (item == NULL) {
        return CH_NO_MEMORY;
    }
    *item = (ch_item){.data = data, .free = free};
    registry_lock();
    ch_status status;
    if (w != NULL) {
        /* Even when a receiver takes it at once, send() waits until the
         * receiver has returned it: a receiver interrupted by a signal puts
         * it back, and then it has not been received.  With no receive end
         * at all it waits too: RecvChannel(id) may be built later. */
        start_waiting(w, ch, 1);
        w->item = item;
        item->sender = w;
        deliver(ch, item, 0);
        status = CH_WAITING;
    }
    else {
        status = deliver(ch, item, 0) ? CH_HANDED : CH_OK;
    }
    registry_unlock();
    return status;
}

ch_status
channel_recv(channel *ch, ch_waiter *w, void **data, ch_free_fn *free)
{
    ch_status status;
    ch_item *item = NULL;
    registry_lock();
    if (ch->head != NULL) {
        item = pop_item(ch);
        if (item->sender != NULL) {
            item->sender->item = NULL;
            wake(item->sender);
        }
        status = CH_OK;
    }
    else if (w == NULL) {
        status = CH_EMPTY;
    }
    else {
        /* Even with no send end left: SendChannel(id) may be built later. */
        start_waiting(w, ch, 0);
        append_receiver(ch, w);
        status = CH_WAITING;
    }
    registry_unlock();
    if (item != NULL) {
        *data = item->data;
        *free = item->free;
        ref_free(item);
    }
    return status;
}

ch_status
channel_wait(ch_waiter *w)
{
    while (sem_wait(&w->sem) != 0) {
        if (errno == EINTR) {
            return CH_INTERRUPTED;
        }
    }
    registry_lock();
    ch_item *item = w->sending ? NULL : w->item;
    if (item != NULL && item->sender != NULL) {
        /* Received now, so the send() waiting for it may return. */
        item->sender->item = NULL;
        wake(item->sender);
        item->sender = NULL;
    }
    w->state = W_IDLE;
    w->item = NULL;
    sem_destroy(&w->sem);
    registry_unlock();
    if (item != NULL) {
        w->data = item->data;
        w->free = item->free;
        ref_free(item);
    }
    return CH_OK;
}

/* The walk of unlink_item() again, kept apart on purpose for the same
 * reason as append_receiver(): another list, another node type. */
static void
unlink_receiver(channel *ch, ch_waiter *w)
{
    ch_waiter **link = &ch->recv_head, *prev = NULL;
    while (*link != w) {
        prev = *link;
        link = &(*link)->next;
    }
    *link = w->next;
    if (ch->recv_tail == w) {
        ch->recv_tail = prev;
    }
}

ch_status
channel_pause(ch_waiter *w)
{
    ch_status status = CH_OK;
    registry_lock();
    if (w->state == W_WAITING && !w->sending) {
        unlink_receiver(w->ch, w);
        w->state = W_PAUSED;
        status = CH_INTERRUPTED;
    }
    else if (w->state == W_WAITING) {
        status = CH_INTERRUPTED; /* a sender keeps its place in the queue */
    }
    registry_unlock();
    return status;
}

void
channel_resume(ch_waiter *w)
{
    registry_lock();
    channel *ch = w->ch;
    if (w->state == W_PAUSED) {
        if (ch->head != NULL) {
            w->item = pop_item(ch);
            wake(w);
        }
        else {
            w->state = W_WAITING;
            append_receiver(ch, w);
        }
    }
    registry_unlock();
}

ch_status
channel_cancel(ch_waiter *w)
{
    ch_status status = CH_OK;
    registry_lock();
    channel *ch = w->ch;
    if (w->state == W_WAITING) {
        if (w->sending && in_queue(ch, w->item)) {
            unlink_item(ch, w->item);
            free_item(w->item);
        }
        else if (w->sending) {
            /* Handed to a blocked receiver, which is returning it right now. */
            w->item->sender = NULL;
            status = CH_HANDED;
        }
        else {
            unlink_receiver(ch, w);
        }
    }
    else if (w->state == W_DONE) {
        if (w->sending) {
            status = CH_HANDED;
        }
        else {
            /* Handed to us, never returned: the oldest item, so back to the head. */
            deliver(ch, w->item, 1);
        }
    }
    w->state = W_IDLE;
    w->item = NULL;
    sem_destroy(&w->sem);
    registry_unlock();
    return status;
}

/* ---- introspection and interpreter teardown ---------------------------- */

ch_status
channel_list(int64_t **ids, size_t *count)
{
    registry_lock();
    size_t n = 0;
    for (channel *ch = channels_head; ch != NULL; ch = ch->next) {
        n++;
    }
    int64_t *copy = ref_malloc(n * sizeof *copy);
    if (copy == NULL) {
        registry_unlock();
        return CH_NO_MEMORY;
    }
    size_t i = 0;
    for (channel *ch = channels_head; ch != NULL; ch = ch->next) {
        copy[i++] = ch->id;
    }
    registry_unlock();
    *ids = copy;
    *count = n;
    return CH_OK;
}

size_t
channel_queued(channel *ch)
{
    registry_lock();
    size_t n = ch->count;
    registry_unlock();
    return n;
}

void
channel_forget_interp(int64_t interp)
{
    registry_lock();
    channel *ch = channels_head;
    while (ch != NULL) {
        channel *next = ch->next;
        ch_holder *h = find_holder(ch, interp);
        if (h != NULL) {
            long recv = h->refs[CH_RECV], send = h->refs[CH_SEND];
            remove_holder(ch, h);
            drop_refs(ch, recv, send);
        }
        ch = next;
    }
    registry_unlock();
}

void
channel_reset(void)
{
    registry_lock();
    while (channels_head != NULL) {
        destroy(channels_head);
    }
    registry_unlock();
}
