/*
 * test_channel.c: the channel core (channel.h) without Python: FIFO order,
 * hand-off to blocked receivers, senders waiting for receipt, waiting on
 * when the other side has no end (or loses its last one), cancellation,
 * lifetimes, and out-of-memory paths.
 *
 * Items are small heap integers; free_counted() counts how many the channel
 * freed, so a test can tell "withdrawn" or "destroyed" from "lost".  Threads
 * report "I am registered as waiting" through a semaphore posted after
 * channel_send/recv returned CH_WAITING, so no test depends on timing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "alloc.h"
#include "channel.h"
#include "registry.h"

enum { MAIN = 0, SUB = 1 };

static int freed;

static void
free_counted(void *data)
{
    freed++;
    free(data);
}

static int *
item(int value)
{
    int *p = malloc(sizeof *p);
    *p = value;
    return p;
}

static int
take(void *data)
{
    int value = *(int *)data;
    free(data);
    return value;
}

static int
reset(void **unused)
{
    (void)unused;
    ref_alloc_fail_after(-1);
    channel_reset();
    freed = 0;
    return 0;
}

static channel *
new_channel(int64_t *id)
{
    channel *ch = NULL;
    int64_t ignored;
    assert_int_equal(channel_create(MAIN, id ? id : &ignored, &ch), CH_OK);
    return ch;
}

static int
recv_now(channel *ch)
{
    void *data = NULL;
    ch_free_fn fn = NULL;
    assert_int_equal(channel_recv(ch, NULL, &data, &fn), CH_OK);
    assert_ptr_equal(fn, free_counted);
    return take(data);
}

/* Receive on `ch` as `w`, which must register as waiting. */
static void
recv_blocked(channel *ch, ch_waiter *w)
{
    void *data;
    ch_free_fn fn;
    assert_int_equal(channel_recv(ch, w, &data, &fn), CH_WAITING);
}

/* Send a new item holding `value` without waiting; the status. */
static ch_status
send_value(channel *ch, int value)
{
    return channel_send(ch, item(value), free_counted, NULL);
}

/* Wait for `w`, which must end with an item: its value. */
static int
wait_received(ch_waiter *w)
{
    assert_int_equal(channel_wait(w), CH_OK);
    return take(w->data);
}

/* ---- single-threaded behaviour ----------------------------------------- */

/*
 * The tests below are alike in shape (a channel, a waiter or two, a few calls
 * and checks), and the duplicates tool pairs them by shape; they are kept
 * apart on purpose: each walks one scenario, so a failure names it.  The
 * steps they share are the helpers above.
 */

static void
test_ids_grow_and_list_ascending(void **unused)
{
    (void)unused;
    int64_t a, b, c;
    new_channel(&a);
    new_channel(&b);
    new_channel(&c);
    assert_true(a < b && b < c);
    int64_t *ids;
    size_t n;
    assert_int_equal(channel_list(&ids, &n), CH_OK);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], a);
    assert_int_equal(ids[2], c);
    ref_free(ids);
}

static void
test_fifo_and_empty(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    void *data;
    ch_free_fn fn;
    assert_int_equal(channel_recv(ch, NULL, &data, &fn), CH_EMPTY);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(channel_send(ch, item(i), free_counted, NULL), CH_OK);
    }
    assert_int_equal(channel_queued(ch), 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(recv_now(ch), i);
    }
    assert_int_equal(channel_recv(ch, NULL, &data, &fn), CH_EMPTY);
    assert_int_equal(freed, 0);
}

