namespace MoCo.Extraction.Reading.ParquetPages;

/// <summary>
/// The few reads of Thrift's compact protocol that a Parquet page header needs (Thrift's
/// doc/specs/thrift-compact-protocol.md): field headers with delta ids, zigzag varints, and a skip for every type so
/// that fields this reader does not use (statistics, CRC, encryption) pass unread. Bounds-checked: a truncated or
/// corrupt header throws <see cref="InvalidDataException"/>, never reads past the span.
/// </summary>
internal ref struct ThriftCompactReader(ReadOnlySpan<byte> data)
{
    // Compact protocol type ids (the low nibble of a field header).
    public const byte Stop = 0;
    public const byte BooleanTrue = 1;
    public const byte BooleanFalse = 2;
    public const byte Byte = 3;
    public const byte I16 = 4;
    public const byte I32 = 5;
    public const byte I64 = 6;
    public const byte Double = 7;
    public const byte Binary = 8;
    public const byte List = 9;
    public const byte Set = 10;
    public const byte Map = 11;
    public const byte Struct = 12;

    // Thrift's own limit on nesting is far above what Parquet uses; this one only stops a corrupt header's recursion.
    private const int MaxDepth = 32;

    private readonly ReadOnlySpan<byte> _data = data;

    /// <summary>Bytes read so far.</summary>
    public int Position { get; private set; }

    /// <summary>The next field of the current struct: its id and type; type <see cref="Stop"/> ends the struct.</summary>
    /// <param name="lastId">The previous field's id in this struct (0 at its start); updated.</param>
    public (short Id, byte Type) ReadFieldHeader(ref short lastId)
    {
        var head = ReadByte();
        var type = (byte)(head & 0x0F);
        if (type == Stop)
        {
            return (0, Stop);
        }

        var delta = head >> 4;
        lastId = delta != 0 ? (short)(lastId + delta) : (short)InRange(ZigZag(ReadVarint()), short.MinValue, short.MaxValue);
        return (lastId, type);
    }

    /// <summary>An i32 (or i16, or an enum) field's value.</summary>
    public int ReadI32() => (int)InRange(ZigZag(ReadVarint()), int.MinValue, int.MaxValue);

    /// <summary>Passes over a value of <paramref name="type"/> (a whole struct, list, set or map included).</summary>
    public void Skip(byte type) => Skip(type, 0);

    private void Skip(byte type, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException("Parquet page header: Thrift structures nested too deep.");
        }

        switch (type)
        {
            case BooleanTrue or BooleanFalse:
                break; // a boolean field's value is in its header's type
            case Byte:
                Advance(1);
                break;
            case I16 or I32 or I64:
                ReadVarint();
                break;
            case Double:
                Advance(8);
                break;
            case Binary:
                Advance(Count(ReadVarint()));
                break;
            case List or Set:
            {
                var head = ReadByte();
                var count = head >> 4 == 15 ? Count(ReadVarint()) : head >> 4;
                SkipElements((byte)(head & 0x0F), count, depth);
                break;
            }

            case Map:
            {
                var count = Count(ReadVarint());
                if (count > 0)
                {
                    var types = ReadByte();
                    for (var i = 0; i < count; i++)
                    {
                        SkipElement((byte)(types >> 4), depth);
                        SkipElement((byte)(types & 0x0F), depth);
                    }
                }

                break;
            }

            case Struct:
            {
                short lastId = 0;
                while (true)
                {
                    var (_, fieldType) = ReadFieldHeader(ref lastId);
                    if (fieldType == Stop)
                    {
                        break;
                    }

                    Skip(fieldType, depth + 1);
                }

                break;
            }

            default:
                throw new InvalidDataException($"Parquet page header: unknown Thrift type {type}.");
        }
    }

    private void SkipElements(byte type, int count, int depth)
    {
        for (var i = 0; i < count; i++)
        {
            SkipElement(type, depth);
        }
    }

    // Inside lists and maps a boolean takes a byte of its own (unlike a boolean field).
    private void SkipElement(byte type, int depth)
    {
        if (type is BooleanTrue or BooleanFalse)
        {
            Advance(1);
        }
        else
        {
            Skip(type, depth + 1);
        }
    }

    private byte ReadByte()
    {
        if (Position >= _data.Length)
        {
            throw new InvalidDataException("Parquet page header: truncated.");
        }

        return _data[Position++];
    }

    private void Advance(int bytes)
    {
        if (bytes < 0 || bytes > _data.Length - Position)
        {
            throw new InvalidDataException("Parquet page header: truncated.");
        }

        Position += bytes;
    }

    private ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new InvalidDataException("Parquet page header: a varint longer than 10 bytes.");
    }

    private static long ZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    private static long InRange(long value, long min, long max) =>
        value >= min && value <= max ? value : throw new InvalidDataException($"Parquet page header: {value} is out of its field's range.");

    // A length or element count: never more than the header's bytes could hold, so a corrupt one fails here, not in a loop.
    private int Count(ulong value) =>
        value <= (ulong)(_data.Length - Position) ? (int)value : throw new InvalidDataException($"Parquet page header: a length of {value} runs past its end.");
}
