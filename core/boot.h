/*
 * boot.h - from an image file to a VM that is ready to run.
 *
 * Every front end -- the CLI, the integration tests, the benchmarks --
 * takes the same steps after vm_create(): read the image file, put the
 * trapeze board into the VM, load the image with its boot protocol, and
 * hand the boot state to the engine.  These two calls are those steps.
 */
#ifndef TRAPEZE_CORE_BOOT_H
#define TRAPEZE_CORE_BOOT_H

#include "loader.h"
#include "vm.h"

#define BOOT_MAX_IMAGE_SIZE (512ull << 20)

/* Read the whole image file (a regular file of at most
 * BOOT_MAX_IMAGE_SIZE bytes).  Returns a malloc'd buffer with *size set,
 * or NULL with one line in err ("cannot open image PATH: ..."). */
uint8_t *boot_read_image(const char *path, size_t *size, char *err, size_t errlen);

/*
 * vm_boot - board, image and boot state into a freshly created `vm`.
 * `name` names the image in messages; `cmdline` may be NULL.  Fills *res
 * (may be NULL).  Returns 0, or -errno with one line in err.
 */
int vm_boot(struct vm *vm, const uint8_t *image, size_t size, const char *name,
            enum boot_protocol proto, const char *cmdline, struct loader_result *res,
            char *err, size_t errlen);

#endif
