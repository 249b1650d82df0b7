/*
 * string.h - the memory and string functions of the guest libc-lite.
 *
 * Freestanding code still needs these: besides the calls we write, the
 * compiler itself emits calls to memset/memcpy/memmove/memcmp for struct
 * initialisation and copies, even with -ffreestanding.  This header
 * shadows the host's <string.h> because guest/include comes first on the
 * include path of guest code.
 */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include <stddef.h>

/* Fill n bytes at dst with (unsigned char)c.  Returns dst. */
void *memset(void *dst, int c, size_t n);
/* Copy n bytes; the areas must not overlap.  Returns dst. */
void *memcpy(void *dst, const void *src, size_t n);
/* Copy n bytes; the areas may overlap.  Returns dst. */
void *memmove(void *dst, const void *src, size_t n);
/* <0, 0 or >0 as the first differing byte of a is below, equal, above b. */
int memcmp(const void *a, const void *b, size_t n);

/* Length of s, not counting the NUL. */
size_t strlen(const char *s);
/* Compare as unsigned chars, like memcmp, up to the first NUL. */
int strcmp(const char *a, const char *b);
/* strcmp looking at no more than n characters. */
int strncmp(const char *a, const char *b, size_t n);

#endif
