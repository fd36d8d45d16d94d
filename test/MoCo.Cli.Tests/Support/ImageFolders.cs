namespace MoCo.Cli.Tests.Support;

/// <summary>Image folders for the commands that read files, written by PIL (Debian's python3-pil).</summary>
internal static class ImageFolders
{
    /// <summary>Class folders <c>a/</c> and <c>b/</c> under <paramref name="root"/>, each with <paramref name="perClass"/>
    /// solid-colour PNGs <c>0.png</c>, <c>1.png</c>, … of (<paramref name="width"/> + i) × <paramref name="height"/>
    /// pixels, in colours drawn from Python's random.seed(0).</summary>
    internal static void TwoClasses(string root, int perClass, int width, int height) => PythonScript.Run($$"""
        import os, sys, random
        from PIL import Image
        random.seed(0)
        root = sys.argv[1]
        for cls in ("a", "b"):
            os.makedirs(os.path.join(root, cls))
            for i in range({{perClass}}):
                Image.new("RGB", ({{width}} + i, {{height}}), tuple(random.randint(0, 255) for _ in range(3))).save(os.path.join(root, cls, f"{i}.png"))
        """, root);
}
