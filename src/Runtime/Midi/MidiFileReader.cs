namespace Distill.Runtime.Midi;

/// <summary>
/// Standard MIDI File reader (formats 0 and 1; PPQ and SMPTE divisions). Keeps notes and control changes;
/// other channel messages are parsed and skipped, as are sysex and meta events except Set Tempo (tempo changes
/// in any track apply to all tracks) and End of Track. Unknown chunks are skipped. Running status is honoured
/// and, as the SMF specification says, cancelled by sysex and meta events. Anything malformed raises
/// <see cref="MidiFormatException"/> naming the byte offset.
/// </summary>
public static class MidiFileReader
{
    public static MidiSequence Read(string path) => Read(File.ReadAllBytes(path));

    public static MidiSequence Read(ReadOnlySpan<byte> file)
    {
        var cursor = new ByteCursor(file, 0);
        if (file.Length < 4 || !file[..4].SequenceEqual("MThd"u8))
            throw new MidiFormatException("not a Standard MIDI File (no MThd header)");
        cursor.Skip(4);
        uint headerLength = cursor.UInt32();
        if (headerLength < 6)
            throw new MidiFormatException($"MThd header is {headerLength} bytes long, at least 6 expected");
        int format = cursor.UInt16(), trackCount = cursor.UInt16(), division = cursor.UInt16();
        cursor.Skip(headerLength - 6);
        if (format == 2)
            throw new MidiFormatException("MIDI format 2 (independent sequences) is not supported: " +
                                          "save the file as format 0 or 1");
        if (format > 2) throw new MidiFormatException($"unknown MIDI format {format}");

        var events = new List<(long Tick, MidiEventKind Kind, int Channel, int Number, int Value)>();
        var tempo = new List<(long Tick, int MicrosPerQuarter)>();
        long lastTick = 0;
        for (int track = 0; track < trackCount;)
        {
            if (cursor.Remaining == 0)
                throw new MidiFormatException($"the header declares {trackCount} tracks, " +
                                              $"the file holds {track} (truncated?)");
            int chunkStart = cursor.Position;
            var id = cursor.Bytes(4);
            uint length = cursor.UInt32();
            if (length > cursor.Remaining)
                throw new MidiFormatException($"chunk '{Printable(id)}' at offset {chunkStart} declares {length} " +
                                              $"bytes, but only {cursor.Remaining} remain (truncated?)");
            var body = new ByteCursor(cursor.Bytes((int)length), cursor.Position - (int)length);
            if (!id.SequenceEqual("MTrk"u8)) continue; // unknown chunk: skipped, as the specification asks
            lastTick = Math.Max(lastTick, ReadTrack(ref body, events, tempo));
            track++;
        }

        var map = TimeMap(division, tempo);
        var ordered = events.OrderBy(e => e.Tick) // stable: equal ticks keep file order
                            .Select(e => new MidiEvent(map.Seconds(e.Tick), e.Kind, e.Channel, e.Number, e.Value))
                            .ToArray();
        return new MidiSequence(format, trackCount, ordered, map.Seconds(lastTick));
    }

    static TempoMap TimeMap(int division, List<(long Tick, int MicrosPerQuarter)> tempo)
    {
        if ((division & 0x8000) == 0)
            return division > 0
                ? TempoMap.Metrical(division, tempo)
                : throw new MidiFormatException("the header's division is 0 ticks per quarter note");
        // SMPTE: high byte is −frames per second (29 means 30 000/1001 drop-frame), low byte ticks per frame.
        int fps = -(sbyte)(division >> 8), ticksPerFrame = division & 0xFF;
        if (fps is not (24 or 25 or 29 or 30) || ticksPerFrame == 0)
            throw new MidiFormatException($"SMPTE division of {fps} frames/s × {ticksPerFrame} ticks per frame " +
                                          "is not valid (24, 25, 29 or 30 frames/s)");
        return TempoMap.Timecode(fps == 29 ? 30000.0 / 1001 : fps, ticksPerFrame);
    }