static void
test_acquire_unknown_and_destroy_with_items(void **unused)
{
    (void)unused;
    int64_t id;
    channel *ch = new_channel(&id), *again;
    assert_int_equal(channel_acquire(id + 100, CH_RECV, MAIN, &again), CH_NOT_FOUND);
    assert_int_equal(channel_acquire(id, CH_RECV, SUB, &again), CH_OK);
    assert_ptr_equal(again, ch);
    send_value(ch, 1);
    send_value(ch, 2);
    channel_release(ch, CH_RECV, MAIN);
    channel_release(ch, CH_SEND, MAIN);
    assert_int_equal(freed, 0); /* SUB still holds the receive end */
    assert_int_equal(recv_now(ch), 1);
    channel_release(ch, CH_RECV, SUB); /* last reference: destroyed */
    assert_int_equal(freed, 1);
    assert_int_equal(channel_acquire(id, CH_SEND, MAIN, &again), CH_NOT_FOUND);
}

static void
test_blocking_send_without_receivers_waits_for_a_later_one(void **unused)
{
    (void)unused;
    int64_t id;
    channel *ch = new_channel(&id), *later;
    channel_release(ch, CH_RECV, MAIN);
    ch_waiter w;
    assert_int_equal(channel_send(ch, item(9), free_counted, &w), CH_WAITING); /* queued */
    assert_int_equal(send_value(ch, 3), CH_OK);                                /* nowait too */
    assert_int_equal(channel_queued(ch), 2);
    /* A receive end made afterwards from the id takes it and releases the sender. */
    assert_int_equal(channel_acquire(id, CH_RECV, SUB, &later), CH_OK);
    assert_int_equal(recv_now(later), 9);
    assert_int_equal(channel_wait(&w), CH_OK);
    assert_int_equal(recv_now(later), 3);
    assert_int_equal(freed, 0);
}

static void
test_blocking_recv_without_senders_waits_for_a_later_one(void **unused)
{
    (void)unused;
    int64_t id;
    channel *ch = new_channel(&id), *later;
    send_value(ch, 4);
    channel_release(ch, CH_SEND, MAIN);
    ch_waiter w;
    void *data;
    ch_free_fn fn;
    assert_int_equal(channel_recv(ch, &w, &data, &fn), CH_OK); /* queued items still come */
    assert_int_equal(take(data), 4);
    recv_blocked(ch, &w);
    /* A send end made afterwards from the id hands it an object. */
    assert_int_equal(channel_acquire(id, CH_SEND, SUB, &later), CH_OK);
    assert_int_equal(send_value(later, 5), CH_HANDED);
    assert_int_equal(wait_received(&w), 5);
}

static void
test_handoff_to_registered_receiver_and_cancel_requeues_at_head(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter w;
    recv_blocked(ch, &w);
    assert_int_equal(send_value(ch, 1), CH_HANDED);
    assert_int_equal(send_value(ch, 2), CH_OK);
    assert_int_equal(channel_queued(ch), 1);
    /* The receiver gives up (a signal) without taking its item: it goes first again. */
    assert_int_equal(channel_cancel(&w), CH_OK);
    assert_int_equal(recv_now(ch), 1);
    assert_int_equal(recv_now(ch), 2);
    assert_int_equal(freed, 0);
}

static void
test_blocking_send_to_registered_receiver_waits_for_its_return(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter receiver, sender;
    recv_blocked(ch, &receiver);
    assert_int_equal(channel_send(ch, item(8), free_counted, &sender), CH_WAITING);
    /* The receiver is interrupted before returning it: back to the queue, not received. */
    assert_int_equal(channel_cancel(&receiver), CH_OK);
    assert_int_equal(channel_queued(ch), 1);
    assert_int_equal(recv_now(ch), 8);              /* now it is received... */
    assert_int_equal(channel_wait(&sender), CH_OK); /* ...and the sender released */
}

static void
test_blocking_send_released_when_receiver_returns_handed_item(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter receiver, sender;
    recv_blocked(ch, &receiver);
    assert_int_equal(channel_send(ch, item(9), free_counted, &sender), CH_WAITING);
    assert_int_equal(wait_received(&receiver), 9);
    assert_int_equal(channel_wait(&sender), CH_OK);
}

