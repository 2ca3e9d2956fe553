/* clap_entry must be an exported data symbol, which C# cannot define: this struct points at the
   [UnmanagedCallersOnly] functions of ClapEntry.cs, behind the CPU check of cpu_level.h (before the NativeAOT
   runtime starts). Layout: clap_version (3 × u32), then init, deinit, get_factory. */
#include "../Native/cpu_level.h"

bool distill_clap_init(const char *plugin_path);
void distill_clap_deinit(void);
const void *distill_clap_get_factory(const char *factory_id);

struct clap_plugin_entry {
    struct { uint32_t major, minor, revision; } clap_version;
    bool (*init)(const char *plugin_path);
    void (*deinit)(void);
    const void *(*get_factory)(const char *factory_id);
};

static bool entry_init(const char *plugin_path)
{
    return distill_cpu_supported("CLAP") && distill_clap_init(plugin_path);
}

static void entry_deinit(void)
{
    if (distill_cpu_supported("CLAP")) distill_clap_deinit();
}

static const void *entry_get_factory(const char *factory_id)
{
    return distill_cpu_supported("CLAP") ? distill_clap_get_factory(factory_id) : 0;
}

__attribute__((visibility("default")))
const struct clap_plugin_entry clap_entry = { { 1, 2, 2 }, entry_init, entry_deinit, entry_get_factory };
