using Distill.Plugin.Core;
using Distill.Runtime.Engine;

namespace Distill.Plugin.Clap;

/// <summary>CLAP input events → <see cref="InstrumentEvent"/>s: notes (CLAP dialect), MIDI 1.0, parameter values.
/// Events of other spaces, sizes too small for their type, and kinds the instrument ignores are skipped.</summary>
static unsafe class ClapEvents
{
    public static void Gather(ClapInputEvents* input, BlockRenderer into, int frames)
    {
        into.Clear();
        if (input == null || input->Size == null || input->Get == null) return;
        uint count = input->Size(input);
        for (uint i = 0; i < count; i++)
            if (Translate(input->Get(input, i), out var e)) into.Add(e, frames);
    }

    public static bool Translate(ClapEventHeader* h, out InstrumentEvent e)
    {
        e = default;
        if (h == null || h->SpaceId != ClapIds.CoreEventSpace) return false;
        int time = (int)Math.Min(h->Time, int.MaxValue);
        switch (h->Type)
        {
            case ClapEventType.NoteOn or ClapEventType.NoteOff or ClapEventType.NoteChoke
                when h->Size >= sizeof(ClapEventNote):
                return TranslateNote((ClapEventNote*)h, time, out e);
            case ClapEventType.ParamValue when h->Size >= sizeof(ClapEventParamValue):
                var param = (ClapEventParamValue*)h;
                e = InstrumentEvent.ParameterValue(time, param->ParamId, param->Value);
                return true;
            case ClapEventType.Midi when h->Size >= sizeof(ClapEventMidi):
                var midi = (ClapEventMidi*)h;
                return InstrumentEvent.FromMidi(time, midi->Status, midi->Data1, midi->Data2, out e);
            default:
                return false;
        }
    }

    static bool TranslateNote(ClapEventNote* note, int time, out InstrumentEvent e)
    {
        e = default;
        int channel = Math.Clamp((int)note->Channel, 0, 15);
        // A key of −1 is CLAP's wildcard: "every key" for note off and choke; meaningless for note on.
        if (note->Key is < -1 or > 127 || (note->Key == -1 && note->Header.Type == ClapEventType.NoteOn)) return false;
        if (note->Key == -1)
        {
            e = InstrumentEvent.AllNotesOff(time, channel);
            return true;
        }
        float velocity = double.IsFinite(note->Velocity) ? (float)Math.Clamp(note->Velocity, 0, 1) : 0;
        e = note->Header.Type switch
        {
            ClapEventType.NoteOn => InstrumentEvent.NoteOn(time, note->Key, velocity, channel, note->NoteId),
            ClapEventType.NoteOff => InstrumentEvent.NoteOff(time, note->Key, channel, note->NoteId),
            _ => InstrumentEvent.NoteChoke(time, note->Key, channel, note->NoteId),
        };
        return true;
    }
}
