/* Shared between _atomics.c, _wire.c, _check.c and _hammer.c (one extension module). */
#ifndef R2G_WIRE_H
#define R2G_WIRE_H

#include <Python.h>
#include <stdint.h>

#define NRINGS 2 /* 0: request ring (caller -> callee), 1: completion ring */
#define NSIDES 2 /* parked flags: 0 callee, 1 caller */

typedef struct {
    Py_ssize_t base, cells;
    uint64_t mask, capacity;
    const char *name;
} RingGeo;

typedef struct {
    PyObject_HEAD
    Py_buffer view;
    int held;
    char *mem;
    RingGeo ring[NRINGS];
    Py_ssize_t enq, deq, cell_size;
    Py_ssize_t c_seq, c_slot, c_gen, c_method, c_length, c_kind, c_status, c_check;
    Py_ssize_t slot_table, slot_size, slot_word;
    Py_ssize_t payload, stride, response_area;
    Py_ssize_t parked[NSIDES];
    uint32_t slot_count, req_cap, resp_cap;
    uint32_t st_free, st_pending, st_done;
    uint32_t k_call, k_oneway, k_reply, s_abandoned;
    uint64_t check_k1, check_k2, check_k3;
    unsigned check_rot;
    PyObject *layout_error;
} Wire;

enum { CELL_SLOT, CELL_GEN, CELL_METHOD, CELL_LENGTH, CELL_KIND, CELL_STATUS, CELL_WORDS };

/* take_requests verdicts and answer flags (exported as module constants). */
enum { TAKE_OK = 0, TAKE_ABANDONED = 1, TAKE_NO_SLOT = 2, TAKE_MALFORMED = 3, TAKE_CORRUPT = 4 };
enum { ANSWER_DROPPED = 1, ANSWER_POST = 2, ANSWER_FULL = 4 };

extern PyTypeObject WireType;

/* 1 done, 0 full (push) / empty (pop), -1 corrupt ring (exception set; needs the GIL).
 * pop stores the cell's check in *check unless check is NULL. */
int ring_push(Wire *w, int r, const uint32_t body[CELL_WORDS], uint64_t check);
int ring_pop(Wire *w, int r, uint32_t body[CELL_WORDS], uint64_t *check);
/* check64 of a cell with fields f announcing the len bytes at payload (shm/layout.py). */
uint64_t wire_check64(const Wire *w, const uint32_t f[CELL_WORDS], const char *payload, size_t len);
int ring_is_empty(Wire *w, int r);
/* Notifier: fence; 1 if the side was parked and we cleared its flag (post its semaphore). */
int bell_owed(Wire *w, int side);

int wire_register(PyObject *module);
int hammer_register(PyObject *module);

#endif
