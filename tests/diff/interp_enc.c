/*
 * interp_enc.c - encode an enc_spec into x86-64 instruction bytes (see
 * interp_enc.h).  The layout follows the SDM, Vol. 2, chapter 2:
 *
 *   REX   0100WRXB      W: 64-bit operand; R: ModRM.reg bit 3;
 *                       X: SIB.index bit 3; B: ModRM.rm, SIB.base or the
 *                       opcode register, bit 3
 *   ModRM mod reg rm    mod 00: no displacement (rm 101: RIP + disp32;
 *                       rm 100: a SIB byte follows), 01: disp8, 10: disp32,
 *                       11: rm is a register
 *   SIB   scale index base   index 100 (without REX.X): none;
 *                            base 101 with mod 00: disp32, no base
 */
#include <string.h>

#include "interp_enc.h"

#define REX_BASE 0x40
#define REX_W 0x08
#define REX_R 0x04
#define REX_X 0x02
#define REX_B 0x01

#define MOD_NODISP 0
#define MOD_DISP8 1
#define MOD_DISP32 2
#define MOD_REG 3
#define RM_SIB 4      /* rm = 100: a SIB byte follows */
#define RM_DISP32 5   /* rm = 101 with mod 00: RIP-relative in 64-bit mode */
#define SIB_NO_INDEX 4
#define SIB_NO_BASE 5 /* base = 101 with mod 00 */

static uint8_t rex_bits(const struct enc_spec *s)
{
	uint8_t rex = s->w ? REX_W : 0;

	if (s->modrm && s->reg >= 8)
		rex |= REX_R;
	if (s->opreg >= 8)
		rex |= REX_B;
	if (!s->modrm)
		return rex;
	switch (s->rm.kind) {
	case ENC_RM_REG:
		if (s->rm.reg >= 8)
			rex |= REX_B;
		break;
	case ENC_RM_BASE:
		if (s->rm.base >= 8)
			rex |= REX_B;
		break;
	case ENC_RM_SIB:
		if (s->rm.base != ENC_NO_REG && s->rm.base >= 8)
			rex |= REX_B;
		if (s->rm.index >= 8)
			rex |= REX_X;
		break;
	default:
		break;
	}
	return rex;
}

bool enc_has_rex(const struct enc_spec *s)
{
	return s->rex || rex_bits(s) != 0;
}

static unsigned scale_bits(unsigned scale)
{
	return scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
}

/* mod for a displacement from a base register (rbp/r13 cannot use mod 00). */
static unsigned disp_mod(const struct enc_rm *rm, unsigned base)
{
	if (rm->disp_size == 4 || rm->disp < -128 || rm->disp > 127)
		return MOD_DISP32;
	if (rm->disp == 0 && (base & 7) != RM_DISP32)
		return MOD_NODISP;
	return MOD_DISP8;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ModRM, SIB and displacement for s into p; returns bytes written, and
 * the displacement's offset within them (or -1) in *disp_at. */
static unsigned put_modrm(const struct enc_spec *s, uint8_t *p, int *disp_at)
{
	const struct enc_rm *rm = &s->rm;
	unsigned reg = s->reg & 7, mod, n = 0, disp_len = 0;

	*disp_at = -1;
	switch (rm->kind) {
	case ENC_RM_REG:
		p[n++] = (uint8_t)(MOD_REG << 6 | reg << 3 | (rm->reg & 7));
		return n;
	case ENC_RM_BASE:
		mod = disp_mod(rm, rm->base);
		if ((rm->base & 7) == RM_SIB) {
			p[n++] = (uint8_t)(mod << 6 | reg << 3 | RM_SIB);
			p[n++] = (uint8_t)(SIB_NO_INDEX << 3 | (rm->base & 7));
		} else {
			p[n++] = (uint8_t)(mod << 6 | reg << 3 | (rm->base & 7));
		}
		disp_len = mod == MOD_DISP32 ? 4 : mod == MOD_DISP8 ? 1 : 0;
		break;
	case ENC_RM_SIB:
		if (rm->base == ENC_NO_REG) {
			mod = MOD_NODISP;
			disp_len = 4;
		} else {
			mod = disp_mod(rm, rm->base);
			disp_len = mod == MOD_DISP32 ? 4 : mod == MOD_DISP8 ? 1 : 0;
		}
		p[n++] = (uint8_t)(mod << 6 | reg << 3 | RM_SIB);
		p[n++] = (uint8_t)(scale_bits(rm->scale) << 6 | (rm->index & 7) << 3 |
		                   (rm->base == ENC_NO_REG ? SIB_NO_BASE : (rm->base & 7)));
		break;
	case ENC_RM_RIP:
		p[n++] = (uint8_t)(MOD_NODISP << 6 | reg << 3 | RM_DISP32);
		disp_len = 4;
		break;
	default: /* ENC_RM_ABS */
		p[n++] = (uint8_t)(MOD_NODISP << 6 | reg << 3 | RM_SIB);
		p[n++] = (uint8_t)(SIB_NO_INDEX << 3 | SIB_NO_BASE);
		disp_len = 4;
		break;
	}
	if (disp_len) {
		*disp_at = (int)n;
		put_le(p + n, (uint64_t)(int64_t)rm->disp, disp_len);
		n += disp_len;
	}
	return n;
}

unsigned enc_encode(const struct enc_spec *s, uint64_t addr, uint8_t out[ENC_MAX_LEN],
                    int *disp_field)
{
	uint8_t b[32];
	unsigned n = 0;
	int disp_at = -1;
	uint8_t rex = rex_bits(s);

	if (disp_field)
		*disp_field = -1;
	if (s->modrm && s->rm.kind == ENC_RM_SIB && (s->rm.index & 15) == SIB_NO_INDEX)
		return 0;
	memcpy(b, s->pfx, s->npfx);
	n = s->npfx;
	if (rex || s->rex)
		b[n++] = (uint8_t)(REX_BASE | rex);
	memcpy(b + n, s->op, s->nop);
	n += s->nop;
	if (s->opreg >= 0)
		b[n - 1] = (uint8_t)(b[n - 1] + (s->opreg & 7));
	if (s->modrm) {
		unsigned m = put_modrm(s, b + n, &disp_at);
		if (disp_at >= 0)
			disp_at += (int)n;
		n += m;
	}
	put_le(b + n, s->imm, s->imm_size);
	n += s->imm_size;
	put_le(b + n, s->imm2, s->imm2_size);
	n += s->imm2_size;
	if (n > ENC_MAX_LEN)
		return 0;
	if (s->modrm && s->rm.kind == ENC_RM_RIP) {
		int64_t rel = (int64_t)(s->rm.target - (addr + n));
		if (rel < INT32_MIN || rel > INT32_MAX)
			return 0;
		put_le(b + disp_at, (uint64_t)rel, 4);
	}
	memcpy(out, b, n);
	if (disp_field)
		*disp_field = disp_at;
	return n;
}
