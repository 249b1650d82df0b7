/*
 * compute_native.c - the teaching kernel's compute program, built for the
 * host.  The guest's user library is replaced by libc: its header guard is
 * defined first, so the program's own #include "ulib.h" finds it already
 * "included", and the few names it uses come from libc instead.
 */
#define USER_ULIB_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest/user/compute.c"
