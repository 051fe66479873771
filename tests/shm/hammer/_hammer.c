/* The lost-wake-up hammer, a test-only extension (tests/shm/hammer_ext.py builds it with
 * the shipped hot-path sources, so it runs the very ring and doorbell code of
 * rust2go.shm._atomics), in C so it can run millions of park/wake cycles. It runs the doorbell protocol of docs/shm-layout.md exactly:
 *
 *   waiter:   exchange(parked, 1); fence; re-check ring; sem_clockwait; exchange(parked, 0)
 *   notifier: publish; fence; if parked and exchange(parked, 0) == 1: sem_post
 *
 * with no spinning at all, so every empty ring is a park. A lost wake-up can only end by
 * the park timeout; those waits are counted apart from every other (scheduler) delay.
 * The GIL is released for the whole run.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <time.h>

#include "_wire.h"

/* The hammer's cells carry no payload (length 0) and their check is never compared. */
static const uint64_t NO_CHECK = 0;

#define HIST 24 /* bucket i: round trips in [2^i, 2^(i+1)) microseconds; 0 also holds < 1 us */

typedef struct {
    long long trips, timeouts, sleeps, posts, over_limit, max_ns;
    long long hist[HIST];
    int corrupt;
} HammerStats;

static long long
now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Park on `side` until ring `r` has a cell. 1 woken (or work found), 0 timed out. */
static int
park(Wire *w, int side, int r, sem_t *sem, long long timeout_ns, HammerStats *st)
{
    _Atomic uint32_t *flag = (_Atomic uint32_t *)(w->mem + w->parked[side]);
    atomic_exchange(flag, 1);
    atomic_thread_fence(memory_order_seq_cst);
    if (!ring_is_empty(w, r)) {
        atomic_exchange(flag, 0);
        return 1;
    }
    st->sleeps++;
    long long until = now_ns() + timeout_ns;
    struct timespec ts = {until / 1000000000LL, until % 1000000000LL};
    int rc;
    while ((rc = sem_clockwait(sem, CLOCK_MONOTONIC, &ts)) == -1 && errno == EINTR)
        ;
    atomic_exchange(flag, 0);
    if (rc == -1 && errno == ETIMEDOUT) {
        st->timeouts++;
        return 0;
    }
    return 1;
}

static void
ring_bell(Wire *w, int side, sem_t *sem, HammerStats *st)
{
    if (bell_owed(w, side)) {
        sem_post(sem);
        st->posts++;
    }
}

static void
record(HammerStats *st, long long ns, long long limit_ns)
{
    long long us = ns / 1000;
    int b = 0;
    while (us > 1 && b < HIST - 1) {
        us >>= 1;
        b++;
    }
    st->hist[b]++;
    st->trips++;
    if (ns > st->max_ns)
        st->max_ns = ns;
    if (ns > limit_ns)
        st->over_limit++;
}

/* Caller side: push a request, park until its completion, repeat; then a kind-0 stop cell. */
static void
drive(Wire *w, sem_t *own, sem_t *peer, long long rounds, long long deadline, long long timeout_ns,
      long long limit_ns, HammerStats *st)
{
    uint32_t body[CELL_WORDS] = {0, 0, 0, 0, 1, 0};
    for (long long i = 0; i < rounds && (i & 255 || now_ns() < deadline); i++) {
        long long t0 = now_ns();
        body[CELL_SLOT] = (uint32_t)(i & 3);
        body[CELL_GEN] = (uint32_t)i;
        body[CELL_KIND] = 1;
        while (ring_push(w, 0, body, NULL, &NO_CHECK) == 0)
            ;
        ring_bell(w, 0, peer, st);
        uint32_t got[CELL_WORDS];
        int rc;
        while ((rc = ring_pop(w, 1, got, NULL)) == 0)
            park(w, 1, 1, own, timeout_ns, st);
        if (rc < 0 || got[CELL_GEN] != (uint32_t)i) {
            st->corrupt = 1;
            break;
        }
        record(st, now_ns() - t0, limit_ns);
    }
    body[CELL_KIND] = 0;
    while (ring_push(w, 0, body, NULL, &NO_CHECK) == 0)
        ;
    ring_bell(w, 0, peer, st);
}

