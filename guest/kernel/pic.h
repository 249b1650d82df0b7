/*
 * pic.h - the two 8259A programmable interrupt controllers of a PC.
 *
 * Sixteen interrupt lines (IRQs) reach the CPU through a pair of PICs:
 *
 *                    +-----------+
 *   IRQ 0 (timer) -->| master    |---- INTR ----> CPU (vector IRQ_BASE+n)
 *   IRQ 1 ...     -->| 0x20-0x21 |
 *   IRQ 2 <----------|           |<-- cascade: the slave's output
 *   ...              +-----------+
 *                    +-----------+
 *   IRQ 8-15 ------->| slave     |
 *                    | 0xa0-0xa1 |
 *                    +-----------+
 *
 * At reset the master delivers vectors 8-15, which collide with CPU
 * exceptions (8 is #DF), so pic_init() remaps IRQ 0-15 to vectors
 * IRQ_BASE..IRQ_BASE+15 (0x20-0x2f).  After handling an IRQ the kernel
 * must send an end-of-interrupt (EOI) command, or that line (and every
 * lower-priority one) stays blocked.
 */
#ifndef KERNEL_PIC_H
#define KERNEL_PIC_H

#include <stdbool.h>

#define IRQ_TIMER   0 /* i8254 PIT channel 0 */
#define IRQ_CASCADE 2 /* the slave PIC */

/* Remap both PICs to IRQ_BASE and mask every line. */
void pic_init(void);

/* Let IRQ `irq` through. */
void pic_unmask(unsigned int irq);

/*
 * Acknowledge IRQ `irq` (send EOI to the PIC(s) that raised it).
 * Returns false for a spurious IRQ 7 or 15 (a glitch the PIC reports
 * without a real request), which must be ignored and not acknowledged.
 */
bool pic_ack(unsigned int irq);

#endif
