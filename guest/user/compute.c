/*
 * compute.c - a deterministic integer workload that runs in user mode
 * with no system calls: the kind of program a hypervisor should run at
 * native speed.  Used as a benchmark; prints a checksum so that every
 * machine and engine can be checked for the same answer.
 *
 * Each round does three things, each feeding a running FNV-1a hash:
 *
 *   sieve   the primes below SIEVE_LIMIT (sieve of Eratosthenes)
 *   matrix  a MATRIX_N x MATRIX_N integer matrix product C = A x B,
 *           entries of A and B from a linear congruential generator
 *   hash    HASH_WORDS rounds of xorshift64 mixing
 *
 * Usage: compute [ROUNDS]   (default DEFAULT_ROUNDS; the work is linear
 * in ROUNDS, about 1 ms of native CPU time per round)
 *
 * The output does not depend on timing (a benchmark times the run from
 * outside), so it is the same on every machine.
 */
#include "ulib.h"

#define DEFAULT_ROUNDS 300
#define SIEVE_LIMIT    200000
#define MATRIX_N       64
#define HASH_WORDS     200000
#define FNV_OFFSET     0xcbf29ce484222325ull
#define FNV_PRIME      0x100000001b3ull
#define LCG_MUL        6364136223846793005ull
#define LCG_ADD        1442695040888963407ull

static uint8_t composite[SIEVE_LIMIT];
static uint32_t mat_a[MATRIX_N][MATRIX_N], mat_b[MATRIX_N][MATRIX_N];
static uint64_t mat_c[MATRIX_N][MATRIX_N];

/* One step of FNV-1a over the 8 bytes of v. */
static uint64_t fnv(uint64_t hash, uint64_t v)
{
	for (int b = 0; b < 8; b++) {
		hash ^= (v >> (8 * b)) & 0xff;
		hash *= FNV_PRIME;
	}
	return hash;
}

/* Number of primes below SIEVE_LIMIT; hashes each prime into *hash. */
static long sieve(uint64_t *hash)
{
	long count = 0;

	for (long i = 0; i < SIEVE_LIMIT; i++)
		composite[i] = i < 2;
	for (long i = 2; i * i < SIEVE_LIMIT; i++) {
		if (composite[i])
			continue;
		for (long j = i * i; j < SIEVE_LIMIT; j += i)
			composite[j] = 1;
	}
	for (long i = 0; i < SIEVE_LIMIT; i++) {
		if (!composite[i]) {
			count++;
			*hash = fnv(*hash, (uint64_t)i);
		}
	}
	return count;
}

/* C = A x B with A, B filled from seed; returns the trace of C. */
static uint64_t matrix(uint64_t seed, uint64_t *hash)
{
	uint64_t x = seed, trace = 0;

	for (int i = 0; i < MATRIX_N; i++) {
		for (int j = 0; j < MATRIX_N; j++) {
			x = x * LCG_MUL + LCG_ADD;
			mat_a[i][j] = (uint32_t)(x >> 48);
			x = x * LCG_MUL + LCG_ADD;
			mat_b[i][j] = (uint32_t)(x >> 48);
		}
	}
	for (int i = 0; i < MATRIX_N; i++) {
		for (int j = 0; j < MATRIX_N; j++) {
			uint64_t sum = 0;

			for (int k = 0; k < MATRIX_N; k++)
				sum += (uint64_t)mat_a[i][k] * mat_b[k][j];
			mat_c[i][j] = sum;
		}
	}
	for (int i = 0; i < MATRIX_N; i++) {
		trace += mat_c[i][i];
		*hash = fnv(*hash, mat_c[i][MATRIX_N - 1 - i]);
	}
	return trace;
}

/* HASH_WORDS steps of xorshift64 from seed; returns the last state. */
static uint64_t xorshift(uint64_t seed)
{
	uint64_t x = seed | 1;

	for (long i = 0; i < HASH_WORDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : DEFAULT_ROUNDS;
	uint64_t hash = FNV_OFFSET, trace = 0;
	long primes = 0;

	for (int r = 0; r < rounds; r++) {
		primes = sieve(&hash);
		trace = matrix((uint64_t)r + 1, &hash);
		hash = fnv(hash, xorshift(hash));
	}
	printf("compute: %d rounds: %ld primes below %d, last trace %llu\n", rounds,
	       primes, SIEVE_LIMIT, (unsigned long long)trace);
	printf("compute: checksum 0x%016llx\n", (unsigned long long)hash);
	return 0;
}
