/* check64 (shm/layout.py defines it; shm/check.py is the reference): the integrity check
 * of one ring cell over its six u32 fields and its payload. Four lanes, so the four
 * multiply chains of a 32-byte block run side by side. */
#include <string.h>

#include "_wire.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the shm layout is little-endian; payload words are read in host order"
#endif

static inline uint64_t
mix(const Wire *w, uint64_t a, uint64_t v)
{
    a = (a ^ v) * w->check_k1;
    return a << w->check_rot | a >> (64 - w->check_rot);
}

static inline uint64_t
le64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Both entry points: with dst, each word is loaded from p once, stored to dst and mixed
 * from the same register, so the check covers exactly the bytes dst receives (a racing
 * writer of p cannot make them differ) and the copy's loads overlap the multiply chains. */
static inline uint64_t
check_copy(const Wire *w, const uint32_t f[CELL_WORDS], unsigned char *dst,
           const unsigned char *p, size_t len)
{
    uint64_t a0 = ((uint64_t)f[CELL_SLOT] | (uint64_t)f[CELL_GEN] << 32) ^ w->check_k2;
    uint64_t a1 = ((uint64_t)f[CELL_METHOD] | (uint64_t)f[CELL_LENGTH] << 32) ^ w->check_k3;
    uint64_t a2 = ((uint64_t)f[CELL_KIND] | (uint64_t)f[CELL_STATUS] << 32) ^ w->check_k1;
    uint64_t a3 = w->check_k2 ^ w->check_k3;
    size_t whole = len & ~(size_t)31;
    for (size_t at = 0; at < whole; at += 32) {
        uint64_t v0 = le64(p + at), v1 = le64(p + at + 8), v2 = le64(p + at + 16),
                 v3 = le64(p + at + 24);
        if (dst != NULL) {
            memcpy(dst + at, &v0, 8);
            memcpy(dst + at + 8, &v1, 8);
            memcpy(dst + at + 16, &v2, 8);
            memcpy(dst + at + 24, &v3, 8);
        }
        a0 = mix(w, a0, v0);
        a1 = mix(w, a1, v1);
        a2 = mix(w, a2, v2);
        a3 = mix(w, a3, v3);
    }
    if (whole < len) {
        unsigned char tail[32] = {0};
        memcpy(tail, p + whole, len - whole);
        if (dst != NULL)
            memcpy(dst + whole, tail, len - whole);
        a0 = mix(w, a0, le64(tail));
        a1 = mix(w, a1, le64(tail + 8));
        a2 = mix(w, a2, le64(tail + 16));
        a3 = mix(w, a3, le64(tail + 24));
    }
    uint64_t h = w->check_k3;
    h = mix(w, h, a0);
    h = mix(w, h, a1);
    h = mix(w, h, a2);
    h = mix(w, h, a3);
    h ^= h >> 33;
    h *= w->check_k2;
    h ^= h >> 29;
    h *= w->check_k3;
    return h ^ (h >> 32);
}

uint64_t
wire_check64(const Wire *w, const uint32_t f[CELL_WORDS], const char *payload, size_t len)
{
    return check_copy(w, f, NULL, (const unsigned char *)payload, len);
}

uint64_t
wire_copy_check64(const Wire *w, const uint32_t f[CELL_WORDS], char *dst, const char *src,
                  size_t len)
{
    return check_copy(w, f, (unsigned char *)dst, (const unsigned char *)src, len);
}
