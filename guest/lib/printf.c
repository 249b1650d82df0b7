/*
 * printf.c - the formatter behind printf() and snprintf() (see printf.h).
 *
 * A format string is walked once; each conversion is parsed into a
 * struct fmt_spec, its argument is turned into text, and the text is sent,
 * padded to the field width, to a sink: the console or a caller's buffer.
 */
#include "printf.h"

#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "string.h"

/* Where formatted characters go. */
struct fmt_sink {
	void (*put)(struct fmt_sink *sink, char c);
	char *buf;   /* buffer sink: destination ... */
	size_t size; /* ... its size ... */
	size_t pos;  /* ... and the next free byte */
	int count;   /* characters produced so far (returned to the caller) */
};

/* One parsed conversion, e.g. "%-08lx". */
struct fmt_spec {
	bool left;  /* '-': pad on the right */
	bool zero;  /* '0': pad numbers with zeros */
	int width;  /* minimum field width */
	int length; /* 0: int, 1: long ('l', 'z'), 2: long long ('ll') */
	char conv;  /* conversion character: 'd', 'x', ... */
};

/* Enough for a 64-bit value in octal; we print at most 20 decimal digits. */
#define FMT_DIGITS_MAX 24

/* Send one character to the sink and count it. */
static void emit(struct fmt_sink *sink, char c)
{
	sink->put(sink, c);
	sink->count++;
}

/* Send c n times (nothing when n <= 0). */
static void emit_repeat(struct fmt_sink *sink, char c, int n)
{
	for (int i = 0; i < n; i++)
		emit(sink, c);
}

/* Send len characters of s. */
static void emit_text(struct fmt_sink *sink, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		emit(sink, s[i]);
}

/*
 * Send prefix (a sign or "0x") and body padded to spec->width: spaces go
 * before the prefix, zeros between prefix and body, and with '-' spaces
 * go after everything.
 */
static void emit_field(struct fmt_sink *sink, const struct fmt_spec *spec,
                       const char *prefix, const char *body, size_t len)
{
	size_t prefix_len = strlen(prefix);
	int fill = spec->width - (int)(prefix_len + len);

	if (!spec->left && !spec->zero)
		emit_repeat(sink, ' ', fill);
	emit_text(sink, prefix, prefix_len);
	if (!spec->left && spec->zero)
		emit_repeat(sink, '0', fill);
	emit_text(sink, body, len);
	if (spec->left)
		emit_repeat(sink, ' ', fill);
}

/*
 * Write v in `base` (10 or 16) at the end of buf[FMT_DIGITS_MAX] and
 * return where the digits start.
 */
static char *format_unsigned(unsigned long long v, unsigned int base, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	char *p = buf + FMT_DIGITS_MAX;

	do {
		*--p = digits[v % base];
		v /= base;
	} while (v != 0);
	return p;
}

/* A number in `base` after `prefix`, padded as spec says. */
static void emit_unsigned(struct fmt_sink *sink, const struct fmt_spec *spec,
                          const char *prefix, unsigned long long v, unsigned int base)
{
	char buf[FMT_DIGITS_MAX];
	char *digits = format_unsigned(v, base, buf);

	emit_field(sink, spec, prefix, digits, buf + FMT_DIGITS_MAX - digits);
}

/* A signed decimal number, padded as spec says. */
static void emit_signed(struct fmt_sink *sink, const struct fmt_spec *spec, long long v)
{
	/* Negate in unsigned arithmetic: -LLONG_MIN does not fit a long long. */
	unsigned long long magnitude =
	    v < 0 ? -(unsigned long long)v : (unsigned long long)v;

	emit_unsigned(sink, spec, v < 0 ? "-" : "", magnitude, 10);
}

/* %s: a string ("(null)" for NULL), padded with spaces. */
static void emit_string(struct fmt_sink *sink, const struct fmt_spec *spec, const char *s)
{
	struct fmt_spec text = *spec;

	text.zero = false; /* '0' only pads numbers */
	if (!s)
		s = "(null)";
	emit_field(sink, &text, "", s, strlen(s));
}

