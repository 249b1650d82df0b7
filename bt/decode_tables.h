/*
 * decode_tables.h - the decoder's opcode tables (bt/decode_tables.c),
 * shared with the decoder engine (bt/decode.c) and the unit tests.
 *
 * Each map is 256 rows indexed by the opcode byte.  A row is an
 * instruction or an escape into a smaller table (see enum x86_esc).  An
 * all-zero row means "no instruction": #UD in the one-byte and 0F maps; in
 * the 0F 38 and 0F 3A maps, which hold almost only SSE instructions, an
 * unlisted opcode takes the map's length-only default row instead.
 */
#ifndef TRAPEZE_BT_DECODE_TABLES_H
#define TRAPEZE_BT_DECODE_TABLES_H

#include "bt/decode.h"

#define X86_MAP_ROWS 256

extern const struct x86_opcode x86_map_onebyte[X86_MAP_ROWS];
extern const struct x86_opcode x86_map_0f[X86_MAP_ROWS];
extern const struct x86_opcode x86_map_0f38[X86_MAP_ROWS];
extern const struct x86_opcode x86_map_0f3a[X86_MAP_ROWS];

/* Default rows of the 0F 38 and 0F 3A maps (SSE, measured only). */
extern const struct x86_opcode x86_row_0f38_default;
extern const struct x86_opcode x86_row_0f3a_default;

/* Rows for the prefix-encoded families, measured only. */
extern const struct x86_opcode x86_row_vex, x86_row_vex_ib, x86_row_vex_nomodrm;
extern const struct x86_opcode x86_row_evex, x86_row_evex_ib;
extern const struct x86_opcode x86_row_xop, x86_row_xop_ib, x86_row_xop_id;
extern const struct x86_opcode x86_row_3dnow;

/* Number of rows an escape kind selects from. */
unsigned x86_esc_rows(enum x86_esc esc);

#endif