static void
test_sender_cancel_while_handed_lets_the_receiver_keep_it(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter receiver, sender;
    recv_blocked(ch, &receiver);
    assert_int_equal(channel_send(ch, item(6), free_counted, &sender), CH_WAITING);
    assert_int_equal(channel_cancel(&sender), CH_HANDED);
    assert_int_equal(wait_received(&receiver), 6);
    assert_int_equal(freed, 0);
}

static void
test_paused_receiver_takes_no_hand_off_and_resumes(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter w;
    recv_blocked(ch, &w);
    assert_int_equal(channel_pause(&w), CH_INTERRUPTED);
    /* While its signal handlers run, the receiver is not blocked: no hand-off. */
    assert_int_equal(send_value(ch, 3), CH_OK);
    channel_resume(&w); /* handlers did not raise */
    assert_int_equal(wait_received(&w), 3);
}

static void
test_pause_after_hand_off_completes_the_receive(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter w;
    recv_blocked(ch, &w);
    assert_int_equal(send_value(ch, 4), CH_HANDED);
    assert_int_equal(channel_pause(&w), CH_OK); /* too late to step aside */
    assert_int_equal(wait_received(&w), 4);
}

static void
test_paused_receiver_resumes_waiting_without_senders_or_cancels(void **unused)
{
    (void)unused;
    int64_t id;
    channel *ch = new_channel(&id), *later;
    ch_waiter w;
    recv_blocked(ch, &w);
    assert_int_equal(channel_pause(&w), CH_INTERRUPTED);
    channel_release(ch, CH_SEND, MAIN);
    channel_resume(&w); /* no send end left: it waits again all the same */
    assert_int_equal(channel_acquire(id, CH_SEND, SUB, &later), CH_OK);
    assert_int_equal(send_value(later, 7), CH_HANDED);
    assert_int_equal(wait_received(&w), 7);
    ch_waiter v;
    channel *other = new_channel(NULL);
    recv_blocked(other, &v);
    assert_int_equal(channel_pause(&v), CH_INTERRUPTED);
    assert_int_equal(channel_cancel(&v), CH_OK); /* handlers raised */
    assert_int_equal(send_value(other, 5), CH_OK);
    assert_int_equal(recv_now(other), 5);
}

static void
test_cancel_of_a_later_receiver_keeps_the_earlier_one_first(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter first, second, third;
    recv_blocked(ch, &first);
    recv_blocked(ch, &second);
    recv_blocked(ch, &third);
    /* The middle one gives up, then the last: the first is still served first. */
    assert_int_equal(channel_cancel(&second), CH_OK);
    assert_int_equal(channel_cancel(&third), CH_OK);
    assert_int_equal(send_value(ch, 1), CH_HANDED);
    assert_int_equal(send_value(ch, 2), CH_OK); /* nobody left */
    assert_int_equal(wait_received(&first), 1);
    assert_int_equal(recv_now(ch), 2);
}

static void
test_cancel_of_the_oldest_receiver_passes_its_turn_on(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter first, second;
    recv_blocked(ch, &first);
    recv_blocked(ch, &second);
    assert_int_equal(channel_cancel(&first), CH_OK);
    assert_int_equal(send_value(ch, 3), CH_HANDED);
    assert_int_equal(wait_received(&second), 3);
    /* The list of blocked receivers is empty again: the next item is queued. */
    assert_int_equal(send_value(ch, 4), CH_OK);
    assert_int_equal(recv_now(ch), 4);
}

static void
test_resumed_receiver_queues_behind_one_that_blocked_meanwhile(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter interrupted, later;
    recv_blocked(ch, &interrupted);
    assert_int_equal(channel_pause(&interrupted), CH_INTERRUPTED);
    /* While its handlers run, another receiver blocks: it is now the oldest. */
    recv_blocked(ch, &later);
    channel_resume(&interrupted);
    assert_int_equal(send_value(ch, 1), CH_HANDED);
    assert_int_equal(send_value(ch, 2), CH_HANDED);
    assert_int_equal(wait_received(&later), 1);
    assert_int_equal(wait_received(&interrupted), 2);
}