/* Parse the conversion after a '%'; returns a pointer to its last char. */
static const char *parse_spec(const char *p, struct fmt_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	for (;; p++) {
		if (*p == '-')
			spec->left = true;
		else if (*p == '0')
			spec->zero = true;
		else
			break;
	}
	while (*p >= '0' && *p <= '9')
		spec->width = spec->width * 10 + (*p++ - '0');
	if (*p == 'z') {
		spec->length = 1; /* size_t is unsigned long here */
		p++;
	}
	while (*p == 'l' && spec->length < 2) {
		spec->length++;
		p++;
	}
	spec->conv = *p;
	return p;
}

/* Fetch the next argument as the signed type spec->length names. */
static long long arg_signed(const struct fmt_spec *spec, va_list *ap)
{
	if (spec->length == 2)
		return va_arg(*ap, long long);
	if (spec->length == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

/* Fetch the next argument as the unsigned type spec->length names. */
static unsigned long long arg_unsigned(const struct fmt_spec *spec, va_list *ap)
{
	if (spec->length == 2)
		return va_arg(*ap, unsigned long long);
	if (spec->length == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

/*
 * Format one conversion.  Returns false for a conversion we do not know,
 * which the caller then copies to the output verbatim.
 */
static bool emit_conversion(struct fmt_sink *sink, const struct fmt_spec *spec,
                            va_list *ap)
{
	char c;

	switch (spec->conv) {
	case 'd':
	case 'i':
		emit_signed(sink, spec, arg_signed(spec, ap));
		return true;
	case 'u':
		emit_unsigned(sink, spec, "", arg_unsigned(spec, ap), 10);
		return true;
	case 'x':
		emit_unsigned(sink, spec, "", arg_unsigned(spec, ap), 16);
		return true;
	case 'p':
		emit_unsigned(sink, spec, "0x", (uintptr_t)va_arg(*ap, void *), 16);
		return true;
	case 's':
		emit_string(sink, spec, va_arg(*ap, const char *));
		return true;
	case 'c':
		c = (char)va_arg(*ap, int);
		emit_field(sink, spec, "", &c, 1);
		return true;
	case '%':
		emit(sink, '%');
		return true;
	default:
		return false;
	}
}

/* Format fmt with ap into sink.  Returns the number of characters. */
static int format(struct fmt_sink *sink, const char *fmt, va_list ap)
{
	va_list args;

	/* Work on a copy so that helpers can take its address portably. */
	va_copy(args, ap);
	for (const char *p = fmt; *p != '\0'; p++) {
		const char *start = p;
		struct fmt_spec spec;

		if (*p != '%') {
			emit(sink, *p);
			continue;
		}
		p = parse_spec(p + 1, &spec);
		if (*p == '\0') { /* a lone '%' at the end */
			emit_text(sink, start, p - start);
			break;
		}
		if (!emit_conversion(sink, &spec, &args))
			emit_text(sink, start, p + 1 - start);
	}
	va_end(args);
	return sink->count;
}

/* Sink of printf(): straight to the console. */
static void console_sink_put(struct fmt_sink *sink, char c)
{
	(void)sink;
	console_putc(c);
}

/* Sink of snprintf(): keep what fits, leaving room for the NUL. */
static void buffer_sink_put(struct fmt_sink *sink, char c)
{
	if (sink->pos + 1 < sink->size)
		sink->buf[sink->pos++] = c;
}

int vprintf(const char *fmt, va_list ap)
{
	struct fmt_sink sink = {.put = console_sink_put};

	return format(&sink, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_sink sink = {.put = buffer_sink_put, .buf = buf, .size = size};
	int n = format(&sink, fmt, ap);

	if (size > 0)
		buf[sink.pos] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