    /// <summary>Adds the track's events and tempo changes; returns its last tick.</summary>
    static long ReadTrack(ref ByteCursor track, List<(long, MidiEventKind, int, int, int)> events,
                          List<(long, int)> tempo)
    {
        long tick = 0;
        int running = 0;
        while (track.Remaining > 0)
        {
            tick += track.VariableLength();
            int offset = track.Position;
            int status = track.Byte();
            if (status < 0x80)
            {
                if (running == 0)
                    throw new MidiFormatException($"data byte 0x{status:X2} without a status byte at offset {offset}");
                track.Back(); // running status: this byte is the first data byte
                status = running;
            }
            if (status < 0xF0)
            {
                running = status;
                // program change, channel pressure: one byte
                int first = track.DataByte(), second = (status & 0xE0) == 0xC0 ? 0 : track.DataByte();
                int channel = status & 0x0F;
                switch (status & 0xF0)
                {
                    case 0x80: events.Add((tick, MidiEventKind.NoteOff, channel, first, second)); break;
                    case 0x90:
                        events.Add((tick, second == 0 ? MidiEventKind.NoteOff : MidiEventKind.NoteOn,
                                    channel, first, second));
                        break;
                    case 0xB0: events.Add((tick, MidiEventKind.ControlChange, channel, first, second)); break;
                }
            }
            else if (status == 0xFF)
            {
                running = 0;
                int type = track.DataByte();
                var data = track.Bytes(track.VariableLength());
                if (type == 0x2F) break; // End of Track: anything after it is ignored
                if (type == 0x51)
                {
                    if (data.Length != 3)
                        throw new MidiFormatException($"Set Tempo at offset {offset} has {data.Length} data bytes, " +
                                                      "3 expected");
                    int micros = data[0] << 16 | data[1] << 8 | data[2];
                    if (micros == 0)
                        throw new MidiFormatException($"Set Tempo at offset {offset} is 0 µs per quarter note");
                    tempo.Add((tick, micros));
                }
            }
            else if (status is 0xF0 or 0xF7)
            {
                running = 0;
                track.Bytes(track.VariableLength()); // sysex: skipped
            }
            else
                throw new MidiFormatException($"status byte 0x{status:X2} at offset {offset} is a system message, " +
                                              "which a MIDI file cannot hold");
        }
        return tick;
    }

    static string Printable(ReadOnlySpan<byte> id)
    {
        var chars = new char[id.Length];
        for (int i = 0; i < id.Length; i++) chars[i] = id[i] is >= 0x20 and < 0x7F ? (char)id[i] : '?';
        return new string(chars);
    }

    /// <summary>Big-endian reading with bounds checks; <see cref="Position"/> is the offset in the file.</summary>
    ref struct ByteCursor(ReadOnlySpan<byte> bytes, int origin)
    {
        readonly ReadOnlySpan<byte> bytes = bytes;
        int at;

        public readonly int Position => origin + at;
        public readonly int Remaining => bytes.Length - at;

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (count > Remaining)
                throw new MidiFormatException($"file ends inside an event or chunk at offset {Position} " +
                                              $"({count} bytes needed, {Remaining} left)");
            var slice = bytes.Slice(at, count);
            at += count;
            return slice;
        }

        public void Skip(uint count) => Bytes((int)Math.Min(count, int.MaxValue));
        public void Back() => at--;
        public int Byte() => Bytes(1)[0];
        public int UInt16() { var b = Bytes(2); return b[0] << 8 | b[1]; }
        public uint UInt32() { var b = Bytes(4); return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]); }

        public int DataByte()
        {
            int offset = Position, b = Byte();
            return b < 0x80 ? b : throw new MidiFormatException($"status byte 0x{b:X2} at offset {offset} " +
                                                                "where a data byte was expected");
        }

        /// <summary>Seven bits per byte, most significant first, at most four bytes (≤ 0x0FFFFFFF).</summary>
        public int VariableLength()
        {
            int offset = Position, value = 0;
            for (int i = 0; i < 4; i++)
            {
                int b = Byte();
                value = value << 7 | (b & 0x7F);
                if (b < 0x80) return value;
            }
            throw new MidiFormatException($"variable-length quantity at offset {offset} is longer than 4 bytes");
        }
    }
}