static void
test_cancelled_receiver_gets_nothing(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter w;
    recv_blocked(ch, &w);
    assert_int_equal(channel_cancel(&w), CH_OK);
    assert_int_equal(send_value(ch, 1), CH_OK); /* queued, not handed */
    assert_int_equal(recv_now(ch), 1);
}

static void
test_cancelled_sender_withdraws_its_item(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter w;
    send_value(ch, 1);
    assert_int_equal(channel_send(ch, item(2), free_counted, &w), CH_WAITING);
    send_value(ch, 3);
    assert_int_equal(channel_cancel(&w), CH_OK);
    assert_int_equal(freed, 1);
    assert_int_equal(recv_now(ch), 1);
    assert_int_equal(recv_now(ch), 3);
}

static void
test_sender_cancel_after_receipt_reports_received(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    ch_waiter w;
    assert_int_equal(channel_send(ch, item(5), free_counted, &w), CH_WAITING);
    assert_int_equal(recv_now(ch), 5);
    assert_int_equal(channel_cancel(&w), CH_HANDED);
    assert_int_equal(freed, 0);
}

static void
test_forget_interp_destroys_the_channels_only_it_held(void **unused)
{
    (void)unused;
    int64_t id, other_id, shared_id;
    channel *ch = new_channel(&id), *other = new_channel(&other_id), *sub_end;
    channel *shared = new_channel(&shared_id);
    send_value(ch, 1);
    send_value(shared, 2);
    assert_int_equal(channel_acquire(id, CH_RECV, SUB, &sub_end), CH_OK);
    assert_int_equal(channel_acquire(shared_id, CH_SEND, SUB, &sub_end), CH_OK);
    channel_release(ch, CH_RECV, MAIN);
    channel_release(ch, CH_SEND, MAIN);
    /* SUB is destroyed: the channel only it held goes, queued item and all;
     * the one MAIN holds an end of too stays, with its item. */
    channel_forget_interp(SUB);
    assert_int_equal(freed, 1);
    assert_int_equal(channel_queued(shared), 1);
    assert_int_equal(channel_acquire(id, CH_RECV, MAIN, &sub_end), CH_NOT_FOUND);
    /* Forgetting an interpreter that holds nothing leaves other channels alone. */
    channel_forget_interp(SUB);
    assert_int_equal(channel_acquire(other_id, CH_RECV, MAIN, &sub_end), CH_OK);
    (void)other;
}

static void
test_release_after_forget_interp_changes_nothing(void **unused)
{
    (void)unused;
    int64_t id;
    channel *ch = new_channel(&id), *sub_end;
    assert_int_equal(channel_acquire(id, CH_RECV, SUB, &sub_end), CH_OK);
    send_value(ch, 1);
    /* SUB was destroyed (its references dropped at once); its end object
     * is deallocated afterwards and releases a reference it no longer has. */
    channel_forget_interp(SUB);
    channel_release(sub_end, CH_RECV, SUB);
    /* MAIN's references are untouched: the channel and its item are there. */
    assert_int_equal(freed, 0);
    assert_int_equal(channel_queued(ch), 1);
    assert_int_equal(recv_now(ch), 1);
    channel_release(ch, CH_RECV, MAIN);
    channel_release(ch, CH_SEND, MAIN);
    assert_int_equal(channel_acquire(id, CH_RECV, MAIN, &sub_end), CH_NOT_FOUND);
}

static int static_item = 11;

static void
test_items_without_a_free_function_are_left_alone(void **unused)
{
    (void)unused;
    int64_t id;
    channel *ch = new_channel(&id);
    /* Data the channel does not own (no free function): destroying the
     * channel frees only its own record of the item. */
    assert_int_equal(channel_send(ch, &static_item, NULL, NULL), CH_OK);
    assert_int_equal(send_value(ch, 2), CH_OK);
    channel_release(ch, CH_RECV, MAIN);
    channel_release(ch, CH_SEND, MAIN);
    assert_int_equal(freed, 1);
    assert_int_equal(static_item, 11);
    channel *again;
    assert_int_equal(channel_acquire(id, CH_RECV, MAIN, &again), CH_NOT_FOUND);
}

