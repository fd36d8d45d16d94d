namespace MoCo.Search.Dedup;

/// <summary>The kinds of near-duplicate issue 20 names: what a copy of an image may have been through.</summary>
internal enum DuplicateKind
{
    /// <summary>The same file again.</summary>
    Copy,

    /// <summary>Resized to half the width and height (Pillow's antialiased bilinear).</summary>
    Half,

    /// <summary>Re-encoded as JPEG at quality 50.</summary>
    Jpeg50,

    /// <summary>90% of each side, cut at a random corner.</summary>
    Crop90,
}
