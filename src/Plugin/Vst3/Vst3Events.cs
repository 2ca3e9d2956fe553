using Distill.Plugin.Core;
using Distill.Runtime.Engine;

namespace Distill.Plugin.Vst3;

/// <summary>One block's IParameterChanges (every point of every queue, normalized → plain) and IEventList notes,
/// merged by offset into the preallocated <see cref="BlockRenderer"/>. Parameter points go in first, so at equal
/// offsets a change applies before a note that starts there.</summary>
static unsafe class Vst3Events
{
    public static void Gather(void* changes, void* eventList, BlockRenderer into, int frames)
    {
        into.Clear();
        if (changes != null) GatherParameters(changes, into, frames);
        if (eventList != null) GatherNotes(eventList, into, frames);
    }

    static void GatherParameters(void* changes, BlockRenderer into, int frames)
    {
        var list = *(ParameterChangesVtbl**)changes;
        int queues = list->GetParameterCount(changes);
        for (int q = 0; q < queues; q++)
        {
            void* queue = list->GetParameterData(changes, q);
            if (queue == null) continue;
            var points = *(ParamValueQueueVtbl**)queue;
            uint id = points->GetParameterId(queue);
            if (!PluginParameters.TryGet(id, out var spec)) continue;
            int count = points->GetPointCount(queue);
            for (int i = 0; i < count; i++)
            {
                int offset;
                double normalized;
                if (points->GetPoint(queue, i, &offset, &normalized) == Vst3Result.Ok)
                    into.Add(InstrumentEvent.ParameterValue(offset, id, spec.FromNormalized(normalized)), frames);
            }
        }
    }

    static void GatherNotes(void* eventList, BlockRenderer into, int frames)
    {
        var list = *(EventListVtbl**)eventList;
        int count = list->GetEventCount(eventList);
        Vst3Event e;
        for (int i = 0; i < count; i++)
        {
            if (list->GetEvent(eventList, i, &e) != Vst3Result.Ok) continue;
            if (Translate(e, out var translated)) into.Add(translated, frames);
        }
    }

    static bool Translate(in Vst3Event e, out InstrumentEvent translated)
    {
        translated = default;
        switch (e.Type)
        {
            case Vst3Constants.EventNoteOn when e.NoteOn.Pitch is >= 0 and <= 127:
                float velocity = float.IsFinite(e.NoteOn.Velocity) ? Math.Clamp(e.NoteOn.Velocity, 0, 1) : 0;
                int channel = Math.Clamp((int)e.NoteOn.Channel, 0, 15);
                // Velocity 0 ends the note, as in MIDI.
                translated = velocity > 0
                    ? InstrumentEvent.NoteOn(e.SampleOffset, e.NoteOn.Pitch, velocity, channel, e.NoteOn.NoteId)
                    : InstrumentEvent.NoteOff(e.SampleOffset, e.NoteOn.Pitch, channel, e.NoteOn.NoteId);
                return true;
            case Vst3Constants.EventNoteOff when e.NoteOff.Pitch is >= 0 and <= 127:
                int offChannel = Math.Clamp((int)e.NoteOff.Channel, 0, 15);
                translated = InstrumentEvent.NoteOff(e.SampleOffset, e.NoteOff.Pitch, offChannel, e.NoteOff.NoteId);
                return true;
            default:
                return false;
        }
    }
}
