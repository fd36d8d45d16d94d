// MSBuild inline task (build/TorchSharpNative.targets): marks a shared library's version needs on libstdc++.so.6 weak
// when the libstdc++ this machine loads does not define them and every symbol bound to them is one that no code calls.
// ELF64 little-endian only (linux-x64, linux-arm64); the file is rewritten through a temporary file and a rename.
// Inline tasks compile against netstandard2.0: no BinaryPrimitives, NativeLibrary or records here.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenUnusedLibstdcxxVersions : Task
{
    private const string Libstdcxx = "libstdc++.so.6";
    private const ushort VerFlagWeak = 0x2;

    // Symbols a library may reference without calling: GCC 13's <iostream> emits `.globl _ZSt21ios_base_library_initv`
    // only so that the linker records libstdc++ 13 (which initialises std::cout itself); nothing calls or relocates it.
    private static readonly HashSet<string> NeverCalled = new HashSet<string> { "_ZSt21ios_base_library_initv" };

    [Required]
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        string? system = LoadedLibstdcxxPath();
        if (system is null)
        {
            Log.LogMessage(MessageImportance.Low, "no {0} loaded in this process: nothing to compare with, libraries left as they are", Libstdcxx);
            return true;
        }
        HashSet<string> defined = new HashSet<string>(Elf.Read(File.ReadAllBytes(system)).VersionDefinitions());
        foreach (ITaskItem item in Libraries)
        {
            string path = item.GetMetadata("FullPath");
            byte[] bytes = File.ReadAllBytes(path);
            var elf = Elf.Read(bytes);
            var missing = elf.VersionNeeds(Libstdcxx).Where(n => !defined.Contains(n.Name)).ToList();
            if (missing.Count == 0) continue;
            bool changed = false;
            foreach (var need in missing)
            {
                var symbols = elf.SymbolsWithVersionIndex(need.Index).ToList();
                var called = symbols.Where(s => !NeverCalled.Contains(s)).ToList();
                if (called.Count > 0)
                {
                    Log.LogError("{0} needs {1} from {2}, which {3} does not define, for symbols it may call ({4}): install a newer libstdc++",
                        path, need.Name, Libstdcxx, system, string.Join(", ", called));
                    return false;
                }
                if ((need.Flags & VerFlagWeak) != 0) continue;
                byte[] flags = BitConverter.GetBytes((ushort)(need.Flags | VerFlagWeak));
                Array.Copy(flags, 0, bytes, need.FlagsOffset, 2);
                changed = true;
                Log.LogMessage(MessageImportance.Normal, "{0}: version need {1} (symbols {2}) marked weak: {3} lacks it",
                    path, need.Name, string.Join(", ", symbols), system);
            }
            if (changed) Rewrite(path, bytes);
        }
        return !Log.HasLoggedErrors;
    }

    // The libstdc++.so.6 the dynamic loader picked for this process (the .NET host links it, so it is mapped already).
    private static string? LoadedLibstdcxxPath()
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            string file = line.Substring(slash);
            if (Path.GetFileName(file).StartsWith("libstdc++.so", StringComparison.Ordinal)) return file;
        }
        return null;
    }

    // Written next to the original and renamed over it (never through a hard link into the NuGet cache); the original's
    // timestamp is kept so the next build's incremental copy sees the file as up to date and does not copy it again.
    private static void Rewrite(string path, byte[] bytes)
    {
        DateTime stamp = File.GetLastWriteTimeUtc(path);
        string temporary = path + ".patching";
        File.Copy(path, temporary, overwrite: true);   // keeps the file mode
        using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write)) stream.Write(bytes, 0, bytes.Length);
        File.SetLastWriteTimeUtc(temporary, stamp);
        File.Delete(path);
        File.Move(temporary, path);
    }

    private sealed class Elf
    {
        private const uint ShtDynsym = 11, ShtVerdef = 0x6ffffffd, ShtVerneed = 0x6ffffffe, ShtVersym = 0x6fffffff;
        private readonly byte[] b;
        private readonly List<(uint type, long offset, long size, int link, int info)> sections = new List<(uint, long, long, int, int)>();

        private Elf(byte[] bytes)
        {
            b = bytes;
            if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (b[4] != 2 || b[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF files are handled");
            long shoff = (long)U64(0x28);
            int shentsize = U16(0x3A), shnum = U16(0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                sections.Add((U32(h + 4), (long)U64(h + 0x18), (long)U64(h + 0x20), (int)U32(h + 0x28), (int)U32(h + 0x2C)));
            }
        }

        internal static Elf Read(byte[] bytes) => new Elf(bytes);

        internal sealed class Need
        {
            internal Need(string name, ushort index, ushort flags, long flagsOffset) => (Name, Index, Flags, FlagsOffset) = (name, index, flags, flagsOffset);
            internal string Name { get; }
            internal ushort Index { get; }
            internal ushort Flags { get; }
            internal long FlagsOffset { get; }
        }

        internal IEnumerable<string> VersionDefinitions()
        {
            foreach (var s in sections.Where(s => s.type == ShtVerdef))
            {
                long strings = sections[s.link].offset, d = s.offset;
                for (int i = 0; i < s.info; i++)
                {
                    long aux = d + U32(d + 12);
                    yield return Str(strings + U32(aux));
                    uint next = U32(d + 16);
                    if (next == 0) break;
                    d += next;
                }
            }
        }

        internal IEnumerable<Need> VersionNeeds(string file)
        {
            foreach (var s in sections.Where(s => s.type == ShtVerneed))
            {
                long strings = sections[s.link].offset, n = s.offset;
                for (int i = 0; i < s.info; i++)
                {
                    int count = U16(n + 2);
                    if (Str(strings + U32(n + 4)) == file)
                    {
                        long a = n + U32(n + 8);
                        for (int j = 0; j < count; j++)
                        {
                            yield return new Need(Str(strings + U32(a + 8)), U16(a + 6), U16(a + 4), a + 4);
                            a += U32(a + 12);
                        }
                    }
                    uint next = U32(n + 12);
                    if (next == 0) break;
                    n += next;
                }
            }
        }

        internal IEnumerable<string> SymbolsWithVersionIndex(ushort index)
        {
            var dynsym = sections.First(s => s.type == ShtDynsym);
            var versym = sections.First(s => s.type == ShtVersym);
            long strings = sections[dynsym.link].offset;
            long count = dynsym.size / 24;
            for (long i = 0; i < count; i++)
            {
                if ((U16(versym.offset + 2 * i) & 0x7fff) == index) yield return Str(strings + U32(dynsym.offset + 24 * i));
            }
        }

        // Little-endian files, read on little-endian machines (x64, arm64).
        private ushort U16(long at) => BitConverter.ToUInt16(b, (int)at);
        private uint U32(long at) => BitConverter.ToUInt32(b, (int)at);
        private ulong U64(long at) => BitConverter.ToUInt64(b, (int)at);

        private string Str(long at)
        {
            int end = Array.IndexOf(b, (byte)0, (int)at);
            return System.Text.Encoding.ASCII.GetString(b, (int)at, end - (int)at);
        }
    }
}
