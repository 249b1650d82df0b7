/*
 * programs.c - the table of embedded user programs (see programs.h).
 */
#include "programs.h"

#include "kernel.h"
#include "string.h"

#define DECLARE(name) extern const uint8_t user_elf_##name[], user_elf_##name##_end[];
USER_PROGRAMS(DECLARE)

#define ENTRY(name) {#name, user_elf_##name, user_elf_##name##_end},
static const struct program programs[] = {USER_PROGRAMS(ENTRY)};

const struct program *program_find(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(programs); i++) {
		if (strlen(programs[i].name) == len &&
		    strncmp(programs[i].name, name, len) == 0)
			return &programs[i];
	}
	return NULL;
}

void program_list(const char *prefix)
{
	printf("%s", prefix);
	for (size_t i = 0; i < ARRAY_SIZE(programs); i++)
		printf(" %s", programs[i].name);
	printf("\n");
}
