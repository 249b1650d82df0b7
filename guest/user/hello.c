/*
 * hello.c - the smallest user program: one line, exit 0.
 *
 * Expected output:
 *   hello from user mode: pid 1, 0 arguments
 */
#include "ulib.h"

int main(int argc, char **argv)
{
	printf("hello from user mode: pid %d, %d argument%s", getpid(), argc - 1,
	       argc == 2 ? "" : "s");
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	return 0;
}