/* Callee side: echo request cells into the completion ring until a kind-0 cell. */
static void
bounce(Wire *w, sem_t *own, sem_t *peer, long long timeout_ns, HammerStats *st)
{
    uint32_t cell[CELL_WORDS];
    for (;;) {
        int rc = ring_pop(w, 0, cell, NULL);
        if (rc < 0) {
            st->corrupt = 1;
            return;
        }
        if (rc == 0) {
            park(w, 0, 0, own, timeout_ns, st);
            continue;
        }
        if (cell[CELL_KIND] == 0)
            return;
        while (ring_push(w, 1, cell, NULL, &NO_CHECK) == 0)
            ;
        ring_bell(w, 1, peer, st);
        st->trips++;
    }
}

static PyObject *
stats_dict(const HammerStats *st)
{
    PyObject *hist = PyList_New(HIST);
    if (hist == NULL)
        return NULL;
    for (int i = 0; i < HIST; i++)
        PyList_SET_ITEM(hist, i, PyLong_FromLongLong(st->hist[i]));
    return Py_BuildValue("{sLsLsLsLsLsLsNsO}", "round_trips", st->trips, "timeouts", st->timeouts,
                         "sleeps", st->sleeps, "posts", st->posts, "over_limit", st->over_limit,
                         "max_ns", st->max_ns, "hist_log2_us", hist, "corrupt",
                         st->corrupt ? Py_True : Py_False);
}

static PyObject *
mod_hammer(PyObject *Py_UNUSED(m), PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"wire", "role", "own_sem", "peer_sem", "rounds", "seconds",
                             "park_timeout", "limit", NULL};
    PyObject *wobj;
    const char *role, *own_name, *peer_name;
    long long rounds = 0;
    double seconds = 0, park_timeout = 1.0, limit = 0.010;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!sss|Lddd", kwlist, &WireType, &wobj, &role,
                                     &own_name, &peer_name, &rounds, &seconds, &park_timeout, &limit))
        return NULL;
    Wire *w = (Wire *)wobj;
    int driver = strcmp(role, "drive") == 0;
    if (!driver && strcmp(role, "bounce") != 0) {
        PyErr_Format(PyExc_ValueError, "role %s is not drive or bounce", role);
        return NULL;
    }
    if (!w->held) {
        PyErr_SetString(PyExc_ValueError, "Wire is released");
        return NULL;
    }
    Py_buffer pin; /* our own export: the mapping cannot be closed while the GIL is released */
    if (PyObject_GetBuffer(w->view.obj, &pin, PyBUF_SIMPLE) < 0)
        return NULL;
    sem_t *own = sem_open(own_name, 0), *peer = sem_open(peer_name, 0);
    if (own == SEM_FAILED || peer == SEM_FAILED) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, own == SEM_FAILED ? own_name : peer_name);
        if (own != SEM_FAILED)
            sem_close(own);
        PyBuffer_Release(&pin);
        return NULL;
    }
    HammerStats st = {0};
    long long timeout_ns = (long long)(park_timeout * 1e9), limit_ns = (long long)(limit * 1e9);
    long long deadline = now_ns() + (long long)(seconds > 0 ? seconds * 1e9 : 1e18);
    if (rounds <= 0)
        rounds = (long long)1 << 62;
    Py_INCREF(w);
    Py_BEGIN_ALLOW_THREADS
    if (driver)
        drive(w, own, peer, rounds, deadline, timeout_ns, limit_ns, &st);
    else
        bounce(w, own, peer, timeout_ns, &st);
    Py_END_ALLOW_THREADS
    Py_DECREF(w);
    PyBuffer_Release(&pin);
    sem_close(own);
    sem_close(peer);
    return stats_dict(&st);
}

static PyMethodDef hammer_methods[] = {
    {"hammer", (PyCFunction)(void (*)(void))mod_hammer, METH_VARARGS | METH_KEYWORDS,
     "hammer(wire, role, own_sem, peer_sem, rounds=0, seconds=0, park_timeout=1.0, limit=0.010)"
     " -> stats dict; role 'drive' (caller side) or 'bounce' (callee side)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef hammer_module = {
    PyModuleDef_HEAD_INIT, .m_name = "_hammer", .m_doc = "the lost-wake-up hammer (tests only)",
    .m_size = -1, .m_methods = hammer_methods,
};

PyMODINIT_FUNC
PyInit__hammer(void)
{
    PyObject *m = PyModule_Create(&hammer_module);
    if (m != NULL && wire_register(m) < 0)
        Py_CLEAR(m);
    return m;
}
