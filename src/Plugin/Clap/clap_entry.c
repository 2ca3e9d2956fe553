/* clap_entry must be an exported data symbol, which C# cannot define: this struct points at the
   [UnmanagedCallersOnly] functions of ClapEntry.cs. Layout: clap_version (3 × u32), then init, deinit, get_factory. */
#include <stdbool.h>
#include <stdint.h>

bool distill_clap_init(const char *plugin_path);
void distill_clap_deinit(void);
const void *distill_clap_get_factory(const char *factory_id);

struct clap_plugin_entry {
    struct { uint32_t major, minor, revision; } clap_version;
    bool (*init)(const char *plugin_path);
    void (*deinit)(void);
    const void *(*get_factory)(const char *factory_id);
};

__attribute__((visibility("default")))
const struct clap_plugin_entry clap_entry = { { 1, 2, 2 }, distill_clap_init, distill_clap_deinit, distill_clap_get_factory };
