/*
 * interp.h - the reference interpreter: the software CPU that executes
 * guest x86 instructions one at a time.
 *
 * It is an engine (interp_engine_ops, name "interp") like the KVM engine:
 * the core runs a vCPU through engine_ops.run() and gets back the same
 * struct vm_exit for port I/O, MMIO, HLT and shutdown.  It is also the
 * reference semantics of the software path: the binary translator calls
 * its per-instruction handlers for what it does not translate, and the
 * differential tests single-step it with interp_step().
 *
 *   engine_ops.run --> executor loop (interp_exec.c)
 *                        fetch + decode cache --> handler[mnemonic]
 *                        events: kick, interrupts, posted exits
 *                        faults --> IDT delivery (interp_except.c)
 *
 * docs/interpreter.md describes the executor, the handler contract, how
 * I/O and MMIO exits complete, and the undefined-flag choices.
 */
#ifndef TRAPEZE_BT_INTERP_H
#define TRAPEZE_BT_INTERP_H

#include "bt/cpu.h"
#include "core/engine.h"

struct vcpu;

extern const struct engine_ops interp_engine_ops;

/*
 * interp_step - execute exactly one instruction, or deliver one event.
 *
 * The vCPU must have been created by interp_engine_ops (vm_create with the
 * interp engine) and given a state with set_state.  One call does one of:
 *   - retire one instruction (a REP string instruction: one chunk of
 *     iterations, RIP stays on it until RCX runs out);
 *   - raise an exception in an instruction and deliver it through the IDT
 *     (the instruction does not retire; RIP is the handler's);
 *   - deliver a pending external interrupt (accepted by inject());
 *   - stop for the core.
 * exit->reason says what the core must do: VM_EXIT_NONE (nothing: call
 * again), VM_EXIT_IO / VM_EXIT_MMIO (handle it as vm_run does; a read
 * completes when interp_step or run is called next), VM_EXIT_HLT,
 * VM_EXIT_SHUTDOWN (triple fault), VM_EXIT_INTERNAL.  Returns 0, or -errno
 * if the vCPU is not an interp vCPU.  Kicks are ignored.
 */
int interp_step(struct vcpu *vcpu, struct vm_exit *exit);

/*
 * The per-instruction handler API.  A handler executes one decoded
 * instruction located at c->s.rip on c and returns enum interp_result:
 *
 *   INTERP_OK     retired; RIP moved on (a REP chunk may leave RIP in
 *                 place with the counters advanced)
 *   INTERP_FAULT  c->exc is the exception; every register and every byte
 *                 of memory is as before the instruction (REP: as after
 *                 the last completed iteration)
 *   INTERP_EXIT   c->io.exit must go to the core first (a port or MMIO
 *                 read, an unsupported paging mode); nothing changed; run
 *                 the instruction again afterwards
 *   INTERP_HALT   HLT retired
 *
 * A handler may also post an exit that follows a retired instruction (a
 * port or MMIO write): c->io.exit is filled and CPU_EV_EXIT set.
 * Handlers never deliver exceptions themselves (INT n delivers its own
 * vector, as the instruction's effect); interp_deliver() does.
 */
typedef int (*interp_handler_fn)(struct cpu *c, const struct x86_insn *in);

/* The handler for mnemonic m (a #UD handler for those outside the model):
 * it takes every operand form of m. */
interp_handler_fn interp_handler(enum x86_mnemonic m);
/* The handler the interpreter itself runs for this decoded instruction:
 * interp_handler(), or a variant specialized for its operands (same
 * contract, faster).  Length-only rows (x87, SSE, ...) get the #UD one. */
interp_handler_fn interp_handler_for(const struct x86_insn *in);

/* The struct cpu of an interp vCPU, or NULL for another engine's. */
struct cpu *interp_cpu(struct vcpu *vcpu);

/*
 * interp_deliver - deliver the exception in c->exc through the IDT, with
 * the double- and triple-fault rules.  Returns INTERP_OK, or INTERP_HALT
 * with c->shutdown set after a triple fault.
 */
int interp_deliver(struct cpu *c);

/* Counters of an interp vCPU (NULL for another engine's). */
const struct cpu_stats *interp_stats(struct vcpu *vcpu);

#endif
