/*
 * kvm_probe.c - what the host's KVM is and what it can do.
 *
 * probe() answers "can trapeze use KVM here, and if not, why not?" in one
 * line a student can act on.  The flavour tells which hardware path the
 * host's KVM uses:
 *
 *   VMX  Intel VT-x (kvm_intel)      SVM  AMD-V (kvm_amd)
 *   PVM  pagetable-based VM (kvm_pvm): KVM without hardware virtualisation
 *        extensions, as in nested clouds; guest ring 3 runs natively,
 *        guest ring 0 is emulated.
 *
 * Also here: the CPUID handed to every vCPU (trapeze's baseline model
 * intersected with KVM_GET_SUPPORTED_CPUID) and the reader of KVM's
 * per-vCPU binary statistics, which count the exits KVM handles in the
 * kernel without ever telling user space.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/cpuid.h"
#include "kvm_internal.h"

#define KVM_MAX_CPUID_ENTRIES 256

static bool module_loaded(const char *name)
{
	char path[64];
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

const char *kvm_flavour(void)
{
	if (module_loaded("kvm_pvm"))
		return "PVM";
	if (module_loaded("kvm_intel"))
		return "VMX";
	if (module_loaded("kvm_amd"))
		return "SVM";
	return "unknown";
}

static int open_failure(struct engine_info *info, int err)
{
	switch (err) {
	case ENOENT:
		snprintf(info->detail, sizeof(info->detail),
		         "%s does not exist: this host offers no KVM (enable VT-x/AMD-V "
		         "and load kvm_intel or kvm_amd)", KVM_DEVICE_PATH);
		break;
	case EACCES:
	case EPERM:
		snprintf(info->detail, sizeof(info->detail),
		         "no permission to open %s: add your user to the 'kvm' group "
		         "(sudo usermod -aG kvm $USER) and log in again", KVM_DEVICE_PATH);
		break;
	default:
		snprintf(info->detail, sizeof(info->detail), "cannot open %s: %s",
		         KVM_DEVICE_PATH, strerror(err));
	}
	return -err;
}

int kvm_probe(struct engine_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->flavour, sizeof(info->flavour), "%s", kvm_flavour());
	int fd = open(KVM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return open_failure(info, errno);

	int api = ioctl(fd, KVM_GET_API_VERSION, 0);
	int r = 0;
	if (api != KVM_API_VERSION) {
		snprintf(info->detail, sizeof(info->detail),
		         "%s speaks KVM API %d; trapeze needs %d", KVM_DEVICE_PATH, api,
		         KVM_API_VERSION);
		r = -ENOTSUP;
	} else if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0) {
		snprintf(info->detail, sizeof(info->detail),
		         "KVM lacks KVM_CAP_USER_MEMORY, which trapeze needs");
		r = -ENOTSUP;
	} else {
		info->usable = true;
		snprintf(info->detail, sizeof(info->detail), "KVM API %d, %s%s", api,
		         strcmp(info->flavour, "PVM") == 0
		                 ? "PVM: guest ring 0 is emulated, ring 3 runs natively"
		                 : "hardware-assisted",
		         ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0
		                 ? "" : ", no immediate_exit");
	}
	close(fd);
	return r;
}

/* Keep in `want` only the feature bits KVM supports for this leaf. */
static void intersect(struct kvm_cpuid_entry2 *want,
                      const struct kvm_cpuid2 *supported)
{
	for (unsigned i = 0; i < supported->nent; i++) {
		const struct kvm_cpuid_entry2 *s = &supported->entries[i];
		if (s->function != want->function || s->index != want->index)
			continue;
		switch (want->function) {
		case 0x1:
		case 0x80000001:
			want->ecx &= s->ecx;
			want->edx &= s->edx;
			break;
		case 0x80000008: {
			/* never promise more physical address bits than the host has */
			uint32_t phys = want->eax & 0xff, host = s->eax & 0xff;
			if (host && host < phys)
				want->eax = (want->eax & ~0xffu) | host;
			break;
		}
		default:
			break; /* identification leaves are ours */
		}
		return;
	}
}

/* Build the CPUID every vCPU gets: the baseline model, with feature bits
 * limited to what KVM can virtualise on this host. */
int kvm_build_cpuid(struct kvm_vm *kvm)
{
	size_t bytes = sizeof(struct kvm_cpuid2) +
	               KVM_MAX_CPUID_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *supported = calloc(1, bytes);
	unsigned nr;
	const struct cpuid_entry *base = cpuid_baseline(&nr);

	if (!supported)
		return -ENOMEM;
	supported->nent = KVM_MAX_CPUID_ENTRIES;
	if (ioctl(kvm->kvm_fd, KVM_GET_SUPPORTED_CPUID, supported) < 0) {
		int err = -errno;
		free(supported);
		return err;
	}
	kvm->cpuid = calloc(1, sizeof(struct kvm_cpuid2) +
	                               nr * sizeof(struct kvm_cpuid_entry2));
	if (!kvm->cpuid) {
		free(supported);
		return -ENOMEM;
	}
	kvm->cpuid->nent = nr;
	for (unsigned i = 0; i < nr; i++) {
		struct cpuid_entry e;
		cpuid_lookup(base[i].function, base[i].index, CPUID_ENGINE_KVM, &e);
		kvm->cpuid->entries[i] = (struct kvm_cpuid_entry2){
			.function = e.function, .index = e.index,
			.eax = e.eax, .ebx = e.ebx, .ecx = e.ecx, .edx = e.edx,
		};
		intersect(&kvm->cpuid->entries[i], supported);
	}
	free(supported);
	return 0;
}

/* ---- KVM's binary statistics -------------------------------------------- */

/* Read every cumulative/instant per-vCPU statistic from the stats fd and
 * hand it to emit().  Histograms are skipped. */
int kvm_engine_stats(struct vcpu *vcpu,
                     void (*emit)(void *ctx, const char *name, uint64_t value),
                     void *ctx)
{
	int fd = kvm_vcpu_of(vcpu)->stats_fd;
	struct kvm_stats_header hdr;

	if (fd < 0)
		return -ENOTSUP;
	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		return -EIO;
	size_t desc_size = sizeof(struct kvm_stats_desc) + hdr.name_size;
	char *descs = malloc(desc_size * hdr.num_desc);
	if (!descs)
		return -ENOMEM;
	if (pread(fd, descs, desc_size * hdr.num_desc, hdr.desc_offset) !=
	    (ssize_t)(desc_size * hdr.num_desc)) {
		free(descs);
		return -EIO;
	}
	for (uint32_t i = 0; i < hdr.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * desc_size);
		uint32_t type = d->flags & KVM_STATS_TYPE_MASK;
		uint64_t value;
		if (d->size != 1 || (type != KVM_STATS_TYPE_CUMULATIVE &&
		                     type != KVM_STATS_TYPE_INSTANT))
			continue;
		if (pread(fd, &value, sizeof(value), hdr.data_offset + d->offset) !=
		    (ssize_t)sizeof(value))
			continue;
		d->name[hdr.name_size - 1] = '\0';
		emit(ctx, d->name, value);
	}
	free(descs);
	return 0;
}
