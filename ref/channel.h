/*
 * channel.h: the channel core: FIFO queues of opaque items, blocked receivers,
 * senders waiting for receipt, and the lifetime of each channel.
 *
 * Plain C, no Python: items are opaque pointers with their own free function
 * (interpref stores serialized objects in them, see shareable.h), and callers
 * release the GIL around channel_wait().  State lives under registry_lock().
 *
 * Lifetime (SPEC LIFE-CH-*): a channel is created with one reference on each
 * end, held by the creating interpreter.  RecvChannel/SendChannel objects hold
 * one reference each on their end, recorded per interpreter.  The channel and
 * its queued items are destroyed when no reference on either end is left.
 * Losing every reference on ONE end changes nothing else: blocked receivers
 * and senders keep waiting (SPEC CH-RECV-5/6, CH-SEND-6/7), since an end built
 * later from the channel's id can still send or receive.  A blocked call holds
 * a reference itself (through the end object it was called on), so a channel
 * with waiters is never destroyed.
 *
 * Waiting: each blocked caller owns a waiter with a POSIX semaphore.  The
 * party that completes the wait posts it while holding the lock.  A semaphore
 * rather than a condition variable because sem_wait() returns EINTR when a
 * signal arrives, which lets a blocked main thread run Python's signal
 * handlers (Ctrl-C) without polling; pthread_cond_wait() never returns EINTR.
 */
#ifndef INTERPREF_CHANNEL_H
#define INTERPREF_CHANNEL_H

#include <semaphore.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { CH_RECV = 0, CH_SEND = 1 } ch_end;

typedef enum {
    CH_OK = 0,
    CH_NOT_FOUND, /* no such channel */
    CH_EMPTY,     /* recv_nowait: nothing queued */
    CH_NO_MEMORY,
    CH_HANDED,      /* send: given straight to a blocked receiver */
    CH_WAITING,     /* the caller must now channel_wait() */
    CH_INTERRUPTED, /* channel_wait(): a signal arrived; still waiting */
} ch_status;

typedef void (*ch_free_fn)(void *data);

typedef struct channel channel;
typedef struct ch_item ch_item;

/* A blocked call.  Lives on the caller's stack; only touched under the lock. */
typedef struct ch_waiter {
    struct ch_waiter *next;
    sem_t sem;
    int state;   /* private: idle, waiting, paused or done */
    int sending; /* a sender waiting for receipt, else a receiver */
    channel *ch;
    ch_item *item;   /* send: our queued item; recv: the item handed over */
    void *data;      /* recv, after CH_OK: the received data and ... */
    ch_free_fn free; /* ... how to free it */
} ch_waiter;

/* Create a channel; the creator holds one reference on each end. */
ch_status channel_create(int64_t interp, int64_t *id, channel **ch);

/* Take a reference on one end of channel `id` for interpreter `interp`. */
ch_status channel_acquire(int64_t id, ch_end end, int64_t interp, channel **ch);
void channel_release(channel *ch, ch_end end, int64_t interp);

/*
 * Send `data`.  Without a waiter: never blocks; CH_HANDED if a blocked
 * receiver took it, CH_OK if it was queued.  With a waiter: CH_WAITING (the
 * item is queued or handed to a blocked receiver; channel_wait() returns
 * once a receiver has returned it), whether or not a receive end exists.
 * Only on CH_NO_MEMORY does the caller still own `data`.
 */
ch_status channel_send(channel *ch, void *data, ch_free_fn free, ch_waiter *w);

/*
 * Receive.  Without a waiter: CH_OK with *data and *free set, or CH_EMPTY.
 * With a waiter: CH_OK, or CH_WAITING (then channel_wait(); on CH_OK the item
 * is in w->data / w->free), whether or not a send end exists.  The caller
 * owns what it receives.
 */
ch_status channel_recv(channel *ch, ch_waiter *w, void **data, ch_free_fn *free);

/*
 * Block until the wait completes: CH_OK (received / item delivered), or
 * CH_INTERRUPTED (a signal: the wait is still registered; wait again or
 * cancel).  Call without holding the GIL.
 */
ch_status channel_wait(ch_waiter *w);

/*
 * Abandon a registered wait.  A sender's still-queued item is withdrawn and
 * freed; an item handed to a receiver that has not returned it yet goes back
 * to the head of the queue (receiver cancelling) or stays with that receiver
 * (sender cancelling).  Returns CH_OK if the sender's item was withdrawn,
 * CH_HANDED if it had been, or is being, received.
 */
ch_status channel_cancel(ch_waiter *w);

/*
 * A wait returned CH_INTERRUPTED and the caller is about to run signal
 * handlers.  A receiver is taken off the list of blocked receivers, so that
 * no sender hands it an object (and send_nowait() returns True) while it may
 * be about to raise: CH_INTERRUPTED.  If the wait completed meanwhile, CH_OK:
 * channel_wait() again returns the result at once, and the signal is left
 * for the interpreter to handle after the call.  A sender stays queued.
 */
ch_status channel_pause(ch_waiter *w);

/* The handlers did not raise: wait again (channel_wait() next). */
void channel_resume(ch_waiter *w);

/* Ids of all existing channels, ascending; free with ref_free(). */
ch_status channel_list(int64_t **ids, size_t *count);

/* Number of queued items (for tests and introspection). */
size_t channel_queued(channel *ch);

/*
 * After destroying `interp`: drop whatever references it still held, which
 * destroys the channels only it referred to, queued items and all (SPEC
 * LIFE-CH-2, LIFE-INTERP-2).
 */
void channel_forget_interp(int64_t interp);

/* Destroy every channel (process exit, and between unit tests). */
void channel_reset(void);

#endif /* INTERPREF_CHANNEL_H */