static void
test_out_of_memory_paths(void **unused)
{
    (void)unused;
    int64_t id;
    channel *ch;
    ref_alloc_fail_after(0);
    assert_int_equal(channel_create(MAIN, &id, &ch), CH_NO_MEMORY);
    ref_alloc_fail_after(1); /* the channel, then its holder table fails */
    assert_int_equal(channel_create(MAIN, &id, &ch), CH_NO_MEMORY);
    ref_alloc_fail_after(-1);
    ch = new_channel(&id);
    channel *again;
    assert_int_equal(channel_acquire(id, CH_RECV, SUB, &again), CH_OK); /* fits: no growth */
    ref_alloc_fail_after(0);
    int *data = item(1);
    assert_int_equal(channel_send(ch, data, free_counted, NULL), CH_NO_MEMORY);
    assert_int_equal(channel_acquire(id, CH_RECV, SUB + 1, &again), CH_NO_MEMORY); /* growth */
    int64_t *ids;
    size_t n;
    assert_int_equal(channel_list(&ids, &n), CH_NO_MEMORY);
    ref_alloc_fail_after(-1);
    assert_int_equal(take(data), 1);
    assert_int_equal(channel_queued(ch), 0);
}

/* ---- with threads ------------------------------------------------------ */

typedef struct {
    channel *ch;
    sem_t registered; /* posted once the waiter is registered */
    ch_status wait_status;
    int value;
} blocked_call;

static void *
blocked_receiver(void *arg)
{
    blocked_call *call = arg;
    ch_waiter w;
    void *data;
    ch_free_fn fn;
    ch_status status = channel_recv(call->ch, &w, &data, &fn);
    sem_post(&call->registered);
    if (status == CH_WAITING) {
        status = channel_wait(&w);
        if (status == CH_OK) {
            call->value = take(w.data);
        }
    }
    call->wait_status = status;
    return NULL;
}

static void *
blocked_sender(void *arg)
{
    blocked_call *call = arg;
    ch_waiter w;
    ch_status status = channel_send(call->ch, item(call->value), free_counted, &w);
    sem_post(&call->registered);
    if (status == CH_WAITING) {
        status = channel_wait(&w);
    }
    call->wait_status = status;
    return NULL;
}

static pthread_t
start(void *(*fn)(void *), blocked_call *call)
{
    pthread_t thread;
    sem_init(&call->registered, 0, 0);
    assert_int_equal(pthread_create(&thread, NULL, fn, call), 0);
    sem_wait(&call->registered);
    return thread;
}

static void
finish(pthread_t thread, blocked_call *call)
{
    assert_int_equal(pthread_join(thread, NULL), 0);
    sem_destroy(&call->registered);
}

static void
test_blocked_receiver_woken_by_send_nowait(void **unused)
{
    (void)unused;
    blocked_call call = {.ch = new_channel(NULL)};
    pthread_t t = start(blocked_receiver, &call);
    assert_int_equal(send_value(call.ch, 42), CH_HANDED);
    finish(t, &call);
    assert_int_equal(call.wait_status, CH_OK);
    assert_int_equal(call.value, 42);
}

static void
test_blocked_sender_released_by_receipt(void **unused)
{
    (void)unused;
    blocked_call call = {.ch = new_channel(NULL), .value = 7};
    pthread_t t = start(blocked_sender, &call);
    assert_int_equal(recv_now(call.ch), 7);
    finish(t, &call);
    assert_int_equal(call.wait_status, CH_OK);
}

/*
 * "Still waiting" is checked as "has not returned yet": a wrong wake-up could
 * come after the check and go unseen, but a correct core never fails it.
 */
#define STILL_WAITING CH_EMPTY /* never the result of a wait */

