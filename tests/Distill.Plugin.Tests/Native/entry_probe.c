/* Loads a plugin binary the way a host's scanner does and prints what its entry points answered:
     entry_probe clap <Distill.clap>   → "loaded <init> factory <non-null>"
     entry_probe vst3 <Distill.so>     → "loaded <ModuleEntry> factory <non-null> exit <ModuleExit>"
   then "host alive": the process survived the plugin. CpuLevelTests runs it under qemu-user as an older CPU. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct clap_plugin_entry {
    uint32_t version[3];
    bool (*init)(const char *plugin_path);
    void (*deinit)(void);
    const void *(*get_factory)(const char *factory_id);
};

int main(int argc, char **argv)
{
    if (argc != 3) return 2;
    void *library = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
    if (!library) { printf("dlopen: %s\n", dlerror()); return 3; }
    if (strcmp(argv[1], "clap") == 0)
    {
        const struct clap_plugin_entry *entry = dlsym(library, "clap_entry");
        if (!entry) return 4;
        bool loaded = entry->init(argv[2]);
        const void *factory = entry->get_factory("clap.plugin-factory"); /* asked even after a refusal, as careless hosts do */
        printf("loaded %d factory %d\n", loaded, factory != 0);
        entry->deinit();
    }
    else
    {
        bool (*module_entry)(void *) = (bool (*)(void *))dlsym(library, "ModuleEntry");
        void *(*get_factory)(void) = (void *(*)(void))dlsym(library, "GetPluginFactory");
        bool (*module_exit)(void) = (bool (*)(void))dlsym(library, "ModuleExit");
        if (!module_entry || !get_factory || !module_exit) return 4;
        bool loaded = module_entry(library);
        void *factory = get_factory();
        printf("loaded %d factory %d exit %d\n", loaded, factory != 0, module_exit());
    }
    printf("host alive\n");
    return 0;
}
