#nullable enable
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks the GLIBCXX_3.4.32 version need (VER_FLG_WEAK in .gnu.version_r) and the dynamic symbol
/// _ZSt21ios_base_library_initv (STB_WEAK) weak in an ELF64 little-endian shared library, so the
/// dynamic loader accepts it on a libstdc++ without that version. Idempotent; skips systems whose
/// libstdc++ already provides the version.
/// </summary>
public class WeakenGlibcxxVersionNeed : Task
{
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    const string Version = "GLIBCXX_3.4.32";
    const string Symbol = "_ZSt21ios_base_library_initv";
    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    public override bool Execute()
    {
        string? system = Array.Find(LibStdCxxCandidates, File.Exists);
        if (system == null || Contains(File.ReadAllBytes(system), Encoding.ASCII.GetBytes(Version + "\0")))
            return true;
        foreach (var item in Files)
        {
            try
            {
                int changed = Patch(item.ItemSpec);
                if (changed > 0)
                    Log.LogMessage(MessageImportance.High, $"Distill: weakened {Version} need in {item.ItemSpec} ({changed} entries)");
            }
            catch (Exception e)
            {
                Log.LogWarning($"Distill: could not patch {item.ItemSpec}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = Array.IndexOf(haystack, needle[0]); i >= 0 && i <= haystack.Length - needle.Length;
             i = Array.IndexOf(haystack, needle[0], i + 1))
        {
            int k = 1;
            while (k < needle.Length && haystack[i + k] == needle[k]) k++;
            if (k == needle.Length) return true;
        }
        return false;
    }

    static int Patch(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not an ELF64 little-endian file");
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A), shnum = BitConverter.ToUInt16(elf, 0x3C);
        int changed = 0;
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            uint type = BitConverter.ToUInt32(elf, sh + 4);
            int offset = checked((int)BitConverter.ToUInt64(elf, sh + 24));
            int size = checked((int)BitConverter.ToUInt64(elf, sh + 32));
            int link = (int)BitConverter.ToUInt32(elf, sh + 40);
            int strtab = checked((int)BitConverter.ToUInt64(elf, (int)shoff + link * shentsize + 24));
            if (type == 0x6ffffffe) // SHT_GNU_verneed
                changed += WeakenVersionNeed(elf, offset, strtab);
            else if (type == 11) // SHT_DYNSYM
                changed += WeakenSymbol(elf, offset, size, strtab);
        }
        if (changed > 0)
            File.WriteAllBytes(path, elf); // a build output copy, never the NuGet cache
        return changed;
    }

    static string CString(byte[] elf, int at)
    {
        int end = Array.IndexOf(elf, (byte)0, at);
        return Encoding.ASCII.GetString(elf, at, end - at);
    }

    static int WeakenVersionNeed(byte[] elf, int offset, int strtab)
    {
        int changed = 0;
        for (int vn = offset; ; )
        {
            int count = BitConverter.ToUInt16(elf, vn + 2);
            int aux = vn + (int)BitConverter.ToUInt32(elf, vn + 8);
            for (int a = 0; a < count; a++)
            {
                ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                if (CString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8)) == Version && (flags & 2) == 0)
                {
                    BitConverter.GetBytes((ushort)(flags | 2)).CopyTo(elf, aux + 4); // VER_FLG_WEAK
                    changed++;
                }
                aux += (int)BitConverter.ToUInt32(elf, aux + 12);
            }
            uint next = BitConverter.ToUInt32(elf, vn + 12);
            if (next == 0) return changed;
            vn += (int)next;
        }
    }

    static int WeakenSymbol(byte[] elf, int offset, int size, int strtab)
    {
        int changed = 0;
        for (int sym = offset; sym + 24 <= offset + size; sym += 24)
        {
            byte info = elf[sym + 4];
            if ((info >> 4) == 1 && CString(elf, strtab + (int)BitConverter.ToUInt32(elf, sym)) == Symbol)
            {
                elf[sym + 4] = (byte)((2 << 4) | (info & 0xf)); // STB_GLOBAL -> STB_WEAK
                changed++;
            }
        }
        return changed;
    }
}
