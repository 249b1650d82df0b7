/*
 * boot.c - reading an image and booting it into a VM (see boot.h).
 */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/device.h"

/* read() the whole file; the size was checked by the caller. */
static uint8_t *read_all(int fd, const char *path, size_t want, size_t *size, char *err,
                         size_t errlen)
{
	uint8_t *buf = malloc(want ? want : 1);
	size_t done = 0;

	if (!buf) {
		snprintf(err, errlen, "%s: out of memory reading %zu bytes", path, want);
		return NULL;
	}
	while (done < want) {
		ssize_t n = read(fd, buf + done, want - done);
		if (n <= 0) {
			snprintf(err, errlen, "%s: read failed: %s", path,
			         n ? strerror(errno) : "file shrank while reading");
			free(buf);
			return NULL;
		}
		done += (size_t)n;
	}
	*size = done;
	return buf;
}

uint8_t *boot_read_image(const char *path, size_t *size, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf = NULL;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open image %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s: not a regular file", path);
	else if ((uint64_t)st.st_size > BOOT_MAX_IMAGE_SIZE)
		snprintf(err, errlen, "%s: image is %lld bytes, more than the %llu MiB "
		         "trapeze loads", path, (long long)st.st_size,
		         BOOT_MAX_IMAGE_SIZE >> 20);
	else
		buf = read_all(fd, path, (size_t)st.st_size, size, err, errlen);
	close(fd);
	return buf;
}

int vm_boot(struct vm *vm, const uint8_t *image, size_t size, const char *name,
            enum boot_protocol proto, const char *cmdline, struct loader_result *res,
            char *err, size_t errlen)
{
	struct loader_result lr;
	struct x86_state state;
	int r;

	r = board_setup(vm, err, errlen);
	if (r)
		return r;
	r = loader_load(&vm->mem, image, size, name, proto, cmdline, &state, &lr, err,
	                errlen);
	if (r)
		return r;
	r = vcpu_set_state(&vm->vcpus[0], &state);
	if (r) {
		snprintf(err, errlen, "engine %s rejected the boot state of %s: %s",
		         vm->engine->name, name, strerror(-r));
		return r;
	}
	if (res)
		*res = lr;
	return 0;
}
