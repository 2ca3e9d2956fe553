using Distill.Runtime.Dsp;

namespace Distill.Runtime.Engine;

enum VoiceStage : byte { Attack, Hold, Release, Fade }

/// <summary>A note as the audio thread plays it, in one of the instrument's voice slots: which note, where in its
/// audio, and its envelope (linear attack, exponential release, linear fade when stolen or switched away).</summary>
sealed class PlayingVoice(int slot)
{
    /// <summary>−80 dB: a released note is over.</summary>
    const float ReleaseFloor = 1e-4f;

    public readonly int Slot = slot;
    public bool Active;
    public int Generation, Key, NoteId, WorldEntry;
    public long Order, Played;
    public float Amplitude, Level, Step;
    public VoiceStage Stage;
    public float[] Opening = [];
    public bool Synced, Starved;

    /// <summary>Held: attacking or holding, not yet released.</summary>
    public bool Held => Stage is VoiceStage.Attack or VoiceStage.Hold;

    public void Attack(double seconds)
    {
        Level = 0;
        Stage = VoiceStage.Attack;
        Step = 1f / Math.Max(1f, (float)(seconds * FeatureConfig.ModelRate));
    }

    public void Release(double seconds)
    {
        Stage = VoiceStage.Release;
        // Exponential decay reaching −80 dB after the release time.
        Step = MathF.Exp(MathF.Log(ReleaseFloor) / Math.Max(1f, (float)(seconds * FeatureConfig.ModelRate)));
    }

    public void Fade(int samples)
    {
        if (Stage == VoiceStage.Fade) return;
        Stage = VoiceStage.Fade;
        Step = Math.Max(Level, 1e-6f) / samples;
    }

    /// <summary>Moves the envelope on one model-rate sample; false when the note is over.</summary>
    public bool Advance()
    {
        switch (Stage)
        {
            case VoiceStage.Attack:
                Level += Step;
                if (Level >= 1) { Level = 1; Stage = VoiceStage.Hold; }
                break;
            case VoiceStage.Release:
                Level *= Step;
                break;
            case VoiceStage.Fade:
                Level -= Step;
                break;
        }
        return !(Level <= (Stage == VoiceStage.Release ? ReleaseFloor : 0f));
    }
}
