/* The VST3 module's exports, behind the CPU check of cpu_level.h (before the NativeAOT runtime starts); each
   forwards to its [UnmanagedCallersOnly] function in Vst3Entry.cs. */
#include "../Native/cpu_level.h"

bool distill_vst3_module_entry(void *shared_library_handle);
bool distill_vst3_module_exit(void);
void *distill_vst3_get_plugin_factory(void);

__attribute__((visibility("default"))) bool ModuleEntry(void *shared_library_handle)
{
    return distill_cpu_supported("VST3") && distill_vst3_module_entry(shared_library_handle);
}

__attribute__((visibility("default"))) bool ModuleExit(void)
{
    return distill_cpu_supported("VST3") ? distill_vst3_module_exit() : true;
}

__attribute__((visibility("default"))) void *GetPluginFactory(void)
{
    return distill_cpu_supported("VST3") ? distill_vst3_get_plugin_factory() : 0;
}
