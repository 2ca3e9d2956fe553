/* The plugins are compiled for x86-64-v3 (AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE): NativeAOT then gives
   Vector<float> eight lanes and the DSP runs at the CLI's speed. On an older CPU the NativeAOT runtime would stop
   the whole process when it starts ("The required instruction sets are not supported"), taking the host with it.
   It starts lazily, on the first call into managed code, so the C entry points ask the CPU first and refuse to load
   instead. Included once per plugin binary. */
#ifndef DISTILL_CPU_LEVEL_H
#define DISTILL_CPU_LEVEL_H

#include <cpuid.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Whether this CPU and OS run x86-64-v3 code: the CPUID bits of levels v2 and v3, and the OS saving the AVX
   registers (XCR0 bits 1 and 2). */
static bool distill_cpu_level_ok(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    const unsigned leaf1 = (1u << 0) | (1u << 9) | (1u << 12) | (1u << 13) | (1u << 19) | (1u << 20) /* SSE3 SSSE3
        FMA CX16 SSE4.1 SSE4.2 */ | (1u << 22) | (1u << 23) | (1u << 27) | (1u << 28) | (1u << 29); /* MOVBE POPCNT
        OSXSAVE AVX F16C */
    if ((c & leaf1) != leaf1) return false;
    uint32_t xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 6u) != 6u) return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    const unsigned leaf7 = (1u << 3) | (1u << 5) | (1u << 8); /* BMI1 AVX2 BMI2 */
    if ((b & leaf7) != leaf7) return false;
    if (!__get_cpuid(0x80000001u, &a, &b, &c, &d)) return false;
    const unsigned extended = (1u << 0) | (1u << 5); /* LAHF/SAHF, LZCNT */
    return (c & extended) == extended;
}

/* The answer, asked once; a refusal is said once on standard error (hosts log it). */
static bool distill_cpu_supported(const char *format)
{
    static int answer = -1;
    if (answer < 0)
    {
        answer = distill_cpu_level_ok();
        if (!answer)
            fprintf(stderr, "Distill (%s): this CPU lacks AVX2/FMA (x86-64-v3: Intel Haswell 2013, AMD Excavator 2015 "
                            "or later), which the plugin is built for; it does not load.\n", format);
    }
    return answer;
}

#endif
