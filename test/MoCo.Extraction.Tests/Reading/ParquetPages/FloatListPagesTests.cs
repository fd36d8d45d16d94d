using MoCo.Extraction.Reading.ParquetPages;

namespace MoCo.Extraction.Tests.Reading.ParquetPages;

// FloatListPages on column chunks written by hand (PageBytes, from the format's documents): the values come back bit
// for bit in every layout it takes (v1 and v2 pages, several pages with rows split across them, Snappy or none, RLE or
// bit-packed levels); layouts it does not take are declined; corrupt chunks throw InvalidDataException.
public class FloatListPagesTests
{
    private const int MaxDefinition = 2;

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, count).Select(_ => (random.NextSingle() - 0.5f) * 1e3f).ToArray();
        // Values whose bits a float conversion could change: NaN with a payload, -0, a subnormal, infinities.
        float[] odd = [BitConverter.Int32BitsToSingle(0x7FC00123), -0f, BitConverter.Int32BitsToSingle(1), float.PositiveInfinity, float.NegativeInfinity];
        odd.AsSpan(0, Math.Min(odd.Length, count)).CopyTo(values);
        return values;
    }

    private static byte[] Compress(byte[] data, bool snappy) => snappy ? Snappier.Snappy.CompressToArray(data) : data;

    /// <summary>A v1 page of values first..first+count-1 of the column.</summary>
    private static byte[] V1Page(float[] all, int first, int count, int dimension, bool snappy, int minRun = 8)
    {
        byte[] body =
        [
            .. PageBytes.LengthPrefixed(PageBytes.Hybrid(PageBytes.Repetition(first, count, dimension), 1, minRun)),
            .. PageBytes.LengthPrefixed(PageBytes.Hybrid(Enumerable.Repeat(MaxDefinition, count).ToArray(), 2, minRun)),
            .. PageBytes.Floats(all.AsSpan(first, count)),
        ];
        var compressed = Compress(body, snappy);
        return [.. PageBytes.V1Header(body.Length, compressed.Length, count), .. compressed];
    }

    private static byte[] V2Page(float[] all, int first, int count, int dimension, bool snappy, bool? flag)
    {
        var repetition = PageBytes.Hybrid(PageBytes.Repetition(first, count, dimension), 1);
        var definition = PageBytes.Hybrid(Enumerable.Repeat(MaxDefinition, count).ToArray(), 2);
        var values = PageBytes.Floats(all.AsSpan(first, count));
        var compressed = flag == false ? values : Compress(values, snappy);
        var levels = repetition.Length + definition.Length;
        return [.. PageBytes.V2Header(levels + values.Length, levels + compressed.Length, count, count / dimension, definition.Length, repetition.Length, flag),
            .. repetition, .. definition, .. compressed];
    }

    private static (bool Read, float[] Values) Read(byte[] chunk, int codec, int dimension, int count)
    {
        var destination = new float[count];
        var read = FloatListPages.TryRead(chunk, codec, MaxDefinition, dimension, destination, new PageBuffer());
        return (read, destination);
    }

    private static void AssertBits(float[] actual, float[] expected) =>
        Assert.That(actual.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Select(BitConverter.SingleToInt32Bits)), "bit for bit");

    [Test]
    public void One_v1_page_reads_bit_for_bit([Values] bool snappy, [Values(1, 1000)] int minRun)
    {
        const int dimension = 16, rows = 50;
        var values = Values(rows * dimension, 1);
        var (read, actual) = Read(V1Page(values, 0, values.Length, dimension, snappy, minRun), snappy ? FloatListPages.Snappy : FloatListPages.Uncompressed, dimension, values.Length);
        Assert.That(read, Is.True);
        AssertBits(actual, values);
    }

    [Test]
    public void Several_v1_pages_with_rows_split_across_them_read_bit_for_bit([Values] bool snappy)
    {
        const int dimension = 7, rows = 40;
        var values = Values(rows * dimension, 2);
        var cuts = new[] { 0, 3, 50, 51, 200, values.Length };
        byte[] chunk = [.. cuts.Zip(cuts.Skip(1)).SelectMany(c => V1Page(values, c.First, c.Second - c.First, dimension, snappy))];
        var (read, actual) = Read(chunk, snappy ? FloatListPages.Snappy : FloatListPages.Uncompressed, dimension, values.Length);
        Assert.That(read, Is.True);
        AssertBits(actual, values);
    }

    [TestCase(true, null)]
    [TestCase(true, true)]
    [TestCase(true, false)]
    [TestCase(false, null)]
    public void V2_pages_read_bit_for_bit(bool snappy, bool? isCompressed)
    {
        const int dimension = 8, rows = 30;
        var values = Values(rows * dimension, 3);
        byte[] chunk = [.. V2Page(values, 0, 80, dimension, snappy, isCompressed), .. V2Page(values, 80, values.Length - 80, dimension, snappy, isCompressed)];
        var (read, actual) = Read(chunk, snappy ? FloatListPages.Snappy : FloatListPages.Uncompressed, dimension, values.Length);
        Assert.That(read, Is.True);
        AssertBits(actual, values);
    }

    [Test]
    public void A_dictionary_page_another_value_encoding_or_codec_is_declined()
    {
        const int dimension = 4;
        var values = Values(8 * dimension, 4);
        var page = V1Page(values, 0, values.Length, dimension, snappy: false);
        byte[] dictionary = [.. PageBytes.DictionaryHeader(8, 2), .. new byte[8]];
        Assert.That(Read([.. dictionary, .. page], FloatListPages.Uncompressed, dimension, values.Length).Read, Is.False, "dictionary page");

        // A BYTE_STREAM_SPLIT page (encoding 9): declined at its header, before its body is looked at.
        byte[] splitEncoded = [.. PageBytes.V1Header(4, 4, values.Length, encoding: 9), 0, 0, 0, 0];
        Assert.That(Read(splitEncoded, FloatListPages.Uncompressed, dimension, values.Length).Read, Is.False, "BYTE_STREAM_SPLIT values");
        Assert.That(Read(page, 2, dimension, values.Length).Read, Is.False, "GZIP codec");
        Assert.That(FloatListPages.Supports(2), Is.False);
    }

    [Test]
    public void Levels_of_other_rows_are_refused()
    {
        // Rows of 3 values read as rows of 4: the same values, other levels.
        var values = Values(24, 5);
        var chunk = V1Page(values, 0, values.Length, 3, snappy: true);
        var e = Assert.Throws<InvalidDataException>(() => Read(chunk, FloatListPages.Snappy, 4, values.Length));
        Assert.That(e!.Message, Does.Contain("not those of rows of 4"));
    }

    [Test]
    public void A_chunk_with_fewer_or_more_values_than_expected_is_refused()
    {
        const int dimension = 4;
        var values = Values(40, 6);
        var chunk = V1Page(values, 0, 40, dimension, snappy: true);
        Assert.That(Assert.Throws<InvalidDataException>(() => Read(chunk, FloatListPages.Snappy, dimension, 44))!.Message, Does.Contain("ends after 40 of its 44"));
        Assert.That(Assert.Throws<InvalidDataException>(() => Read(chunk, FloatListPages.Snappy, dimension, 36))!.Message, Does.Contain("40 values where 36 remain"));
    }

    [Test]
    public void A_truncated_or_corrupt_chunk_is_refused_with_InvalidDataException()
    {
        const int dimension = 4;
        var values = Values(64, 7);
        var chunk = V1Page(values, 0, values.Length, dimension, snappy: true);
        for (var cut = 0; cut < chunk.Length; cut++)
        {
            Assert.Throws<InvalidDataException>(() => Read(chunk[..cut], FloatListPages.Snappy, dimension, values.Length), $"cut at {cut}");
        }

        // Single flipped bits anywhere: a well-formed result (a bit inside the values reads as another value) or an
        // InvalidDataException; never another exception, a read past the chunk, or a hang.
        var random = new Random(8);
        var refused = 0;
        for (var trial = 0; trial < 300; trial++)
        {
            var corrupt = (byte[])chunk.Clone();
            corrupt[random.Next(corrupt.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                Read(corrupt, FloatListPages.Snappy, dimension, values.Length);
            }
            catch (Exception e)
            {
                Assert.That(e, Is.InstanceOf<InvalidDataException>(), $"trial {trial}: {e}");
                refused++;
            }
        }

        Assert.That(refused, Is.GreaterThan(0), "some flipped bits (in headers, lengths, levels) must be refused");
    }

    [Test]
    public void A_header_with_numbers_or_lengths_out_of_range_is_refused()
    {
        static byte[] Varint(ulong v)
        {
            var bytes = new List<byte>();
            for (; v >= 0x80; v >>= 7)
            {
                bytes.Add((byte)(v | 0x80));
            }

            bytes.Add((byte)v);
            return [.. bytes];
        }

        // Field 1 (i32, header byte 0x15) holding 2^40 (zigzag 2^41): no i32.
        byte[] bigNumber = [0x15, .. Varint(1UL << 41), 0];
        // Field 9 (binary, an unknown field to skip) of 2^31 bytes: longer than the header.
        byte[] longBinary = [0x98, .. Varint(1UL << 31), 0];
        // Field 9 as a list of 2^40 booleans.
        byte[] longList = [0x99, 0xF1, .. Varint(1UL << 40), 0];
        foreach (var (name, bytes) in new[] { ("i32 out of range", bigNumber), ("binary past the end", longBinary), ("list past the end", longList) })
        {
            Assert.Throws<InvalidDataException>(() => Read(bytes, FloatListPages.Uncompressed, 4, 4), name);
        }
    }
}
