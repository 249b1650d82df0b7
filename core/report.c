/*
 * report.c - register dumps and disassembly for crash reports.
 */
#include "report.h"

#include <capstone/capstone.h>
#include <string.h>

void report_state(const struct x86_state *s, FILE *out)
{
	for (unsigned i = 0; i < X86_NR_GPRS; i++)
		fprintf(out, "  %-3s %016llx%s", x86_gpr_name(i),
		        (unsigned long long)s->gpr[i], i % 4 == 3 ? "\n" : "");
	fprintf(out, "  rip %016llx  rflags %08llx  cpl %u\n",
	        (unsigned long long)s->rip, (unsigned long long)s->rflags, x86_cpl(s));
	fprintf(out, "  cs %04x (base %llx l=%u db=%u)  ss %04x  ds %04x  tr %04x\n",
	        s->cs.selector, (unsigned long long)s->cs.base, s->cs.l, s->cs.db,
	        s->ss.selector, s->ds.selector, s->tr.selector);
	fprintf(out, "  cr0 %08llx  cr2 %016llx  cr3 %016llx  cr4 %08llx  efer %llx\n",
	        (unsigned long long)s->cr0, (unsigned long long)s->cr2,
	        (unsigned long long)s->cr3, (unsigned long long)s->cr4,
	        (unsigned long long)s->efer);
	fprintf(out, "  gdt %llx/%x  idt %llx/%x\n", (unsigned long long)s->gdt.base,
	        s->gdt.limit, (unsigned long long)s->idt.base, s->idt.limit);
}

/* Capstone mode for the code segment the vCPU is executing. */
static cs_mode mode_of(const struct x86_state *s)
{
	if (!(s->cr0 & X86_CR0_PE))
		return CS_MODE_16;
	if (s->cs.l && (s->efer & X86_EFER_LMA))
		return CS_MODE_64;
	return s->cs.db ? CS_MODE_32 : CS_MODE_16;
}

void report_disasm(const struct x86_state *s, const uint8_t *bytes, size_t len,
                   char *buf, size_t buflen)
{
	csh cs;
	cs_insn *insn = NULL;
	size_t n = 0;

	buf[0] = '\0';
	if (cs_open(CS_ARCH_X86, mode_of(s), &cs) == CS_ERR_OK) {
		n = cs_disasm(cs, bytes, len, s->cs.base + s->rip, 1, &insn);
		if (n == 1)
			snprintf(buf, buflen, "%s %s", insn->mnemonic, insn->op_str);
		cs_free(insn, n);
		cs_close(&cs);
	}
	if (n == 1)
		return;
	size_t off = (size_t)snprintf(buf, buflen, "(bytes");
	for (size_t i = 0; i < len && i < 8 && off < buflen; i++)
		off += (size_t)snprintf(buf + off, buflen - off, " %02x", bytes[i]);
	if (off < buflen)
		snprintf(buf + off, buflen - off, ": not a valid instruction)");
}

void report_insn_at_rip(struct vm *vm, char *buf, size_t buflen)
{
	const struct x86_state *s = &vm->result.state;
	const struct vm_exit *e = &vm->result.exit;
	uint8_t bytes[VM_EXIT_INSN_MAX];
	size_t len = 0;
	gpa_t gpa;

	snprintf(buf, buflen, "(instruction bytes not available)");
	if (e->reason == VM_EXIT_INTERNAL && e->internal.insn_len) {
		len = e->internal.insn_len;
		memcpy(bytes, e->internal.insn, len);
	} else if (vm->engine->translate(&vm->vcpus[0], s->cs.base + s->rip, &gpa) == 0) {
		/* stop at the end of the page or of RAM */
		len = VM_EXIT_INSN_MAX;
		while (len && gmem_read(&vm->mem, gpa, bytes, len))
			len--;
	}
	if (len)
		report_disasm(s, bytes, len, buf, buflen);
}

void report_stop(struct vm *vm, FILE *out)
{
	const struct vm_result *r = &vm->result;
	bool crash = r->reason == VM_STOP_TRIPLE_FAULT ||
	             r->reason == VM_STOP_GUEST_ERROR || r->reason == VM_STOP_TIMEOUT;

	fprintf(out, "trapeze: %s\n", r->message);
	if (!crash || !r->have_state)
		return;
	char insn[96];
	report_insn_at_rip(vm, insn, sizeof(insn));
	fprintf(out, "  at rip 0x%llx: %s\n", (unsigned long long)r->state.rip, insn);
	report_state(&r->state, out);
}
