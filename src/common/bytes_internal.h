/* SPDX-License-Identifier: MIT */
/*
 * Internal: word-wise byte helpers shared by the frame codecs (CJ/T 188,
 * DL/T 645, Modbus). Loads and stores go through memcpy, which compiles to
 * one unaligned move on every target the library builds for, and never
 * touch a byte outside the range they are given.
 */
#ifndef PREPAY_BYTES_INTERNAL_H
#define PREPAY_BYTES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 8 bytes in host order, any alignment. */
static inline uint64_t prepay__load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

static inline void prepay__store64(uint8_t *p, uint64_t w)
{
    memcpy(p, &w, sizeof w);
}

static inline uint32_t prepay__load32(const uint8_t *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

static inline void prepay__store32(uint8_t *p, uint32_t w)
{
    memcpy(p, &w, sizeof w);
}

/* The 8 bytes of w added pairwise into four 16-bit lanes. */
static inline uint64_t prepay__byte_lanes(uint64_t w)
{
    const uint64_t low = 0x00FF00FF00FF00FFull;
    return (w & low) + ((w >> 8) & low);
}

/*
 * Sum mod 256 of the 8 <= n <= 1024 bytes at p (a frame checksum), never
 * reading outside [p, p + n). Each 8-byte word adds its bytes pairwise into
 * four 16-bit lanes (at most 128 words x 510 < 65536: no lane carries into
 * the next); one multiply gathers the lanes into the top 16 bits, where
 * wrapping past 2^16 keeps the sum mod 256. The last partial word is the 8
 * bytes ending at p + n with the bytes already summed shifted out (the
 * direction depends on the byte order). The first two words are added
 * outside the loop: a typical reply needs no loop at all.
 */
static inline uint8_t prepay__byte_sum_mod256(const uint8_t *p, size_t n)
{
    uint64_t pairs = prepay__byte_lanes(prepay__load64(p));
    size_t i = 8;
    if (n >= 16) {
        pairs += prepay__byte_lanes(prepay__load64(p + 8));
        for (i = 16; i + 8 <= n; i += 8) {
            pairs += prepay__byte_lanes(prepay__load64(p + i));
        }
    }
    if (i < n) {
        uint64_t w = prepay__load64(p + n - 8);
        unsigned keep = (unsigned)(n - i); /* 1..7 */
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w &= (((uint64_t)1) << (8u * keep)) - 1u;
#else
        w >>= 8u * (8u - keep);
#endif
        pairs += prepay__byte_lanes(w);
    }
    return (uint8_t)((pairs * 0x0001000100010001ull) >> 48);
}

/*
 * Copies n <= 255 bytes between buffers that do not overlap: whole 8-byte
 * words, then the last 8 bytes again (overlapping what was copied), so a
 * frame's data field of any length costs a few moves. A variable-length
 * memcpy inlined by the compiler becomes `rep movs` on x86-64, whose start-up
 * cost (~30 cycles) is more than the whole copy of a short field.
 */
static inline void prepay__copy_short(uint8_t *dst, const uint8_t *src, size_t n)
{
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 < n; i += 8) {
            prepay__store64(dst + i, prepay__load64(src + i));
        }
        prepay__store64(dst + n - 8, prepay__load64(src + n - 8));
    } else if (n >= 4) {
        uint32_t head = prepay__load32(src), tail = prepay__load32(src + n - 4);
        prepay__store32(dst, head);
        prepay__store32(dst + n - 4, tail);
    } else if (n > 0) {
        uint8_t first = src[0], middle = src[n / 2], last = src[n - 1];
        dst[0] = first;
        dst[n / 2] = middle;
        dst[n - 1] = last;
    }
}

#endif /* PREPAY_BYTES_INTERNAL_H */