static void
test_blocked_sender_keeps_waiting_when_receivers_vanish(void **unused)
{
    (void)unused;
    int64_t id;
    blocked_call call = {.ch = new_channel(&id), .value = 7, .wait_status = STILL_WAITING};
    pthread_t t = start(blocked_sender, &call);
    channel_release(call.ch, CH_RECV, MAIN);
    assert_int_equal(call.wait_status, STILL_WAITING);
    assert_int_equal(channel_queued(call.ch), 1); /* not withdrawn */
    channel *later;
    assert_int_equal(channel_acquire(id, CH_RECV, SUB, &later), CH_OK);
    assert_int_equal(recv_now(later), 7);
    finish(t, &call);
    assert_int_equal(call.wait_status, CH_OK);
    assert_int_equal(freed, 0);
}

static void
test_blocked_receiver_keeps_waiting_when_senders_vanish(void **unused)
{
    (void)unused;
    int64_t id;
    blocked_call call = {.ch = new_channel(&id), .wait_status = STILL_WAITING};
    pthread_t t = start(blocked_receiver, &call);
    channel_release(call.ch, CH_SEND, MAIN);
    assert_int_equal(call.wait_status, STILL_WAITING);
    channel *later;
    assert_int_equal(channel_acquire(id, CH_SEND, SUB, &later), CH_OK);
    assert_int_equal(send_value(later, 8), CH_HANDED);
    finish(t, &call);
    assert_int_equal(call.wait_status, CH_OK);
    assert_int_equal(call.value, 8);
}

static void
test_receivers_served_oldest_first(void **unused)
{
    (void)unused;
    channel *ch = new_channel(NULL);
    blocked_call first = {.ch = ch}, second = {.ch = ch};
    pthread_t t1 = start(blocked_receiver, &first);
    pthread_t t2 = start(blocked_receiver, &second);
    assert_int_equal(send_value(ch, 1), CH_HANDED);
    assert_int_equal(send_value(ch, 2), CH_HANDED);
    finish(t1, &first);
    finish(t2, &second);
    assert_int_equal(first.value, 1);
    assert_int_equal(second.value, 2);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, reset, reset)
    const struct CMUnitTest tests[] = {
        T(test_ids_grow_and_list_ascending),
        T(test_fifo_and_empty),
        T(test_acquire_unknown_and_destroy_with_items),
        T(test_blocking_send_without_receivers_waits_for_a_later_one),
        T(test_blocking_recv_without_senders_waits_for_a_later_one),
        T(test_handoff_to_registered_receiver_and_cancel_requeues_at_head),
        T(test_blocking_send_to_registered_receiver_waits_for_its_return),
        T(test_blocking_send_released_when_receiver_returns_handed_item),
        T(test_sender_cancel_while_handed_lets_the_receiver_keep_it),
        T(test_paused_receiver_takes_no_hand_off_and_resumes),
        T(test_pause_after_hand_off_completes_the_receive),
        T(test_paused_receiver_resumes_waiting_without_senders_or_cancels),
        T(test_cancel_of_a_later_receiver_keeps_the_earlier_one_first),
        T(test_cancel_of_the_oldest_receiver_passes_its_turn_on),
        T(test_resumed_receiver_queues_behind_one_that_blocked_meanwhile),
        T(test_cancelled_receiver_gets_nothing),
        T(test_cancelled_sender_withdraws_its_item),
        T(test_sender_cancel_after_receipt_reports_received),
        T(test_forget_interp_destroys_the_channels_only_it_held),
        T(test_release_after_forget_interp_changes_nothing),
        T(test_items_without_a_free_function_are_left_alone),
        T(test_out_of_memory_paths),
        T(test_blocked_receiver_woken_by_send_nowait),
        T(test_blocked_sender_released_by_receipt),
        T(test_blocked_sender_keeps_waiting_when_receivers_vanish),
        T(test_blocked_receiver_keeps_waiting_when_senders_vanish),
        T(test_receivers_served_oldest_first),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
