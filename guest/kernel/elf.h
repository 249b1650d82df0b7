/*
 * elf.h - loading a user program (a static ELF64 executable) into an
 * address space.
 *
 * Where it sits: proc.c starts init by creating an empty address space,
 * calling elf_load() with one of the images embedded in the kernel
 * (programs.h), and setting up the stack.  The program's PT_LOAD segments
 * must be page aligned and lie in [USER_IMAGE_BASE, USER_IMAGE_LIMIT),
 * as guest/user/user.ld lays them out.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <stdint.h>

#include "uvm.h"

/*
 * Map and fill every PT_LOAD segment of image[0..size) into `us`, set
 * the heap to start after the last one, and store the entry point in
 * *entry.  Returns 0, or -EINVAL with a line printed saying what is
 * wrong with the file, or -ENOMEM.
 */
int elf_load(struct uspace *us, const uint8_t *image, uint64_t size, uint64_t *entry);

#endif
